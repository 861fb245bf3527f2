// The console as people use it: on a phone, with a keyboard or a screen
// reader, in dark mode. axe-core (injected through the DevTools protocol,
// so the page's CSP stays as it is) audits every view and dialog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../harness.mjs';
import {
  server, card, until, act, fieldSays, requestCount, requestsSince, setSafety, violations, overflow,
} from '../helpers.mjs';

let env;
let page;
before(async () => {
  env = await launch({ opSeconds: 20 });
  page = env.page;
});
after(async () => {
  if (env) assert.deepEqual(env.pageErrors, []);
  await env?.close();
});

const ready = async () => {
  await page.goto(env.urls.panel);
  await card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly').waitFor();
  await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
};

/** Each dialog and the menu, opened from the page, with how to close it. */
const views = [
  ['main view', async () => {}],
  ['the More actions menu', async () => {
    await card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly').getByRole('button', { name: /^More actions/ }).click();
    await page.getByRole('menu').waitFor();
  }],
  ['New snapshot', async () => {
    await server(page, 'Demo VPS.org', 'db-server-01').getByRole('button', { name: 'New snapshot' }).click();
  }],
  ['New snapshot with a problem', async () => {
    await server(page, 'Demo ilkbyte', 'web01').getByRole('button', { name: 'New snapshot' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await fieldSays(page.getByRole('dialog'), 'Name', /Enter a name/);
  }],
  ['Schedule snapshot', async () => act(card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly'), 'Schedule')],
  ['Delete snapshot', async () => act(card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly'), 'Delete')],
  ['Revert server', async () => act(card(page, server(page, 'Demo ilkbyte', 'web01'), 'base'), 'Revert')],
  ['Add account', async () => page.getByRole('button', { name: 'Add account' }).click()],
  ['Settings', async () => page.getByRole('button', { name: 'Settings' }).click()],
  ['Remove account', async () => page.getByRole('button', { name: 'Remove Demo VPS.org' }).click()],
];

for (const scheme of ['light', 'dark']) {
  for (const width of [1280, 390, 320]) {
    test(`axe-core finds nothing and nothing scrolls sideways: ${scheme}, ${width} px`, async () => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 800 });
      await ready();
      const found = [];
      for (const [name, open] of views) {
        await open();
        await page.waitForTimeout(100);
        const wide = await overflow(page);
        if (wide.length) found.push(`${name}: ${wide.join('; ')}`);
        // axe at the two widths the console is judged at; 320 px for fit.
        if (width !== 320) for (const v of await violations(page)) found.push(`${name}: ${v}`);
        await page.keyboard.press('Escape');
        await until(async () => (await page.locator('dialog[open], [role=menu]').count()) === 0, 3_000, `${name} closed`);
      }
      assert.deepEqual(found, []);
    });
  }
}

test('the menu follows the menu-button pattern from the keyboard', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await ready();
  const nightly = card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly');
  const more = nightly.getByRole('button', { name: 'More actions for nightly' });
  await more.focus();
  assert.equal(await more.getAttribute('aria-haspopup'), 'menu');
  assert.equal(await more.getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('Enter');
  const focused = () => page.evaluate(() => document.activeElement?.textContent.trim());
  await until(async () => (await focused()) === 'Recreate', 3_000, 'first item focused');
  assert.equal(await more.getAttribute('aria-expanded'), 'true');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Schedule');
  await page.keyboard.press('End');
  assert.equal(await focused(), 'Delete', 'Delete comes last, set apart');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Recreate', 'wraps around');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'Delete');
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('menu').count(), 0);
  assert.equal(await focused(), 'More▾', 'Escape gives the focus back to the button');
  // ArrowUp opens on the last item; Space runs the focused one.
  await page.keyboard.press('ArrowUp');
  await until(async () => (await focused()) === 'Delete', 3_000, 'last item focused');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await page.getByRole('dialog', { name: 'Schedule snapshot' }).waitFor();
  await page.keyboard.press('Escape');
  await until(async () => (await focused()) === 'More▾', 3_000, 'focus back on the menu button');
});

test('a menu at the bottom of the window opens upward, whole; one with room below opens downward', async () => {
  await page.setViewportSize({ width: 390, height: 700 });
  await ready();
  const nightly = card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly');
  const more = nightly.getByRole('button', { name: 'More actions for nightly' });
  // Where the menu lies against its button and the window.
  const placed = async () => {
    await page.getByRole('menu').getByRole('menuitem', { name: 'Delete' }).waitFor();
    return page.evaluate(() => {
      const list = document.querySelector('[role="menu"]').getBoundingClientRect();
      const button = document.querySelector('.menu-button[aria-expanded="true"]').getBoundingClientRect();
      return { above: list.bottom <= button.top, top: list.top, bottom: list.bottom, window: innerHeight };
    });
  };
  for (const [where, block] of [['bottom', 'end'], ['middle', 'center']]) {
    // The card's actions at the window's bottom edge, or in its middle.
    await more.evaluate((b, at) => b.scrollIntoView({ block: at }), block);
    const scrolled = await page.evaluate(() => scrollY);
    await more.click();
    const menu = await placed();
    assert.ok(menu.top >= 0 && menu.bottom <= menu.window, `${where}: the menu is within the window (${JSON.stringify(menu)})`);
    assert.equal(menu.above, where === 'bottom', `${where}: ${JSON.stringify(menu)}`);
    assert.equal(await page.evaluate(() => scrollY), scrolled, `${where}: the page did not scroll to show it`);
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('menu').count(), 0);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('focus returns to the opener after every dialog, submitted or cancelled', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await ready();
  const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const newSnap = web01.getByRole('button', { name: 'New snapshot' });
  // Cancelled, with the Cancel button and with Escape.
  await newSnap.click();
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await until(() => isFocused(newSnap), 3_000, 'New snapshot focused after Cancel');
  const settings = page.getByRole('button', { name: 'Settings' });
  await settings.click();
  await page.keyboard.press('Escape');
  await until(() => isFocused(settings), 3_000, 'Settings focused after Escape');
  // Submitted: a create, and a revert whose card is then busy.
  await newSnap.click();
  let dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('focuscheck');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });
  await until(() => isFocused(newSnap), 3_000, 'New snapshot focused after Create');
  const base = card(page, web01, 'base');
  const revert = base.getByRole('button', { name: 'Revert', exact: true });
  await revert.click();
  dialog = page.getByRole('dialog', { name: 'Revert server' });
  await setSafety(dialog, false);
  await dialog.getByLabel('Type the snapshot name to confirm').fill('base');
  await dialog.getByRole('button', { name: 'Revert server' }).click();
  await dialog.waitFor({ state: 'detached' });
  await until(() => isFocused(revert), 3_000, 'Revert focused after the revert was sent');
  assert.equal(await revert.getAttribute('aria-disabled'), 'true', 'and it offers nothing while reverting');
  // From the menu: the focus goes back to the menu button.
  const nightly = card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly');
  await act(nightly, 'Delete');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await until(() => isFocused(nightly.getByRole('button', { name: /^More actions/ })), 3_000, 'menu button focused');
});

test('Refresh shows that it runs until every list has answered', async () => {
  await ready();
  // Every list answers a second late.
  await page.route(/\/(server\/list|snapshots)/, async (route) => {
    await new Promise((r) => setTimeout(r, 1_000));
    await route.continue();
  });
  const state = page.locator('#refresh-state');
  assert.equal(await state.innerText(), '');
  await page.getByRole('button', { name: 'Refresh' }).click();
  await until(async () => (await state.innerText()) === 'Refreshing…', 2_000, 'Refreshing… shown');
  await until(async () => (await state.innerText()) === '', 15_000, 'Refreshing… gone');
  await page.unroute(/\/(server\/list|snapshots)/);
});

test('the skip link leads to the accounts', async () => {
  await ready();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the accounts' });
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true, 'first tab stop');
  assert.ok((await skip.boundingBox()).y >= 0, 'visible when focused');
  await page.keyboard.press('Enter');
  await until(() => page.evaluate(() => document.activeElement?.id === 'accounts'), 3_000, 'main focused');
});

