// A panel left open while snapshots rotate: the simulator's churn mode
// replaces every snapshot with a new one, the panel refreshes, again and
// again. The wasm memory and the JS heap (after a forced GC) are read
// early and late: cards that leave must leave nothing behind.
// Run after scripts/build: node end2end/bench-memory.mjs [servers] [churns]
import { launch } from './harness.mjs';

const servers = Number(process.argv[2] ?? 200);
const churns = Number(process.argv[3] ?? 100);
const early = Math.min(10, churns);

const env = await launch({
  simArgs: ['--servers', String(servers), '--snapshots', '5'],
  accounts: (urls) => [{ provider: 'vpsorg', label: 'Churn', base_url: urls.vpsorg, token: 'demo-token' }],
});
const { page } = env;
try {
  // The page's own boot.js, plus a handle on the wasm memory for reading.
  await page.route('**/boot.js', (route) => route.fulfill({
    contentType: 'text/javascript',
    body: `import init from './snapdeck.js';
const wasm = await init({ module_or_path: new URL('./snapdeck_bg.wasm', import.meta.url) });
window.__wasmMemory = wasm.memory;`,
  }));
  const cdp = await page.context().newCDPSession(page);
  const names = () => page.evaluate(() => [...document.querySelectorAll('article h4')].map((h) => h.textContent));
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const wasm = await page.evaluate(() => window.__wasmMemory.buffer.byteLength);
    return { wasm, js: heap.usedSize };
  };
  await page.goto(env.urls.panel);
  const total = servers * 5;
  const waitFor = async (ok, what) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (ok(await names())) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  await waitFor((n) => n.length === total, `${total} cards`);
  const start = await measure();
  let earlyM;
  const t0 = Date.now();
  for (let i = 1; i <= churns; i++) {
    const before = new Set(await names());
    await fetch(`${env.urls.sim}/__sim/churn`, { method: 'POST' });
    await page.getByRole('button', { name: 'Refresh' }).click();
    await waitFor((n) => n.length === total && !n.some((x) => before.has(x)), `churn ${i}`);
    if (i % 10 === 0) {
      const wasm = await page.evaluate(() => window.__wasmMemory.buffer.byteLength);
      console.log(`churn ${i}: ${((Date.now() - t0) / 1000).toFixed(0)} s, wasm memory ${(wasm / 1048576).toFixed(1)} MB`);
    }
    if (i === early) {
      // Let the retired stores be disposed (two ticks).
      await new Promise((r) => setTimeout(r, 2_500));
      earlyM = await measure();
    }
  }
  await new Promise((r) => setTimeout(r, 2_500));
  const late = await measure();
  const mb = (b) => (b / 1048576).toFixed(1);
  const replaced = churns * total;
  console.log(`${servers} VPS.org servers x 5 snapshots; ${churns} churns: ${replaced} cards replaced in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`                 start   after ${early} churns   after ${churns} churns   growth ${early}->${churns}`);
  console.log(`wasm memory   ${mb(start.wasm).padStart(6)} MB   ${mb(earlyM.wasm).padStart(8)} MB   ${mb(late.wasm).padStart(9)} MB   ${((late.wasm - earlyM.wasm) / 1024).toFixed(0)} KB`);
  console.log(`JS heap       ${mb(start.js).padStart(6)} MB   ${mb(earlyM.js).padStart(8)} MB   ${mb(late.js).padStart(9)} MB   ${((late.js - earlyM.js) / 1024).toFixed(0)} KB`);
  const perCard = (late.wasm - earlyM.wasm) / ((churns - early) * total);
  console.log(`wasm growth per replaced card after churn ${early}: ${perCard.toFixed(1)} bytes`);
} finally {
  await env.close();
}
