// Rendering at scale, as figures (a benchmark, not a test):
//   node end2end/bench-render.mjs [servers] [snapshots]
// 1. VPS.org, N servers × M snapshots in one list: time from the list's
//    response to every card in the DOM (budget: 1.5 s for 1,000 × 5).
// 2. The same page, one snapshot changes status: DOM mutations outside
//    its card (budget: none) and how long the poll took to apply.
// 3. ilkbyte, N servers (one list each, 6 requests in flight): time to
//    every card.
import { launch, launchScale } from './harness.mjs';

const servers = Number(process.argv[2] ?? 1000);
const snapshots = Number(process.argv[3] ?? 5);
const perServer = Math.min(snapshots, 5);

async function vpsorg() {
  const env = await launchScale(servers, snapshots);
  try {
    const { page } = env;
    let listDone = null;
    page.on('requestfinished', (r) => {
      if (listDone === null && r.url().endsWith('/snapshots/')) listDone = Date.now();
    });
    await page.goto(env.urls.panel);
    const want = servers * perServer;
    await page.waitForFunction((n) => document.querySelectorAll('article').length >= n, want, { polling: 'raf', timeout: 120_000 });
    const rendered = Date.now();
    console.log(`VPS.org: ${want} cards in the DOM ${rendered - listDone} ms after the list arrived (budget 1500 ms)`);

    // One status change: free a place on the last server, take a snapshot there.
    const last = 20_000 + servers - 1;
    const list = await (await fetch(`${env.urls.vpsorg}/snapshots/?server_id=${last}`, { headers: { Authorization: 'Bearer demo-token' } })).json();
    await fetch(`${env.urls.vpsorg}/snapshots/${list.results[0].id}/`, { method: 'DELETE', headers: { Authorization: 'Bearer demo-token' } });
    const created = await (await fetch(`${env.urls.vpsorg}/snapshots/`, {
      method: 'POST',
      headers: { Authorization: 'Bearer demo-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ server_id: last, name: 'bench-probe' }),
    })).json();
    // CSS locators: role queries over thousands of cards are slow in Playwright itself.
    await page.locator('.banner-actions button', { hasText: 'Refresh' }).click();
    const probe = page.locator('article', { has: page.locator('h4', { hasText: /^bench-probe$/ }) });
    await probe.waitFor({ timeout: 60_000 });
    await probe.locator('.status', { hasText: 'In progress' }).waitFor({ timeout: 60_000 });
    await probe.evaluate((article) => {
      window.__m = { inside: 0, outside: 0 };
      new MutationObserver((records) => {
        for (const r of records) {
          const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
          if (node && article.contains(node)) window.__m.inside += 1; else window.__m.outside += 1;
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    let pollDone = null;
    const onFinish = (r) => { if (r.url().endsWith('/snapshots/')) pollDone = Date.now(); };
    page.on('requestfinished', onFinish);
    await probe.locator('.status', { hasText: 'Completed' }).waitFor({ timeout: 60_000 });
    const settled = Date.now();
    const m = await page.evaluate(() => window.__m);
    console.log(`VPS.org: snapshot ${created.id} settled; DOM mutations inside its card ${m.inside}, outside ${m.outside}; applied ${pollDone ? settled - pollDone : '?'} ms after its poll arrived`);
  } finally {
    await env.close();
  }
}

async function ilkbyte() {
  const env = await launch({
    simArgs: ['--servers', String(servers), '--snapshots', String(snapshots), '--page-size', '100'],
    accounts: (urls) => [{ provider: 'ilkbyte', label: 'Scale', base_url: urls.ilkbyte, access_key: 'demo-access', secret_key: 'demo-secret' }],
  });
  try {
    const { page } = env;
    const start = Date.now();
    await page.goto(env.urls.panel);
    const want = servers * snapshots;
    await page.waitForFunction((n) => document.querySelectorAll('article').length >= n, want, { polling: 1000, timeout: 300_000 });
    const stats = await env.sim.stats();
    console.log(`ilkbyte: ${want} cards from ${stats.ilkbyte} requests in ${Date.now() - start} ms (6 requests in flight at most)`);
  } finally {
    await env.close();
  }
}

await vpsorg();
await ilkbyte();