test('the live region announces an operation starting and settling', async () => {
  await ready();
  const said = [];
  await page.exposeFunction('__heard', (t) => said.push(t));
  await page.evaluate(() => {
    const region = document.querySelector('[role=status][aria-live=polite]');
    new MutationObserver(() => window.__heard(region.textContent)).observe(region, { childList: true, subtree: true, characterData: true });
  });
  const db01 = server(page, 'Demo ilkbyte', 'db01');
  await db01.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('announced');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await until(() => said.some((t) => /announced/.test(t) && /accepted|Creating|sent/i.test(t)), 5_000, `start announced (${said})`);
  await until(() => said.some((t) => /announced/.test(t) && /done|created|settled|confirmed/i.test(t)), 40_000, `end announced (${said})`);
});

test('each validation problem shows on its own field, and nothing is sent', async () => {
  await ready();
  const sent = await requestCount(env.sim);
  const nightly = card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly');
  await act(nightly, 'Schedule');
  const schedule = page.getByRole('dialog', { name: 'Schedule snapshot' });
  await schedule.getByLabel('Every (days)').fill('400');
  await schedule.getByLabel('Hour').fill('25');
  await schedule.getByLabel('Minute').fill('');
  await schedule.getByRole('button', { name: 'Save schedule' }).click();
  await fieldSays(schedule, 'Every (days)', /From 1 to 365 days/);
  await fieldSays(schedule, 'Hour', /An hour from 0 to 23/);
  await fieldSays(schedule, 'Minute', /Enter a minute/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'schedule-days', 'focus on the first problem');
  await page.keyboard.press('Escape');

  const web = server(page, 'Demo VPS.org', 'db-server-01');
  await web.getByRole('button', { name: 'New snapshot' }).click();
  const create = page.getByRole('dialog', { name: 'New snapshot' });
  await create.getByRole('button', { name: 'Create' }).click();
  await fieldSays(create, 'Name', /Enter a name\./);
  await create.getByLabel('Name').fill('has space');
  assert.equal(await create.getByLabel('Name').getAttribute('aria-invalid'), 'false', 'typing clears the mark');
  await create.getByRole('button', { name: 'Create' }).click();
  await fieldSays(create, 'Name', /hyphens and underscores/);
  const existing = await web.getByRole('article').first().getByRole('heading').innerText();
  await create.getByLabel('Name').fill(existing);
  await create.getByRole('button', { name: 'Create' }).click();
  await fieldSays(create, 'Name', /already has a snapshot named/);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Add account' }).click();
  const form = page.getByRole('dialog', { name: 'Add account' });
  await form.getByRole('button', { name: 'Save' }).click();
  await fieldSays(form, 'Label', /Enter a label/);
  await form.getByLabel('Label').fill('Demo ilkbyte');
  await form.getByRole('button', { name: 'Save' }).click();
  await fieldSays(form, 'Label', /already labelled/);
  await form.getByLabel('Label').fill('Fresh');
  await form.getByRole('button', { name: 'Save' }).click();
  await fieldSays(form, 'Access key', /Enter the access key/);
  await form.getByLabel('Access key').fill('a');
  await form.getByLabel('CORS proxy').fill('not a url');
  await form.getByRole('button', { name: 'Save' }).click();
  await fieldSays(form, 'CORS proxy', /CORS proxy/);
  await page.keyboard.press('Escape');
  const posts = (await requestsSince(env.sim, sent)).filter((r) => !r.startsWith('GET'));
  assert.deepEqual(posts, [], 'nothing sent but lists');
});

