// A poll that changes one snapshot's status re-renders that card only (and
// the counts that depend on it: the overview and its server's coverage
// line, text for text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../harness.mjs';
import { server, card, text } from '../helpers.mjs';

test('a status change touches no DOM outside its card', async () => {
  // The demo's in-progress snapshot completes op-seconds after start.
  const env = await launch({ opSeconds: 8 });
  try {
    const { page } = env;
    await page.goto(env.urls.panel);
    const db = server(page, 'Demo VPS.org', 'db-server-01');
    const target = card(page, db, 'before-update-snapshot');
    await text(target, /In progress/);
    await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    // The overview sums up once a second: let it catch up with the load.
    await text(page.locator('.overview'), /6 servers/);
    await text(page.locator('.overview'), /13 snapshots/);
    await new Promise((r) => setTimeout(r, 1_200));

    await target.evaluate((article) => {
      window.__mutations = { inside: 0, summaries: [], outside: [] };
      const coverage = article.closest('section.server').querySelector('.coverage');
      const overview = document.querySelector('.overview');
      new MutationObserver((records) => {
        for (const r of records) {
          const node = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
          if (node && article.contains(node)) {
            window.__mutations.inside += 1;
          } else if (node && (coverage.contains(node) || overview.contains(node))) {
            window.__mutations.summaries.push(`${r.type} on ${node.outerHTML.slice(0, 80)}`);
          } else {
            window.__mutations.outside.push(`${r.type} on ${node?.outerHTML?.slice(0, 80) ?? r.target.nodeName}`);
          }
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await text(target, /Completed/, 20_000);
    // Let any other poll in flight land too.
    await new Promise((r) => setTimeout(r, 1_500));
    const m = await page.evaluate(() => window.__mutations);
    assert.ok(m.inside > 0, 'the card itself changed');
    assert.deepEqual(m.outside, [], 'mutations outside the changed card');
    // The summaries change their words, not their elements.
    assert.ok(m.summaries.every((x) => /^(characterData|attributes) /.test(x)), `${m.summaries}`);
    assert.ok(m.summaries.length <= 4, `${m.summaries}`);
    assert.deepEqual(env.pageErrors, []);
  } finally {
    await env.close();
  }
});

test('the overview counts the first lists as they answer, not at the next second', async () => {
  const env = await launch();
  try {
    const { page } = env;
    // The page's clock stands still: its one-second tick never comes.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1_000);
    await page.goto(env.urls.panel);
    await card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly').waitFor();
    await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
    await text(server(page, 'Demo ilkbyte', 'mail01'), /No snapshots yet/);
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    await card(page, server(page, 'Demo VPS.org', 'staging-01'), 'staging-clean').waitFor();
    // 150 ms on: the counts are there, though no second has ticked.
    await page.clock.runFor(150);
    await text(page.locator('.overview'), /6 servers/, 3_000);
    await text(page.locator('.overview'), /13 snapshots/, 3_000);
  } finally {
    await env.close();
  }
});
