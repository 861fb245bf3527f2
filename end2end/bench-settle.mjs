// How long after the provider's list shows an operation done its card
// settles, per operation and provider, with the providers' real duration
// ranges compressed by TIME_SCALE (default 0.05: a create takes 9-30 s).
// Run after scripts/build: node end2end/bench-settle.mjs
import { launch } from './harness.mjs';
import { server, card } from './helpers.mjs';
import { runAll } from './lifecycle.mjs';

const timeScale = Number(process.env.TIME_SCALE ?? 0.05);
const env = await launch({ timeScale });
try {
  await env.page.goto(env.urls.panel);
  await card(env.page, server(env.page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await card(env.page, server(env.page, 'Demo VPS.org', 'staging-01'), 'staging-clean').waitFor();
  const results = await runAll(env);
  console.log(`time scale ${timeScale}`);
  console.log('provider  operation        provider took   card settled after the list');
  for (const r of results) {
    const took = r.providerTook === undefined ? '?' : `${(r.providerTook / 1000).toFixed(1)} s`;
    const delay = r.settleDelay === null || r.settleDelay === undefined ? 'never' : `${(r.settleDelay / 1000).toFixed(1)} s`;
    console.log(`${r.provider.padEnd(9)} ${r.op.padEnd(16)} ${took.padStart(13)}   ${delay.padStart(8)}${r.problems.length ? `  (${r.problems.join('; ')})` : ''}`);
  }
  const delays = results.map((r) => r.settleDelay).filter((d) => typeof d === 'number');
  console.log(`worst settle delay: ${(Math.max(...delays) / 1000).toFixed(1)} s (budget 10 s)`);
} finally {
  await env.close();
}
