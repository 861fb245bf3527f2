// Every snapshot operation on each provider goes pending → settled, live.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../harness.mjs';
import {
  act, offersMore, fieldSays,
  server, card, text, until, markPage, assertNotReloaded, requestCount, requestsSince, confirmWithName, setSafety,
} from '../helpers.mjs';

let env;
let page;
before(async () => {
  env = await launch({ opSeconds: 1.5 });
  page = env.page;
  await page.goto(env.urls.panel);
  await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await card(page, server(page, 'Demo VPS.org', 'staging-01'), 'staging-clean').waitFor();
  await markPage(page);
});
after(async () => {
  if (env) assert.deepEqual(env.pageErrors, []);
  await env?.close();
});

test('ilkbyte: an invalid name is refused in the form and nothing is sent', async () => {
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const sent = await requestCount(env.sim);
  await web01.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('has-hyphen');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await fieldSays(dialog, 'Name', /letters and digits only/i);
  // A name that exists already is refused too (ilkbyte names are keys).
  await dialog.getByLabel('Name').fill('base');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await fieldSays(dialog, 'Name', /already exists/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  const creates = (await requestsSince(env.sim, sent)).filter((r) => r.includes('/create'));
  assert.deepEqual(creates, []);
});

test('ilkbyte: create shows Creating… at once, then the new current snapshot', async () => {
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  await web01.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('fresh1');
  const sent = await requestCount(env.sim);
  await dialog.getByRole('button', { name: 'Create' }).click();
  const fresh = card(page, web01, 'fresh1');
  await text(fresh, /Creating…/, 2_000);
  await text(fresh, /Completed/);
  await text(fresh, /Current/);
  await text(fresh, /Parent\s+preupgrade/);
  // Sent exactly once.
  const creates = (await requestsSince(env.sim, sent)).filter((r) => r.endsWith('/snapshot/create'));
  assert.equal(creates.length, 1);
  assert.doesNotMatch(await card(page, web01, 'preupgrade').innerText(), /Current/);
});

test('ilkbyte: revert needs the name typed, then the snapshot becomes current', async () => {
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const experiment = card(page, web01, 'experiment');
  await confirmWithName(page, experiment.getByRole('button', { name: 'Revert' }), 'Revert server', 'experiment');
  await text(experiment, /Reverting…/, 2_000);
  assert.equal(await offersMore(experiment), false, 'no second operation while pending');
  await text(experiment, /Current/);
  await text(experiment, /Completed/);
});

test('ilkbyte: recreate re-takes the snapshot (a new date)', async () => {
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const base = card(page, web01, 'base');
  assert.match(await base.innerText(), /30 days ago/);
  await confirmWithName(page, () => act(base, 'Recreate'), 'Recreate snapshot', 'base');
  await text(base, /Recreating…/, 2_000);
  await text(base, /just now/);
  await text(base, /Completed/);
});

test('ilkbyte: schedule every 2 days at 04:05, then remove it', async () => {
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const base = card(page, web01, 'base');
  await act(base, 'Schedule');
  const dialog = page.getByRole('dialog', { name: 'Schedule snapshot' });
  await dialog.getByLabel('Every (days)').fill('0');
  await dialog.getByRole('button', { name: 'Save schedule' }).click();
  await fieldSays(dialog, 'Every (days)', /From 1 to 365 days/);
  await dialog.getByLabel('Every (days)').fill('2');
  await dialog.getByLabel('Hour').fill('4');
  await dialog.getByLabel('Minute').fill('5');
  await dialog.getByRole('button', { name: 'Save schedule' }).click();
  await text(base, /Scheduling…/, 2_000);
  await text(base, /Every 2 days at 04:05/);
  await text(base, /Her 2 günde bir 04:05 saatinde/);
  await until(() => offersMore(base), 10_000, 'actions offered again');
  // Removing a schedule asks first, like the other destructive actions.
  await confirmWithName(page, () => act(base, 'Remove schedule'), 'Remove schedule', 'base');
  await text(base, /Removing schedule…/, 2_000);
  await until(async () => !/Every 2 days/.test(await base.innerText()), 15_000, 'schedule removed');
  await until(() => offersMore(base), 10_000, 'actions offered again');
  await base.getByRole('button', { name: /^More actions/ }).click();
  assert.equal(await base.getByRole('menuitem', { name: 'Remove schedule' }).count(), 0, 'no schedule to remove');
  await page.keyboard.press('Escape');
  assert.doesNotMatch(await base.innerText(), /Every 2 days/);
});

test('ilkbyte: delete removes the card', async () => {
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const experiment = card(page, web01, 'experiment');
  await confirmWithName(page, () => act(experiment, 'Delete'), 'Delete snapshot', 'experiment');
  await text(experiment, /Deleting…/, 2_000);
  await until(async () => (await experiment.count()) === 0, 15_000, 'card gone');
});

test('ilkbyte: a provider refusal shows in the dialog of the card it concerns, once', async () => {
  const db01 = server(page, 'Demo ilkbyte', 'db01');
  // Someone else deletes the snapshot at the provider; the card is stale.
  const url = `${env.urls.ilkbyte}/server/manage/db01/snapshot/delete?access=demo-access&secret=demo-secret&name=beforemigration`;
  assert.equal((await (await fetch(url)).json()).status, true);
  await new Promise((r) => setTimeout(r, 1_700));
  const before = card(page, db01, 'beforemigration');
  await before.getByRole('button', { name: 'Revert' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revert server' });
  await setSafety(dialog, false);
  await dialog.getByLabel('Type the snapshot name to confirm').fill('beforemigration');
  await dialog.getByRole('button', { name: 'Revert server' }).click();
  await text(dialog.getByRole('alert'), /Snapshot not found!/);
  assert.equal(await dialog.getByLabel('Type the snapshot name to confirm').inputValue(), 'beforemigration');
  assert.equal(await before.getByRole('alert').count(), 0, 'said once, in the dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // The refusal made the panel look again: the card goes.
  await until(async () => (await before.count()) === 0, 15_000, 'stale card gone');
});

test('VPS.org: invalid names are refused and nothing is sent', async () => {
  const staging = server(page, 'Demo VPS.org', 'staging-01');
  const sent = await requestCount(env.sim);
  await staging.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('has space');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await fieldSays(dialog, 'Name', /hyphens and underscores/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const posts = (await requestsSince(env.sim, sent)).filter((r) => r.startsWith('POST'));
  assert.deepEqual(posts, []);
});

test('VPS.org: create goes in progress, then completed with a size', async () => {
  const staging = server(page, 'Demo VPS.org', 'staging-01');
  await staging.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('before-upgrade_2');
  await dialog.getByLabel('Description').fill('Before the kernel upgrade');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const fresh = card(page, staging, 'before-upgrade_2');
  await text(fresh, /Creating…/, 2_000);
  await text(fresh, /Completed/);
  await text(fresh, /Before the kernel upgrade/);
  await text(fresh, /\d+(\.\d)? (GB|MB)/);
  await text(staging, /2 \/ 5 snapshots/);
});

test('VPS.org: restore stops the server, shows Restoring…, then settles', async () => {
  const staging = server(page, 'Demo VPS.org', 'staging-01');
  const clean = card(page, staging, 'staging-clean');
  await clean.getByRole('button', { name: 'Restore' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore snapshot' });
  assert.match(await dialog.innerText(), /overwrite all of its current data/);
  assert.match(await dialog.innerText(), /cannot be undone/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await confirmWithName(page, clean.getByRole('button', { name: 'Restore' }), 'Restore snapshot', 'staging-clean');
  await text(clean, /Restoring…/, 2_000);
  await text(staging.locator('.server-status'), /Restoring…/, 5_000);
  await text(staging.locator('.server-status'), /active/);
  await text(clean, /Completed/);
});

test('VPS.org: a create refused at the limit is explained, and the count catches up', async () => {
  const staging = server(page, 'Demo VPS.org', 'staging-01');
  await text(staging, /2 \/ 5 snapshots/);
  // Another client fills the server up behind the panel's back.
  for (const name of ['other-1', 'other-2', 'other-3']) {
    const r = await fetch(`${env.urls.vpsorg}/snapshots/`, {
      method: 'POST',
      headers: { Authorization: 'Bearer demo-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ server_id: 12347, name }),
    });
    assert.equal(r.status, 201);
  }
  await staging.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('one-too-many');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await text(dialog.getByRole('alert'), /Snapshot limit reached/);
  await text(dialog, /staging-01 has 5 of the 5 snapshots VPS.org allows: delete one to make room/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await text(staging, /5 \/ 5 snapshots/);
  // No room for a snapshot before an update; New snapshot offers to replace.
  assert.equal(await staging.getByRole('button', { name: 'Before an update' }).isDisabled(), true);
  assert.equal(await card(page, staging, 'one-too-many').count(), 0, 'no card is left for a refused create');
});

test('VPS.org: delete at the limit frees a place for a new snapshot', async () => {
  const web = server(page, 'Demo VPS.org', 'web-server-01');
  await text(web, /5 \/ 5 snapshots/);
  assert.equal(await web.getByRole('button', { name: 'Before an update' }).isDisabled(), true);
  const initial = card(page, web, 'initial-setup');
  await confirmWithName(page, () => act(initial, 'Delete'), 'Delete snapshot', 'initial-setup');
  // VPS.org deletes at once (204): the first poll may already settle it.
  await until(async () => (await initial.count()) === 0, 15_000, 'card gone');
  await text(web, /4 \/ 5 snapshots/);
  assert.equal(await web.getByRole('button', { name: 'Before an update' }).isDisabled(), false);
});

test('no reload happened', async () => {
  await assertNotReloaded(page);
});
