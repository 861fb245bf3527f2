// A panel left open while snapshots rotate: the simulator's churn mode
// replaces every snapshot with a new one, the panel refreshes, again and
// again. The wasm memory and the JS heap (after a forced GC) are read
// early and late: cards that leave must leave nothing behind.
// Run after scripts/build: node end2end/bench-memory.mjs [servers] [churns]
//
// The wasm memory only grows (the allocator keeps its high-water mark), so
// a build that counts live heap bytes says more: build it with
//   trunk build --release --features memprobe --dist target/memprobe
// and run with DIST=target/memprobe; the live bytes are then printed too,
// with the allocation sizes whose count changed (what a leak is made of).
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
    body: `import init, * as panel from './snapdeck.js';
const wasm = await init({ module_or_path: new URL('./snapdeck_bg.wasm', import.meta.url) });
window.__wasmMemory = wasm.memory;
window.__probe = panel.live_bytes ? { bytes: panel.live_bytes, sizes: panel.live_sizes } : null;`,
  }));
  const cdp = await page.context().newCDPSession(page);
  const names = () => page.evaluate(() => [...document.querySelectorAll('article h4')].map((h) => h.textContent));
  const measure = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const wasm = await page.evaluate(() => window.__wasmMemory.buffer.byteLength);
    const live = await page.evaluate(() => window.__probe && window.__probe.bytes());
    const sizes = await page.evaluate(() => window.__probe && window.__probe.sizes());
    return { wasm, js: heap.usedSize, live, sizes };
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
  if (late.live !== null) {
    console.log(`live heap     ${mb(start.live).padStart(6)} MB   ${mb(earlyM.live).padStart(8)} MB   ${mb(late.live).padStart(9)} MB   ${late.live - earlyM.live} B`);
  }
  const perCard = (late.wasm - earlyM.wasm) / ((churns - early) * total);
  console.log(`wasm growth per replaced card after churn ${early}: ${perCard.toFixed(1)} bytes`);
  if (late.live !== null) {
    const perLive = (late.live - earlyM.live) / ((churns - early) * total);
    console.log(`live heap growth per replaced card after churn ${early}: ${perLive.toFixed(1)} bytes`);
    const parse = (t) => new Map(t.split(',').filter(Boolean).map((p) => p.split(':').map(Number)));
    const [a, b] = [parse(earlyM.sizes), parse(late.sizes)];
    const changed = [...new Set([...a.keys(), ...b.keys()])]
      .map((size) => [size, (b.get(size) ?? 0) - (a.get(size) ?? 0)])
      .filter(([, d]) => d !== 0)
      .sort((x, y) => Math.abs(y[0] * y[1]) - Math.abs(x[0] * x[1]));
    for (const [size, d] of changed.slice(0, 10)) {
      console.log(`  allocations of ${size} B: ${d > 0 ? '+' : ''}${d}`);
    }
  }
} finally {
  await env.close();
}
