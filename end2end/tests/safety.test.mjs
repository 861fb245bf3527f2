// Snapshot safety against the simulator, with operations that outlast
// several polls (8 s each; the first poll comes after 3 s): the overview
// and its filters, a safety snapshot before a restore, replacing the
// oldest at VPS.org's limit, protected snapshots, a clean-up with its
// preview, and a snapshot before an update. The order of the requests is
// read back from the simulator's log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launch } from '../harness.mjs';
import {
  account, server, card, text, until, act, fieldSays, requestCount, requestsSince,
} from '../helpers.mjs';

const OP_SECONDS = 8;

let env;
let page;
before(async () => {
  env = await launch({ opSeconds: OP_SECONDS });
  page = env.page;
  await page.goto(env.urls.panel);
  await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await card(page, server(page, 'Demo VPS.org', 'staging-01'), 'staging-clean').waitFor();
});
after(async () => {
  if (env) assert.deepEqual(env.pageErrors, []);
  await env?.close();
});

/** The names of the server regions on screen (hidden ones are not). */
async function shownServers() {
  const names = [];
  for (const acct of ['Demo ilkbyte', 'Demo VPS.org']) {
    const region = account(page, acct);
    if (!(await region.isVisible())) continue;
    for (const s of await region.getByRole('region').all()) {
      names.push(await s.getAttribute('aria-label'));
    }
  }
  return names.sort();
}

const overview = () => page.getByRole('region', { name: 'Overview' });

/** "A, B, B, B, C" as "A, B ×3, C". */
function squeeze(lines) {
  const out = [];
  for (const l of lines) {
    const last = out[out.length - 1];
    if (last && last.line === l) last.n += 1; else out.push({ line: l, n: 1 });
  }
  return out.map(({ line, n }) => (n > 1 ? `${line} ×${n}` : line));
}

/** Operations the simulator accepted, in order, as "op target". */
async function operations(from = 0) {
  return (await env.sim.stats()).operations.slice(from);
}

test('the summary counts what matters and each item filters the view', async () => {
  // db-server-01's snapshot in progress completes first (half an operation).
  await text(card(page, server(page, 'Demo VPS.org', 'db-server-01'), 'before-update-snapshot'), /Completed/, 20_000);
  const o = overview();
  await text(o, /6 servers/);
  await text(o, /13 snapshots/);
  await text(o, /2 without a snapshot in 7 days/);
  await text(o, /1 late schedule/);
  await text(o, /1 at the snapshot limit/);
  await text(o, /0 operations under way/);

  // The late schedule, on the card and on its server.
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  await text(card(page, web01, 'experiment'), /Schedule late: a run was due 9 days ago/);
  await text(web01.locator('.coverage'), /Schedule of experiment late/);

  await o.getByRole('button', { name: '1 late schedule' }).click();
  assert.deepEqual(await shownServers(), ['web01']);
  assert.equal(await o.getByRole('button', { name: '1 late schedule' }).getAttribute('aria-pressed'), 'true');
  await text(o.locator('.filter-state'), /Showing 1 of 6 servers/);
  await o.getByRole('button', { name: '2 without a snapshot in 7 days' }).click();
  assert.deepEqual(await shownServers(), ['mail01', 'staging-01']);
  await o.getByRole('button', { name: '1 at the snapshot limit' }).click();
  assert.deepEqual(await shownServers(), ['web-server-01']);
  // Pressed again: off.
  await o.getByRole('button', { name: '1 at the snapshot limit' }).click();
  assert.equal((await shownServers()).length, 6);

  const search = o.getByRole('searchbox', { name: 'Search servers and snapshots' });
  await search.fill('nightly');
  assert.deepEqual(await shownServers(), ['db01']);
  await search.fill('SERVER-01');
  assert.deepEqual(await shownServers(), ['db-server-01', 'web-server-01']);
  await search.fill('');
  await o.getByRole('combobox', { name: 'Account' }).selectOption({ label: 'Demo ilkbyte' });
  assert.deepEqual(await shownServers(), ['db01', 'mail01', 'web01']);
  assert.equal(await account(page, 'Demo VPS.org').isVisible(), false, 'the other account is hidden');
  await o.getByRole('combobox', { name: 'Account' }).selectOption({ label: 'All accounts' });
  await o.getByRole('combobox', { name: 'Provider' }).selectOption({ label: 'VPS.org' });
  assert.deepEqual(await shownServers(), ['db-server-01', 'staging-01', 'web-server-01']);
  await o.getByRole('button', { name: 'Show all' }).click();
  assert.equal((await shownServers()).length, 6);

  // Accounts collapse.
  await page.getByRole('button', { name: 'Collapse Demo ilkbyte' }).click();
  assert.equal(await web01.isVisible(), false);
  await page.getByRole('button', { name: 'Expand Demo ilkbyte' }).click();
  await web01.waitFor();
});

