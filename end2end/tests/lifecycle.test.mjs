// Operations that outlast many polls (18 s each here; minutes at the
// providers): every card stays true from the click until the provider's
// list shows the change, and settles within 10 s of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../harness.mjs';
import { server, card, markPage, assertNotReloaded } from '../helpers.mjs';
import { runAll, samples } from '../lifecycle.mjs';

const OP_SECONDS = 18;

let env;
before(async () => {
  env = await launch({ opSeconds: OP_SECONDS });
  await env.page.goto(env.urls.panel);
  await card(env.page, server(env.page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await card(env.page, server(env.page, 'Demo VPS.org', 'staging-01'), 'staging-clean').waitFor();
  await markPage(env.page);
});
after(async () => {
  if (env) assert.deepEqual(env.pageErrors, []);
  await env?.close();
});

test('every operation of both providers stays true for its whole life, then settles within 10 s', async () => {
  const results = await runAll(env);
  for (const r of results) {
    console.log(`# ${r.provider} ${r.op} ${r.name}: provider took ${r.providerTook} ms, card settled ${r.settleDelay} ms after the list`);
  }
  assert.equal(results.length, 9, 'nine operations');
  for (const r of results) {
    assert.deepEqual(r.problems, [], `${r.provider} ${r.op} ${r.name}`);
    if (!r.instant) assert.ok(r.providerTook >= OP_SECONDS * 1000 - 100, `${r.op}: the provider took ${r.providerTook} ms`);
    assert.ok(r.settleDelay <= 10_000, `${r.provider} ${r.op}: settled ${r.settleDelay} ms after the list`);
    // (A VPS.org delete is done as it is accepted: there is no wait to show.)
    if (!r.instant) assert.ok(r.acceptedShown, `${r.provider} ${r.op}: the acceptance was shown as an acceptance`);
  }
  await assertNotReloaded(env.page);
});

test('a revert to a snapshot taken while shut off shows the server shut off once it settles', async () => {
  const { servers } = await samples(env.page);
  const revert = (await env.sim.stats()).operations.find((r) => r.op === 'revert' && r.target === 'experiment');
  assert.ok(revert, 'the revert ran');
  const web01 = servers.web01;
  const before = web01.filter(([t]) => t < revert.done_ms).map(([, s]) => s);
  assert.ok(before.length > 0 && before.every((s) => s === 'running'), `before: ${[...new Set(before)]}`);
  const off = web01.find(([t, s]) => t >= revert.done_ms && s === 'shut off');
  assert.ok(off, 'the server header says shut off');
  assert.ok(off[0] - revert.done_ms <= 10_000, `shut off shown ${off[0] - revert.done_ms} ms after the list`);
});
