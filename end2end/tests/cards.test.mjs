// The walking skeleton: both providers' snapshots as cards, through the proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../harness.mjs';
import { account, server, card, text, until, holdBack } from '../helpers.mjs';

let env;
before(async () => { env = await launch({ opSeconds: 30 }); });
after(async () => { await env?.close(); });

test('cards of both providers, grouped by account and server', async () => {
  const { page, urls } = env;
  await page.goto(urls.panel);
  await page.getByRole('banner').getByText('Snapdeck').waitFor();

  const ilk = page.getByRole('region', { name: 'Demo ilkbyte', exact: true });
  const web01 = ilk.getByRole('region', { name: 'web01', exact: true });
  await web01.getByRole('heading', { name: 'web01' }).waitFor();
  const pre = web01.getByRole('article').filter({ has: page.getByRole('heading', { name: 'preupgrade', exact: true }) });
  await pre.waitFor();
  assert.match(await pre.innerText(), /Completed/);
  assert.match(await pre.innerText(), /Current/);
  assert.match(await pre.innerText(), /Parent\s+base/);
  assert.equal(await web01.getByRole('article').count(), 3);
  // The schedule on db01, with the provider's own wording beside ours.
  const nightly = ilk.getByRole('region', { name: 'db01' }).getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'nightly' }) });
  await nightly.waitFor();
  assert.match(await nightly.innerText(), /Every day at 03:30/);
  assert.match(await nightly.innerText(), /Her 1 günde bir 03:30 saatinde/);
  // Removed servers stay hidden.
  assert.equal(await ilk.getByRole('region', { name: /_REMOVE/ }).count(), 0);

  const vps = page.getByRole('region', { name: 'Demo VPS.org', exact: true });
  const web = vps.getByRole('region', { name: 'web-server-01' });
  await web.getByRole('article').filter({ has: page.getByRole('heading', { name: 'pre-migration-snapshot' }) }).waitFor();
  assert.equal(await web.getByRole('article').count(), 5);
  assert.match(await web.innerText(), /5 \/ 5 snapshots/);
  // At the limit, New snapshot offers to replace the oldest; a snapshot before
  // an update has no room.
  assert.equal(await web.getByRole('button', { name: 'New snapshot' }).isDisabled(), false);
  assert.equal(await web.getByRole('button', { name: 'Before an update' }).isDisabled(), true);
  const inProgress = vps.getByRole('region', { name: 'db-server-01' }).getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'before-update-snapshot' }) });
  assert.match(await inProgress.innerText(), /In progress/);
  const migration = web.getByRole('article').filter({ has: page.getByRole('heading', { name: 'pre-migration-snapshot' }) });
  assert.match(await migration.innerText(), /Before major migration/);
  assert.match(await migration.innerText(), /GB|MB/);
  // The main action as a button, the others in a menu, Delete set apart.
  const menuOf = async (c) => {
    await c.getByRole('button', { name: /^More actions/ }).click();
    const items = await c.getByRole('menu').getByRole('menuitem').allInnerTexts();
    await page.keyboard.press('Escape');
    return items.map((t) => t.trim());
  };
  assert.equal(await migration.getByRole('button', { name: 'Restore', exact: true }).count(), 1);
  assert.deepEqual(await menuOf(migration), ['Protect', 'Delete']);
  assert.equal(await pre.getByRole('button', { name: 'Revert', exact: true }).count(), 1);
  assert.deepEqual(await menuOf(pre), ['Recreate', 'Schedule', 'Protect', 'Delete']);
  assert.equal(await pre.getByRole('separator').count(), 0, 'the menu is closed');
  assert.deepEqual(env.pageErrors, []);
});

test('every request went through the proxy, and its log holds no secret', async () => {
  const stats = await env.sim.stats();
  assert.ok(stats.ilkbyte > 0 && stats.vpsorg > 0, JSON.stringify(stats));
  const logs = env.proxyLogs();
  assert.match(logs, /GET 127\.0\.0\.1 \/ilkbyte\/server\/list 200/);
  assert.match(logs, /GET 127\.0\.0\.1 \/vpsorg\/api\/v1\/snapshots\/ 200/);
  for (const secret of ['demo-secret', 'demo-access', 'demo-token']) {
    assert.ok(!logs.includes(secret), `proxy log has ${secret}`);
  }
});