test('restore with a safety snapshot: create, the list confirms it, then restore', async () => {
  const staging = server(page, 'Demo VPS.org', 'staging-01');
  const clean = card(page, staging, 'staging-clean');
  const ops = (await env.sim.stats()).operations.length;
  const from = await requestCount(env.sim);
  await clean.getByRole('button', { name: 'Restore' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restore snapshot' });
  const safety = dialog.getByRole('checkbox', { name: 'Take a safety snapshot first' });
  assert.equal(await safety.isChecked(), true, 'on by default with a free slot');
  await dialog.getByLabel('Type the snapshot name to confirm').fill('staging-clean');
  await dialog.getByRole('button', { name: 'Restore snapshot' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });

  const plan = staging.getByRole('region', { name: /^Safety snapshot, then restore staging-clean/ });
  await text(plan, /Create safety\d{12}: under way/);
  await text(plan, /Restore staging-clean: waits/);
  // The target waits: nothing else can be done to it meanwhile.
  assert.equal(await clean.getByRole('button', { name: 'Restore' }).getAttribute('aria-disabled'), 'true');
  await text(plan, /Restore staging-clean: under way/, 30_000);
  await text(plan, /Safety snapshot safety\d{12} taken, then restored from staging-clean/, 40_000);

  const log = await operations(ops);
  console.log(`# safety restore, the simulator's operations: ${log.map((o) => `${o.op} ${o.target}`).join(', ')}`);
  const create = log.find((o) => o.op === 'create');
  const restore = log.find((o) => o.op === 'restore');
  assert.ok(create && restore, 'a create and a restore');
  assert.ok(restore.accepted_ms >= create.done_ms,
    `the restore was sent ${restore.accepted_ms - create.done_ms} ms after the safety snapshot was done`);
  assert.equal(log.indexOf(create) < log.indexOf(restore), true);
  // In the request log: the create, lists until one shows it complete,
  // then the restore.
  const sent = (await requestsSince(env.sim, from)).filter((l) => !l.includes('/servers/'));
  const post = sent.indexOf('POST /vpsorg/api/v1/snapshots/');
  const back = sent.findIndex((l) => /^POST \/vpsorg\/api\/v1\/snapshots\/\d+\/restore\/$/.test(l));
  assert.ok(post >= 0 && back > post, `${sent}`);
  assert.ok(sent.slice(post + 1, back).includes('GET /vpsorg/api/v1/snapshots/'), 'a list between');
  console.log(`# safety restore, the simulator's requests: ${squeeze(sent.slice(post, back + 1)).join(', ')}`);
  // The safety snapshot is a card of its own.
  await card(page, staging, /^safety\d{12}$/).waitFor();
});

test('a safety snapshot that fails means no revert is sent', async () => {
  const db01 = server(page, 'Demo ilkbyte', 'db01');
  const target = card(page, db01, 'beforemigration');
  await target.getByRole('button', { name: 'Revert' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revert server' });
  assert.equal(await dialog.getByRole('checkbox', { name: 'Take a safety snapshot first' }).isChecked(), true);
  await dialog.getByLabel('Type the snapshot name to confirm').fill('beforemigration');
  const from = await requestCount(env.sim);
  await env.sim.faults({ error_rate: 1, only: 'ilkbyte' });
  try {
    await dialog.getByRole('button', { name: 'Revert server' }).click();
    // The refusal, in the dialog, with what was typed.
    await text(dialog.getByRole('alert'), /HTTP 500/);
    const plan = db01.getByRole('region', { name: /^Safety snapshot, then revert beforemigration/ });
    await text(plan, /Nothing was reverted: the safety snapshot safety\d{12} failed/);
    // And on the card that was not reverted.
    await text(target.getByRole('alert'), /Nothing was reverted/);
  } finally {
    await env.sim.faults({ error_rate: 0 });
  }
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // Lists come again; the revert never does.
  await new Promise((r) => setTimeout(r, 4_000));
  const sent = await requestsSince(env.sim, from);
  assert.ok(sent.some((l) => /snapshot\/create/.test(l)), `the create was sent: ${sent}`);
  assert.equal(sent.filter((l) => /revert/.test(l)).length, 0, `no revert: ${sent}`);
  await db01.getByRole('region', { name: /^Safety snapshot/ }).getByRole('button', { name: 'Dismiss' }).click();
});

test('protected snapshots are refused by delete and skipped by replace', async () => {
  const web = server(page, 'Demo VPS.org', 'web-server-01');
  const oldest = card(page, web, 'initial-setup');
  await act(oldest, 'Protect');
  await text(oldest, /Protected/);
  const from = await requestCount(env.sim);
  await act(oldest, 'Delete');
  const refused = page.getByRole('dialog', { name: 'Delete snapshot' });
  await text(refused, /initial-setup is protected: unprotect it first/);
  assert.equal(await refused.getByRole('button', { name: 'Delete snapshot' }).count(), 0);
  await refused.getByRole('button', { name: 'Close' }).click();
  assert.equal((await requestsSince(env.sim, from)).filter((l) => l.startsWith('DELETE')).length, 0);
  // Kept with the account's settings: in the export, and on this device
  // once the user chooses to remember accounts.
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    settings.getByRole('button', { name: 'Export accounts' }).click(),
  ]);
  assert.match(await readFile(await download.path(), 'utf8'), /"protected": \[\s*"12345\/770"\s*\]/);
  await settings.getByLabel('Remember without encryption').check();
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await until(async () => /12345\/770/.test(await page.evaluate(() => Object.values(localStorage).join('\n'))),
    5_000, 'the mark stored with the settings');
  await settings.getByRole('button', { name: 'Close' }).click();
});

test('at 5 / 5, New snapshot replaces the oldest unprotected: delete, the list drops it, then create', async () => {
  const web = server(page, 'Demo VPS.org', 'web-server-01');
  await text(web, /5 \/ 5 snapshots/);
  await web.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  const replace = dialog.getByRole('checkbox', { name: 'Replace the oldest unprotected snapshot' });
  // initial-setup is protected: the next oldest is named, with its date.
  await text(dialog, /before-php-upgrade, taken [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d\s[AP]M \(30 days ago\), is deleted first/);
  await replace.check();
  const from = await requestCount(env.sim);
  // A bad name is refused before anything is deleted.
  await dialog.getByLabel('Name').fill('bad name');
  await dialog.getByLabel('Type before-php-upgrade to confirm').fill('before-php-upgrade');
  await dialog.getByRole('button', { name: 'Replace and create' }).click();
  await fieldSays(dialog, 'Name', /letters, digits/i);
  // The confirmation is exact.
  await dialog.getByLabel('Name').fill('after-upgrade');
  await dialog.getByLabel('Type before-php-upgrade to confirm').fill('Before-php-upgrade');
  await dialog.getByRole('button', { name: 'Replace and create' }).click();
  await fieldSays(dialog, 'Type before-php-upgrade to confirm', /Type before-php-upgrade exactly/);
  assert.deepEqual((await requestsSince(env.sim, from)).filter((l) => !l.startsWith('GET')), [], 'nothing sent');

  const ops = (await env.sim.stats()).operations.length;
  await dialog.getByLabel('Type before-php-upgrade to confirm').fill('before-php-upgrade');
  await dialog.getByRole('button', { name: 'Replace and create' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  const plan = web.getByRole('region', { name: 'Replace before-php-upgrade with after-upgrade' });
  await text(plan, /before-php-upgrade deleted, then after-upgrade created/, 40_000);
  await card(page, web, 'after-upgrade').waitFor();
  assert.equal(await card(page, web, 'before-php-upgrade').count(), 0);
  await text(web, /5 \/ 5 snapshots/);

  const sent = (await requestsSince(env.sim, from)).filter((l) => !l.startsWith('GET /vpsorg/api/v1/servers'));
  const del = sent.findIndex((l) => l === 'DELETE /vpsorg/api/v1/snapshots/781/');
  const create = sent.findIndex((l) => l === 'POST /vpsorg/api/v1/snapshots/');
  const listBetween = sent.slice(del + 1, create).some((l) => l.startsWith('GET /vpsorg/api/v1/snapshots/'));
  console.log(`# replace the oldest, the simulator's requests: ${squeeze(sent.slice(del, create + 1)).join(', ')}`);
  assert.ok(del >= 0 && create > del, `delete, then create: ${sent}`);
  assert.ok(listBetween, 'a list showed the delete before the create was sent');
  const log = await operations(ops);
  assert.deepEqual(log.map((o) => o.op), ['delete', 'create']);
});

test('before an update, then a clean-up whose preview is what it deletes', async () => {
  const mail = server(page, 'Demo ilkbyte', 'mail01');
  const names = [];
  for (let i = 0; i < 3; i += 1) {
    await mail.getByRole('button', { name: 'Before an update' }).click();
    const plan = mail.getByRole('region', { name: /^Snapshot before an update: preupdate\d{12}/ });
    await text(plan, /is ready\. Update the server/, 30_000);
    names.push((await plan.getAttribute('aria-label')).split(': ')[1]);
    await plan.getByRole('button', { name: 'Dismiss' }).click();
  }
  // The newest offers the two outcomes of the providers' advice.
  const newest = card(page, mail, names[2]);
  await newest.getByRole('button', { name: 'Update went well: delete this snapshot' }).waitFor();
  await newest.getByRole('button', { name: 'Revert to it' }).waitFor();
  // The oldest is protected: the clean-up leaves it.
  await act(card(page, mail, names[0]), 'Protect');

  await mail.getByRole('button', { name: 'Clean up…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clean up snapshots' });
  await dialog.getByLabel('Keep the newest').fill('1');
  const preview = dialog.getByRole('region', { name: 'Preview' });
  await text(preview, new RegExp(`${names[0]}: kept: protected`));
  await text(preview, new RegExp(`${names[1]}: will be deleted`));
  await text(preview, new RegExp(`${names[2]}: kept: one of the newest 1 Snapdeck made`));
  const previewed = await preview.locator('[data-verdict="delete"] code').allInnerTexts();
  assert.deepEqual(previewed, [names[1]]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // Across every server: the same choice here, and nobody else's snapshot.
  await overview().getByRole('button', { name: 'Clean up…' }).click();
  const everywhere = page.getByRole('dialog', { name: 'Clean up snapshots' });
  await everywhere.getByLabel('Keep the newest').fill('1');
  const all = everywhere.getByRole('region', { name: 'Preview' });
  await text(all, /base: kept: not made by Snapdeck/);
  await text(all, /initial-setup: kept: not made by Snapdeck/);
  // The safety snapshot of the restore above is the only one on its server.
  await text(all, /safety\d{12}: kept: one of the newest 1 Snapdeck made/);
  assert.deepEqual(await all.locator('[data-verdict="delete"] code').allInnerTexts(), [names[1]]);
  await everywhere.getByRole('button', { name: 'Cancel' }).click();
  await mail.getByRole('button', { name: 'Clean up…' }).click();
  await dialog.getByLabel('Keep the newest').fill('1');
  const from = await requestCount(env.sim);
  await dialog.getByRole('button', { name: 'Delete 1 snapshot' }).click();
  const plan = mail.getByRole('region', { name: 'Clean-up: delete 1 snapshot' });
  await text(plan, /Clean-up done: 1 snapshot deleted/, 30_000);
  const cleanupSent = (await requestsSince(env.sim, from)).filter((l) => l.includes('/mail01/'));
  console.log(`# clean-up, the simulator's requests for mail01: ${squeeze(cleanupSent).join(', ')}`);
  const deletes = cleanupSent.filter((l) => /snapshot\/delete/.test(l));
  console.log(`# clean-up, the simulator's deletes: ${deletes.join(', ')} (previewed: ${previewed.join(', ')})`);
  assert.equal(deletes.length, 1);
  const done = (await env.sim.stats()).operations.filter((o) => o.op === 'delete').map((o) => o.target);
  assert.ok(done.includes(names[1]), `deleted ${done}`);
  await card(page, mail, names[0]).waitFor();
  await card(page, mail, names[2]).waitFor();
  assert.equal(await card(page, mail, names[1]).count(), 0);

  // "Update went well": the pre-update snapshot goes.
  await newest.getByRole('button', { name: 'Update went well: delete this snapshot' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete snapshot' });
  await confirm.getByLabel('Type the snapshot name to confirm').fill(names[2]);
  await confirm.getByRole('button', { name: 'Delete snapshot' }).click();
  await until(async () => (await newest.count()) === 0, 30_000, 'the pre-update snapshot deleted');
});
