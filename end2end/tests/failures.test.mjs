// Failures never blank the page: errors land where they belong, and the
// last good data stays on screen.
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { launch, defaultAccounts } from '../harness.mjs';
import { account, server, card, text, until, requestCount } from '../helpers.mjs';

async function loaded(env) {
  const { page } = env;
  await page.goto(env.urls.panel);
  await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
}

test('an invalid snapdeck.json says what is wrong, and the page still works', async () => {
  for (const [configText, want] of [
    ['{"accounts": [{"provider": "aws", "label": "x"}]}', /unknown provider "aws"/],
    ['{"accounts": [', /snapdeck\.json is not valid/],
  ]) {
    const env = await launch({ configText });
    try {
      const { page } = env;
      await page.goto(env.urls.panel);
      await text(page.getByRole('alert').first(), want);
      await page.getByRole('button', { name: 'Add account' }).waitFor();
      assert.deepEqual(env.pageErrors, []);
    } finally {
      await env.close();
    }
  }
});

test('a browser that refuses local storage: the cards still come, and the language still switches', async () => {
  const env = await launch();
  try {
    const { page } = env;
    // As a browser with site data blocked does: reading the property throws.
    await page.addInitScript(() => Object.defineProperty(window, 'localStorage', {
      get() { throw new DOMException('The operation is insecure.', 'SecurityError'); },
    }));
    await loaded(env);
    await page.getByRole('combobox', { name: 'Language' }).selectOption('tr');
    await page.getByRole('combobox', { name: 'Dil' }).waitFor();
    await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'tr');
    assert.deepEqual(env.pageErrors, []);
  } finally {
    await env.close();
  }
});

test('bad credentials show the provider\'s refusal on that account only', async () => {
  const env = await launch({
    accounts: (urls) => [
      { provider: 'ilkbyte', label: 'Wrong keys', base_url: urls.ilkbyte, access_key: 'demo-access', secret_key: 'nope' },
      { provider: 'vpsorg', label: 'Wrong token', base_url: urls.vpsorg, token: 'nope' },
      ...defaultAccounts(urls),
    ],
  });
  try {
    const { page } = env;
    await page.goto(env.urls.panel);
    await text(account(page, 'Wrong keys').getByRole('alert'), /refused the credentials: Invalid access or secret key!/);
    await text(account(page, 'Wrong token').getByRole('alert'), /refused the credentials: Invalid token\./);
    await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
    assert.deepEqual(env.pageErrors, []);
  } finally {
    await env.close();
  }
});

test('500s, garbage and timeouts keep the last good data, marked stale, with a retry', async () => {
  const env = await launch({ proxyArgs: ['--timeout', '1'] });
  try {
    const { page } = env;
    await loaded(env);
    const web01 = server(page, 'Demo ilkbyte', 'web01');
    const vps = account(page, 'Demo VPS.org');

    await env.sim.faults({ error_rate: 1.0 });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await text(web01.getByRole('alert'), /HTTP 500/);
    await text(vps.getByRole('alert'), /HTTP 500/);
    await text(web01, /Showing the last good data/);
    assert.equal(await web01.getByRole('article').count(), 3, 'cards stay');

    await env.sim.faults({ garbage_rate: 1.0 });
    await web01.getByRole('button', { name: 'Retry' }).click();
    await text(web01.getByRole('alert'), /not JSON|no status|no snapshots/);
    assert.equal(await web01.getByRole('article').count(), 3, 'cards stay');

    // Requests that hang: the proxy gives up after 1 s with a 504.
    await env.sim.faults({ hang_rate: 1.0, hang_seconds: 30 });
    await web01.getByRole('button', { name: 'Retry' }).click();
    await text(web01.getByRole('alert'), /did not answer within 1 s/);
    assert.equal(await web01.getByRole('article').count(), 3, 'cards stay');

    // Healthy again: Retry clears the error and the stale mark.
    await env.sim.faults({});
    await web01.getByRole('button', { name: 'Retry' }).click();
    await until(async () => (await web01.getByRole('alert').count()) === 0, 15_000, 'error cleared');
    await until(async () => !/Showing the last good data/.test(await web01.innerText()), 5_000, 'not stale');
    assert.deepEqual(env.pageErrors, [], 'nothing panicked');
  } finally {
    await env.close();
  }
});