// VPS.org's server list answers 1.5 s late: the account-wide snapshot list,
// asked for at the same time, comes first and waits for the servers. The
// times of both, and how many snapshot lists were asked for.
async function serversAnswerLate(page) {
  const at = { snapshotLists: 0 };
  await page.route('**/vpsorg/api/v1/servers/**', async (route) => {
    at.serversAsked ??= Date.now();
    await new Promise((r) => setTimeout(r, 1_500));
    at.serversReleased ??= Date.now();
    await route.continue();
  });
  await page.route('**/vpsorg/api/v1/snapshots/**', async (route) => {
    at.snapshotsAsked ??= Date.now();
    at.snapshotLists += 1;
    await route.continue();
  });
  return at;
}

test("VPS.org's snapshot list is asked for beside its server list, and kept when it comes first", async () => {
  // Operations of 0.2 s: the snapshot the demo starts with under way is
  // done before the page asks, so nothing moves on VPS.org.
  const own = await launch({ opSeconds: 0.2 });
  try {
    const { page, urls } = own;
    const at = await serversAnswerLate(page);
    await page.goto(urls.panel);
    const web = server(page, 'Demo VPS.org', 'web-server-01');
    await card(page, web, 'initial-setup').waitFor();
    assert.ok(at.snapshotsAsked < at.serversReleased,
      `snapshots asked ${at.snapshotsAsked - at.serversAsked} ms after the servers, which were answered after ${at.serversReleased - at.serversAsked} ms`);
    // The cards come from that first list, not from the next poll (3 s on).
    assert.equal(at.snapshotLists, 1);
    // Every VPS.org card is there.
    await card(page, server(page, 'Demo VPS.org', 'db-server-01'), 'before-update-snapshot').waitFor();
    await text(page.locator('.overview'), /13 snapshots/);
    assert.equal(await account(page, 'Demo VPS.org').getByRole('alert').count(), 0);
    // Nothing moves on VPS.org's servers: the list, booked as busy when it
    // came before them, is not asked for again at a busy list's pace (3 s)
    // but at a quiet one's (60 s).
    await page.waitForTimeout(Math.max(0, at.snapshotsAsked + 4_000 - Date.now()));
    assert.equal(at.snapshotLists, 1);
  } finally {
    await own.close();
  }
});

test("VPS.org's snapshot list that came before its servers is asked for again soon when a snapshot is under way", async () => {
  // Operations of 30 s: db-server-01's snapshot is under way for 15 s.
  const own = await launch({ opSeconds: 30 });
  try {
    const { page, urls } = own;
    const at = await serversAnswerLate(page);
    await page.goto(urls.panel);
    await card(page, server(page, 'Demo VPS.org', 'db-server-01'), 'before-update-snapshot').waitFor();
    assert.equal(at.snapshotLists, 1);
    // A busy list's pace: asked for again about 3 s after the first.
    await until(() => at.snapshotLists >= 2, 6_000, 'the snapshot list asked for again');
    assert.ok(Date.now() - at.snapshotsAsked < 6_000);
  } finally {
    await own.close();
  }
});

test('the first lists are asked for before the page is built', async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    await page.addInitScript(() => {
      new MutationObserver((_, seen) => {
        // The panel's own banner (index.html's stands in for it until then).
        if (!document.querySelector('header.banner nav')) return;
        seen.disconnect();
        window.bannerAt = performance.now();
      }).observe(document, { subtree: true, childList: true });
    });
    await page.goto(urls.panel);
    await card(page, server(page, 'Demo ilkbyte', 'web01'), 'preupgrade').waitFor();
    const { bannerAt, asked } = await page.evaluate(() => ({
      bannerAt: window.bannerAt,
      asked: performance.getEntriesByType('resource')
        .filter((e) => /\/(ilkbyte|vpsorg)\//.test(e.name))
        .map((e) => e.startTime),
    }));
    assert.ok(asked.length >= 3, `${asked.length} list requests seen`);
    const first = Math.min(...asked);
    assert.ok(first < bannerAt, `first list asked for at ${first.toFixed(0)} ms, the banner built at ${bannerAt.toFixed(0)} ms`);
  } finally {
    await own.close();
  }
});