test('the account form: hints per provider, and a proxy refusal is not a credentials one', async () => {
  await ready();
  await page.getByRole('button', { name: 'Add account' }).click();
  const form = page.getByRole('dialog', { name: 'Add account' });
  assert.match(await form.innerText(), /ilkbyte sends no CORS headers/);
  await form.getByLabel('Provider').selectOption('vpsorg');
  assert.doesNotMatch(await form.innerText(), /ilkbyte sends no CORS headers/);
  assert.match(await form.innerText(), /VPS\.org API token/);
  await form.getByLabel('Label').fill('Off the allowlist');
  await form.getByLabel('API base URL').fill('http://127.0.0.1:9/api/v1');
  await form.getByLabel('API token').fill('demo-token');
  await form.getByLabel('CORS proxy').fill(env.urls.proxy);
  await form.getByRole('button', { name: 'Test connection' }).click();
  const alert = form.getByRole('alert');
  await until(async () => /did not forward/.test(await alert.innerText().catch(() => '')), 10_000, 'proxy refusal');
  const said = await alert.innerText();
  assert.match(said, /CORS proxy at 127\.0\.0\.1:\d+ did not forward the request to VPS\.org: upstream .* allowlist/);
  assert.doesNotMatch(said, /refused the credentials/);
  await page.keyboard.press('Escape');
});