test("VPS.org: one list's answer does not clear the other list's failure", async () => {
  const env = await launch({});
  try {
    const { page } = env;
    await loaded(env);
    const vps = account(page, 'Demo VPS.org');
    const web = server(page, 'Demo VPS.org', 'web-server-01');
    // Each list answers after the other has failed.
    const answered = { servers: 0, snapshots: 0 };
    const slowly = (list) => async (route) => {
      await new Promise((r) => setTimeout(r, 700));
      await route.continue();
      answered[list] += 1;
    };
    const failing = (route) => route.fulfill({ status: 500, body: 'down' });

    // The snapshot list fails; the server list then answers well.
    await page.route('**/vpsorg/api/v1/snapshots/**', failing);
    await page.route('**/vpsorg/api/v1/servers/**', slowly('servers'));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await text(vps.getByRole('alert'), /HTTP 500/);
    await until(() => answered.servers > 0, 10_000, 'the server list answered');
    await new Promise((r) => setTimeout(r, 500));
    await text(vps.getByRole('alert'), /HTTP 500/, 1_000);
    await text(web, /Showing the last good data/, 1_000);
    assert.equal(await web.getByRole('article').count(), 5, 'cards stay');

    // The other way round: the server list fails, the snapshot list then
    // answers well.
    await page.unrouteAll();
    await page.route('**/vpsorg/api/v1/servers/**', failing);
    await page.route('**/vpsorg/api/v1/snapshots/**', slowly('snapshots'));
    await vps.getByRole('alert').getByRole('button', { name: 'Retry' }).click();
    await until(() => answered.snapshots > 0, 10_000, 'the snapshot list answered');
    await new Promise((r) => setTimeout(r, 500));
    await text(vps.getByRole('alert'), /HTTP 500/, 1_000);

    // Both well: the alert goes.
    await page.unrouteAll();
    await vps.getByRole('alert').getByRole('button', { name: 'Retry' }).click();
    await until(async () => (await vps.getByRole('alert').count()) === 0, 10_000, 'error cleared');
    assert.equal(await web.getByRole('article').count(), 5);
    assert.deepEqual(env.pageErrors, [], 'nothing panicked');
  } finally {
    await env.close();
  }
});

test('a direct call to a provider without CORS says a proxy may be needed', async () => {
  const env = await launch({
    config: (urls) => ({
      proxy: urls.proxy,
      accounts: [
        { provider: 'ilkbyte', label: 'Direct ilkbyte', base_url: urls.ilkbyte,
          access_key: 'demo-access', secret_key: 'demo-secret', proxy: '' },
        defaultAccounts(urls)[1],
      ],
    }),
  });
  try {
    const { page } = env;
    await page.goto(env.urls.panel);
    await text(account(page, 'Direct ilkbyte').getByRole('alert'), /may need a CORS proxy/);
    await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
  } finally {
    await env.close();
  }
});