test("the dialogs' part downloads beside the first lists, and runs once they have answered and their cards are drawn", async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    let partAsked = false;
    page.on('request', (r) => { if (/\/split_dialogs[^/]*\.wasm$/.test(r.url())) partAsked = true; });
    // ilkbyte's server list answers after a while.
    let answer;
    const held = new Promise((r) => { answer = r; });
    await page.route(/\/ilkbyte\/server\/list/, async (route) => { await held; await route.continue(); });
    await page.goto(urls.panel);
    // VPS.org's cards come, and the part is here, but it has not run: the
    // overview (which it draws) still has only its kept place.
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    await until(() => partAsked, 5_000, "the part's download");
    await page.waitForTimeout(500);
    assert.equal(await page.getByRole('region', { name: 'Overview' }).count(), 0);
    assert.equal(await page.locator('.overview-wait').count(), 1);
    answer();
    await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
    await text(page.getByRole('region', { name: 'Overview' }), /6 servers/);
    // Downloaded once: the run took the download under way.
    const parts = await page.evaluate(() => performance.getEntriesByType('resource')
      .filter((e) => /\/split_dialogs[^/]*\.wasm$/.test(e.name)).length);
    assert.equal(parts, 1);
  } finally {
    await own.close();
  }
});

test("on a return at the same width, the overview's kept place has the height it had, and the cards do not move when it comes", async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    // A phone's width, where the style sheet's guess is a row off for the
    // demo's data.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(urls.panel);
    const overview = page.getByRole('region', { name: 'Overview' });
    await text(overview, /6 servers/);
    const height = (await overview.boundingBox()).height;
    // Leaving the page (it is hidden) keeps the height.
    await page.goto('about:blank');

    // ilkbyte's list is held, so the part waits and the kept place shows.
    let answer;
    const held = new Promise((r) => { answer = r; });
    await page.route(/\/ilkbyte\/server\/list/, async (route) => { await held; await route.continue(); });
    await page.goto(urls.panel);
    const first = card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup');
    await first.waitFor();
    const band = await page.locator('.overview-wait').boundingBox();
    assert.ok(Math.abs(band.height - height) < 1, `kept place ${band.height} px, the overview was ${height} px`);
    // The first account's section, right below the overview, stays put.
    const below = account(page, 'Demo ilkbyte');
    const before = (await below.boundingBox()).y;
    answer();
    await text(overview, /6 servers/);
    const after = (await below.boundingBox()).y;
    assert.ok(Math.abs(after - before) < 1, `the cards moved from ${before} to ${after} px`);

    // At another width, or with a value that is not a height, the style
    // sheet's guess stands.
    const kept = () => page.evaluate(() => document.body.style.getPropertyValue('--overview-height'));
    assert.ok(Math.abs(parseFloat(await kept()) - height) < 1, `kept ${await kept()}`);
    await page.goto('about:blank');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(urls.panel);
    await first.waitFor();
    assert.equal(await kept(), '');
    for (const value of ['1280 tall', '1280 -40', '1280', 'x1280 300']) {
      // A page of the same origin without the panel, to write it.
      await page.goto(`${urls.panel}missing`);
      await page.evaluate((v) => localStorage.setItem('snapdeck.overview-height', v), value);
      await page.goto(urls.panel);
      await first.waitFor();
      assert.equal(await kept(), '', value);
    }
  } finally {
    await own.close();
  }
});

