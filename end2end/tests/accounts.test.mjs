// A real user arrives with keys, not a snapdeck.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch } from '../harness.mjs';
import { account, server, card, text, until, fieldSays } from '../helpers.mjs';

const PASSPHRASE = 'correct horse battery staple';

test('add, test, save, remember encrypted, unlock, edit, remove, forget', async () => {
  // No preset accounts: only the default proxy.
  const env = await launch({ config: (urls) => ({ proxy: urls.proxy, accounts: [] }) });
  try {
    const { page, urls } = env;
    await page.goto(urls.panel);
    await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();

    // ilkbyte, with a wrong secret first.
    await page.getByRole('button', { name: 'Add account' }).click();
    const form = page.getByRole('dialog', { name: 'Add account' });
    assert.equal(await form.getByLabel('Provider').inputValue(), 'ilkbyte');
    assert.equal(await form.getByLabel('API base URL').inputValue(), 'https://api.ilkbyte.com');
    assert.equal(await form.getByLabel('CORS proxy').inputValue(), urls.proxy, 'prefilled from snapdeck.json');
    await form.getByLabel('Label').fill('My ilkbyte');
    await form.getByLabel('API base URL').fill(urls.ilkbyte);
    await form.getByLabel('Access key').fill('demo-access');
    await form.getByLabel('Secret key').fill('wrong-secret');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await text(form.getByRole('alert'), /refused the credentials: Invalid access or secret key!/);
    // Save right after a failed test asks first, and saves nothing yet.
    await form.getByRole('button', { name: 'Save' }).click();
    await text(form.getByRole('alert').filter({ hasText: 'anyway' }), /Save the account anyway\?/);
    assert.equal(await form.getByRole('button', { name: 'Save anyway' }).count(), 1);
    assert.equal(await page.getByRole('region', { name: 'My ilkbyte' }).count(), 0, 'not saved yet');
    await form.getByLabel('Secret key').fill('demo-secret');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await text(form.getByRole('status'), /Connected: Snapdeck Demo/);
    await form.getByRole('button', { name: 'Save' }).click();
    await card(page, server(page, 'My ilkbyte', 'web01'), 'preupgrade').waitFor();

    // VPS.org: the fields follow the provider.
    await page.getByRole('button', { name: 'Add account' }).click();
    await form.getByLabel('Provider').selectOption({ label: 'VPS.org' });
    assert.equal(await form.getByLabel('API base URL').inputValue(), 'https://admin.vps.org/api/v1');
    assert.equal(await form.getByLabel('Access key').count(), 0);
    await form.getByLabel('Label').fill('My ilkbyte');
    await form.getByLabel('API base URL').fill(urls.vpsorg);
    await form.getByLabel('API token').fill('demo-token');
    await form.getByRole('button', { name: 'Save' }).click();
    await fieldSays(form, 'Label', /already labelled/);
    await form.getByLabel('Label').fill('My VPS.org');
    await form.getByRole('button', { name: 'Save' }).click();
    await card(page, server(page, 'My VPS.org', 'web-server-01'), 'initial-setup').waitFor();

    // Nothing is stored until asked.
    assert.equal(await page.evaluate(() => localStorage.length), 0);

    // Remember, encrypted.
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    await settings.getByLabel('Remember, encrypted with a passphrase').check();
    await settings.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await settings.getByLabel('Repeat passphrase').fill(`${PASSPHRASE}!`);
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await text(settings.getByRole('alert'), /differ/);
    await settings.getByLabel('Repeat passphrase').fill(PASSPHRASE);
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await text(settings.getByRole('status'), /encrypted with your passphrase/);

    // Export: labels and URLs, never a key.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      settings.getByRole('button', { name: 'Export accounts' }).click(),
    ]);
    const exported = await readFile(await download.path(), 'utf8');
    assert.match(exported, /^\{\n  "accounts": \[\n    \{\n      "provider": "ilkbyte",/, 'indented for people');
    assert.match(exported, /My ilkbyte/);
    assert.match(exported, /My VPS\.org/);
    for (const secret of ['demo-secret', 'demo-access', 'demo-token']) {
      assert.ok(!exported.includes(secret), `export holds ${secret}`);
    }
    await settings.getByRole('button', { name: 'Close' }).click();

    const stored = await until(async () => {
      const dump = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      return dump.includes('encrypted') ? dump : null;
    }, 10_000, 'vault written');
    for (const secret of ['demo-secret', 'demo-access', 'demo-token', PASSPHRASE]) {
      assert.ok(!stored.includes(secret), `local storage holds ${secret}`);
    }

    // A new visit asks for the passphrase before loading those accounts.
    await page.reload();
    const unlock = page.getByRole('dialog', { name: 'Unlock saved accounts' });
    await unlock.waitFor();
    await text(account(page, 'My ilkbyte').getByRole('alert'), /Locked/);
    await unlock.getByLabel('Passphrase').fill('not the passphrase');
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    await text(unlock.getByRole('alert'), /Wrong passphrase/);
    await unlock.getByLabel('Passphrase').fill(PASSPHRASE);
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    await unlock.waitFor({ state: 'detached' });
    await card(page, server(page, 'My ilkbyte', 'web01'), 'preupgrade').waitFor();
    await card(page, server(page, 'My VPS.org', 'web-server-01'), 'initial-setup').waitFor();

    // Edit: a new label.
    await page.getByRole('button', { name: 'Edit My VPS.org' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit account' });
    assert.equal(await edit.getByLabel('API token').inputValue(), 'demo-token');
    await edit.getByLabel('Label').fill('Staging VPS.org');
    await edit.getByRole('button', { name: 'Save' }).click();
    await card(page, server(page, 'Staging VPS.org', 'web-server-01'), 'initial-setup').waitFor();

    // Remove asks first.
    await page.getByRole('button', { name: 'Remove Staging VPS.org' }).click();
    const remove = page.getByRole('dialog', { name: 'Remove account' });
    await remove.getByRole('button', { name: 'Remove account' }).click();
    await until(async () => (await account(page, 'Staging VPS.org').count()) === 0, 5_000, 'account removed');

    // Forget everything: gone, now and on the next visit.
    await page.getByRole('button', { name: 'Settings' }).click();
    await settings.getByRole('button', { name: 'Forget everything' }).click();
    await text(settings.getByRole('status'), /removed/);
    await settings.getByRole('button', { name: 'Close' }).click();
    assert.equal(await account(page, 'My ilkbyte').count(), 0);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    await page.reload();
    await page.getByRole('heading', { name: 'No accounts yet' }).waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.deepEqual(env.pageErrors, []);
  } finally {
    await env.close();
  }
});

test('a preset without secrets asks for them', async () => {
  const env = await launch({
    config: (urls) => ({ proxy: urls.proxy, accounts: [{ provider: 'vpsorg', label: 'Team VPS.org', base_url: urls.vpsorg }] }),
  });
  try {
    const { page } = env;
    await page.goto(env.urls.panel);
    await text(account(page, 'Team VPS.org').getByRole('alert'), /no credentials yet/);
    await page.getByRole('button', { name: 'Edit Team VPS.org' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit account' });
    await edit.getByLabel('API token').fill('demo-token');
    await edit.getByRole('button', { name: 'Save' }).click();
    await card(page, server(page, 'Team VPS.org', 'web-server-01'), 'initial-setup').waitFor();
  } finally {
    await env.close();
  }
});

test('import adds the accounts of a file, without keys, and skips labels that exist', async () => {
  const env = await launch({
    config: (urls) => ({ proxy: urls.proxy, accounts: [{ provider: 'ilkbyte', label: 'Existing', base_url: urls.ilkbyte }] }),
  });
  try {
    const { page, urls } = env;
    await page.goto(urls.panel);
    await account(page, 'Existing').waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    const file = JSON.stringify({
      accounts: [
        { provider: 'vpsorg', label: 'Imported VPS.org', base_url: urls.vpsorg, proxy: urls.proxy },
        { provider: 'ilkbyte', label: 'Existing', base_url: urls.ilkbyte },
      ],
    });
    await settings.getByLabel('Import accounts').setInputFiles({ name: 'accounts.json', mimeType: 'application/json', buffer: Buffer.from(file) });
    await text(settings.getByRole('status'), /Imported 1 account\(s\); 1 skipped/);
    await settings.getByRole('button', { name: 'Close' }).click();
    await text(account(page, 'Imported VPS.org').getByRole('alert'), /no credentials yet/);

    await page.getByRole('button', { name: 'Settings' }).click();
    await settings.getByLabel('Import accounts').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"accounts": 7}') });
    await text(settings.getByRole('alert'), /not valid/);
  } finally {
    await env.close();
  }
});
