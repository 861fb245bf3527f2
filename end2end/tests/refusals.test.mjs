// What the panel says when the provider refuses, and when it never
// confirms: the dialog keeps what was typed with the provider's words once;
// an operation not confirmed after 15 minutes (a fake clock) says so and
// offers Check again and Dismiss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../harness.mjs';
import { server, card, text, until, act, offersMore } from '../helpers.mjs';

let env;
let page;
before(async () => {
  // Operations never finish within this test: only the clock moves them.
  env = await launch({ opSeconds: 100_000 });
  page = env.page;
  await page.clock.install();
  await page.goto(env.urls.panel);
  await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await card(page, server(page, 'Demo VPS.org', 'staging-01'), 'staging-clean').waitFor();
});
after(async () => {
  if (env) assert.deepEqual(env.pageErrors, []);
  await env?.close();
});

test('a create refused at the limit keeps the dialog, the name and one message, with the fresh count', async () => {
  // Another tab takes four snapshots: this one still shows 1 / 5.
  for (let i = 1; i <= 4; i++) {
    const r = await fetch(`${env.urls.vpsorg}/snapshots/`, {
      method: 'POST',
      headers: { Authorization: 'Bearer demo-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ server_id: 12347, name: `other-tab-${i}` }),
    });
    assert.equal(r.status, 201);
  }
  const staging = server(page, 'Demo VPS.org', 'staging-01');
  assert.match(await staging.innerText(), /1 \/ 5 snapshots/);
  await staging.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('mine');
  await dialog.getByRole('button', { name: 'Create' }).click();
  const alert = dialog.getByRole('alert');
  await text(alert, /Snapshot limit reached/);
  await text(dialog, /staging-01 has 5 of the 5 snapshots VPS.org allows/);
  const said = await dialog.innerText();
  assert.equal(said.match(/Snapshot limit reached/g).length, 1, `once: ${said}`);
  assert.equal(await dialog.getByLabel('Name').inputValue(), 'mine', 'what was typed stays');
  assert.equal(await dialog.getByRole('button', { name: 'Retry' }).count(), 0, 'no retry that can only fail');
  assert.equal(await card(page, staging, 'mine').count(), 0, 'no placeholder left behind');
  await text(staging, /5 \/ 5 snapshots/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
});

test('15 minutes without confirmation: not confirmed, Dismiss and Check again', async () => {
  const mail01 = server(page, 'Demo ilkbyte', 'mail01');
  await mail01.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('neverlisted');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });
  const placeholder = card(page, mail01, 'neverlisted');
  await text(placeholder, /ilkbyte accepted: Snapshot created!/);

  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const experiment = card(page, web01, 'experiment');
  await act(experiment, 'Delete');
  const confirm = page.getByRole('dialog', { name: 'Delete snapshot' });
  await confirm.getByLabel('Type the snapshot name to confirm').fill('experiment');
  await confirm.getByRole('button', { name: 'Delete snapshot' }).click();
  await confirm.waitFor({ state: 'detached' });
  await text(experiment, /Deleting…/);

  // Fourteen minutes: still waiting, still polled, still pending.
  await page.clock.fastForward('14:00');
  await page.clock.runFor(2_000);
  await text(placeholder, /Creating… 14 min/);
  assert.doesNotMatch(await placeholder.innerText(), /not confirmed/);

  await page.clock.fastForward('02:00');
  await page.clock.runFor(2_000);
  await text(placeholder, /not confirmed/);
  await text(experiment, /not confirmed/);
  assert.equal(await offersMore(experiment), false, 'still no other action');
  await until(async () => /not confirmed/.test(await page.getByRole('status').innerText()), 5_000, 'announced');

  await placeholder.getByRole('button', { name: 'Dismiss' }).click();
  await placeholder.waitFor({ state: 'detached' });
  await experiment.getByRole('button', { name: 'Check again' }).click();
  await text(experiment, /Deleting… 1[67] min/);
  assert.doesNotMatch(await experiment.innerText(), /not confirmed/);
});