test('the page is drawn with its first cards, not empty before them', async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    // The page's clock stands still: only the first answers can have the
    // page drawn, not its "at the latest" timer.
    await page.clock.install();
    await page.clock.pauseAt(Date.now() + 1_000);
    await page.addInitScript(() => {
      new MutationObserver((_, seen) => {
        if (!document.querySelector('header.banner nav')) return;
        seen.disconnect();
        window.drawnWith = {
          cards: document.querySelectorAll('article').length,
          servers: document.querySelectorAll('section.server').length,
        };
      }).observe(document, { subtree: true, childList: true });
    });
    await page.goto(urls.panel);
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    const drawnWith = await page.evaluate(() => window.drawnWith);
    assert.ok(drawnWith.cards >= 1, `the panel's page was first drawn with ${drawnWith.cards} cards`);
    assert.ok(drawnWith.servers >= 1, `and ${drawnWith.servers} servers`);
  } finally {
    await own.close();
  }
});

test('providers slow to answer do not keep the page away: it is drawn without their cards, which come when they answer', async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    const released = await holdBack(page, /\/(ilkbyte|vpsorg)\//, 3_000);
    await page.goto(urls.panel);
    await page.getByRole('banner').getByRole('button', { name: 'Add account' }).waitFor({ timeout: 2_500 });
    assert.equal(released(), false, 'the page was drawn before the providers answered');
    assert.equal(await page.getByRole('article').count(), 0);
    await page.getByRole('region', { name: 'Demo ilkbyte', exact: true }).waitFor();
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor({ timeout: 10_000 });
    assert.equal(released(), true);
  } finally {
    await own.close();
  }
});

test('a provider that does not answer keeps neither the overview nor the dialogs away', async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    await page.route(/\/ilkbyte\/server\/list/, () => {});
    await page.goto(urls.panel);
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    // The part runs 1.5 s after the start at the latest.
    await text(page.getByRole('region', { name: 'Overview' }), /servers/, 4_000);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor({ timeout: 1_000 });
  } finally {
    await own.close();
  }
});

test('a slow snapdeck.json does not hold the page back: the banner comes first, the cards once it is read', async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    const released = await holdBack(page, '**/snapdeck.json', 3_000);
    await page.goto(urls.panel);
    await page.getByRole('banner').getByRole('button', { name: 'Add account' }).waitFor({ timeout: 2_500 });
    assert.equal(released(), false, 'the banner came before snapdeck.json was read');
    assert.equal(await page.getByRole('article').count(), 0);
    // Not yet read is not "no accounts".
    assert.equal(await page.getByRole('heading', { name: 'No accounts yet' }).count(), 0);
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    assert.equal(released(), true);
  } finally {
    await own.close();
  }
});

test("index.html's banner is drawn before the panel's code has come, and the panel's own takes its place in the same frame", async () => {
  const own = await launch({});
  try {
    const { page, urls } = own;
    // In every frame until the first card: the banners on the page, each
    // the panel's (with its actions) or index.html's.
    await page.addInitScript(() => {
      window.bannersDrawn = [];
      const look = () => {
        const banners = [...document.querySelectorAll('header.banner')];
        window.bannersDrawn.push(banners.map((h) => (h.querySelector('nav') ? 'panel' : 'page')).join('+'));
        if (!document.querySelector('article')) requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
    });
    const released = await holdBack(page, '**/snapdeck_bg.wasm', 2_000);
    await page.goto(urls.panel);
    await page.getByRole('banner').getByRole('heading', { name: 'Snapdeck' }).waitFor({ timeout: 1_500 });
    assert.equal(released(), false, "the banner was drawn before the panel's code came");
    assert.equal(await page.getByRole('banner').getByRole('button').count(), 0);
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    const frames = await page.evaluate(() => window.bannersDrawn);
    // Frames before the document's body was parsed have none.
    const drawn = frames.slice(frames.findIndex((f) => f !== ''));
    const changes = drawn.filter((f, i) => i === 0 || f !== drawn[i - 1]);
    assert.deepEqual(changes, ['page', 'panel'], `banners frame by frame: ${changes.join(' → ')}`);
    assert.equal(await page.locator('#boot-banner').count(), 0);
  } finally {
    await own.close();
  }
});