test('a hidden tab sends no requests; a visible one refreshes at once', async () => {
  const env = await launch({ opSeconds: 60 });
  try {
    const { page } = env;
    await loaded(env);
    // db-server-01 has a snapshot in progress: its list is polled fast.
    const before = await requestCount(env.sim);
    await new Promise((r) => setTimeout(r, 4_000));
    assert.ok((await requestCount(env.sim)) > before, 'a visible tab polls the busy list');

    const setVisibility = (state) => page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
      Object.defineProperty(document, 'hidden', { value: s === 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    await setVisibility('hidden');
    await new Promise((r) => setTimeout(r, 500));
    const hidden = await requestCount(env.sim);
    await new Promise((r) => setTimeout(r, 7_000));
    assert.equal(await requestCount(env.sim), hidden, 'requests while hidden');

    await setVisibility('visible');
    await until(async () => (await requestCount(env.sim)) > hidden, 2_000, 'refresh on becoming visible');
  } finally {
    await env.close();
  }
});

test('the dialogs\' part (with the overview) is fetched in the background as the page starts; one that cannot be fetched closes with a message, and the next try fetches it', async () => {
  const env = await launch();
  try {
    const { page } = env;
    let fetches = 0;
    let offline = true;
    const asked = new Set();
    await page.route(/\/split_dialogs[^/]*\.wasm$/, async (route) => {
      fetches += 1;
      asked.add(new URL(route.request().url()).pathname.slice(1));
      if (offline) await route.abort('internetdisconnected');
      else await route.continue();
    });
    await loaded(env);
    await until(() => fetches === 1, 10_000, 'the dialogs fetched in the background');
    // A fetch in the background that fails says nothing: nobody asked.
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('alert').count(), 0);
    // The overview is drawn by the part: until it comes, its place is kept.
    const overview = page.getByRole('region', { name: 'Overview' });
    assert.equal(await overview.count(), 0);
    assert.equal(await page.locator('.overview-wait').count(), 1);

    const settings = page.getByRole('button', { name: 'Settings' });
    await settings.click();
    await text(page.getByRole('alert'), /could not be loaded\. Check the connection and try again; if Snapdeck was updated/);
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.equal(fetches, 2);
    // The page keeps working, its cards on screen.
    await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();

    offline = false;
    await settings.click();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.equal(fetches, 3);
    // The overview came with it, in the place kept for it.
    await text(overview, /6 servers/);
    assert.equal(await page.locator('.overview-wait').count(), 0);
    // Fetched once: every other dialog opens without another fetch.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('dialog', { name: 'Add account' }).waitFor();
    assert.equal(fetches, 3);
    // The only errors are the two failed fetches, logged by the loader.
    assert.equal(env.pageErrors.length, 2, env.pageErrors.join('\n'));
    // The part's name carries its content's hash: a page opened before a
    // deploy cannot link a part built for another main module.
    assert.equal(asked.size, 1);
    const [name] = asked;
    const hash = name.match(/^split_dialogs-([0-9a-f]{16})\.wasm$/)?.[1];
    assert.ok(hash, `a hashed name: ${name}`);
    const bytes = readFileSync(join(process.env.DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist'), name));
    assert.equal(createHash('sha256').update(bytes).digest('hex').slice(0, 16), hash);
  } finally {
    await env.close();
  }
});

test('the styles of what the part draws come after the panel starts, checked by their hash, and style the dialogs', async () => {
  const env = await launch();
  try {
    const { page } = env;
    await page.goto(env.urls.panel);
    await page.getByRole('region', { name: 'Overview' }).waitFor();
    // Added by boot.js with the hash scripts/minify.mjs wrote: a sheet
    // whose bytes do not match it is refused, and never has rules.
    const rules = () => page.evaluate(() => document.querySelector('link[href$="later.css"]')?.sheet?.cssRules.length ?? 0);
    await until(async () => (await rules()) > 0, 5_000, 'later.css loaded and accepted');
    const sheet = await page.evaluate(() => {
      const link = document.querySelector('link[href$="later.css"]');
      return link && { integrity: link.integrity, rules: link.sheet?.cssRules.length ?? 0 };
    });
    assert.ok(sheet, 'later.css is on the page');
    assert.match(sheet.integrity, /^sha384-/);
    assert.ok(sheet.rules > 20, `its rules apply (${sheet.rules})`);
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => getComputedStyle(d).borderTopLeftRadius), '8px');
    assert.deepEqual(env.pageErrors, []);
  } finally {
    await env.close();
  }
});

test('"Before an update" while the dialogs\' part is on its way: the plan starts when it comes', async () => {
  const env = await launch();
  try {
    const { page } = env;
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let fetches = 0;
    await page.route(/\/split_dialogs[^/]*\.wasm$/, async (route) => {
      fetches += 1;
      await held;
      await route.continue();
    });
    await loaded(env);
    const mail = server(page, 'Demo ilkbyte', 'mail01');
    const plan = mail.getByRole('region', { name: /^Snapshot before an update: preupdate\d{12}/ });
    await mail.getByRole('button', { name: 'Before an update' }).click();
    await until(() => fetches >= 1, 5_000, 'the part asked for');
    await page.waitForTimeout(500);
    assert.equal(await plan.count(), 0, 'nothing is sent before the part is here');
    release();
    await text(plan, /is ready\. Update the server/, 30_000);
    assert.equal(await mail.getByRole('alert').count(), 0);
    assert.deepEqual(env.pageErrors, []);
  } finally {
    await env.close();
  }
});

test('a card\'s menu opened before the dialogs\' part says it is loading, then shows its items; one that cannot come closes with a message', async () => {
  const env = await launch();
  try {
    const { page } = env;
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let offline = false;
    let fetches = 0;
    await page.route(/\/split_dialogs[^/]*\.wasm$/, async (route) => {
      fetches += 1;
      if (offline) return route.abort('internetdisconnected');
      await held;
      await route.continue();
    });
    await loaded(env);
    const nightly = card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly');
    const more = nightly.getByRole('button', { name: 'More actions for nightly' });
    await more.click();
    const menu = nightly.getByRole('menu');
    // One entry that says so and does nothing; the focus stays on the
    // button until the items come.
    await text(menu.getByRole('menuitem'), /^Loading…$/);
    assert.equal(await menu.getAttribute('aria-busy'), 'true');
    assert.equal(await menu.getByRole('menuitem').getAttribute('aria-disabled'), 'true');
    assert.ok(await more.evaluate((el) => el === document.activeElement), 'the focus on the button');
    release();
    // The items come, and the focus goes to the first, as when the part
    // was already here.
    await until(async () => (await menu.getByRole('menuitem').count()) > 1, 10_000, 'the items drawn');
    assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), ['Recreate', 'Schedule', 'Remove schedule', 'Protect', 'Delete']);
    await until(() => page.evaluate(() => document.activeElement?.textContent.trim() === 'Recreate'), 3_000, 'first item focused');
    assert.equal(await menu.getAttribute('aria-busy'), 'false');
    // An item drawn by the part runs: Protect marks the card.
    await menu.getByRole('menuitem', { name: 'Protect' }).click();
    await text(nightly, /Protected/);
    assert.deepEqual(env.pageErrors, []);

    // A page whose part cannot come: the menu closes, the page says why.
    offline = true;
    await loaded(env);
    const again = card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly');
    await until(() => fetches >= 2, 10_000, 'the background fetch tried');
    await again.getByRole('button', { name: 'More actions for nightly' }).click();
    await text(page.getByRole('alert').filter({ hasText: 'could not be loaded' }), /Check the connection and try again/);
    assert.equal(await page.getByRole('menu').count(), 0, 'the menu closed');
    assert.equal(await again.getByRole('button', { name: 'More actions for nightly' }).getAttribute('aria-expanded'), 'false');
    // One try in the background, one for the menu: no retry loop.
    await page.waitForTimeout(500);
    assert.equal(fetches, 3);
    await card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly').waitFor();
  } finally {
    await env.close();
  }
});
