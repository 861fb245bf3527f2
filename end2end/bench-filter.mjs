// The overview's search at scale, as figures (a benchmark, not a test):
//   node end2end/bench-filter.mjs [servers] [snapshots]
// VPS.org, N servers × M snapshots (default 1,000 × 5). Types a query one
// key at a time, then deletes it, then presses each summary item: for each
// keystroke, the time from the input event to the view updated and laid
// out (budget: 50 ms), and to the next frame.
import { launchScale } from './harness.mjs';

const servers = Number(process.argv[2] ?? 1000);
const snapshots = Number(process.argv[3] ?? 5);
const perServer = Math.min(snapshots, 5);

const env = await launchScale(servers, snapshots);
try {
  const { page } = env;
  await page.goto(env.urls.panel);
  const want = servers * perServer;
  await page.waitForFunction((n) => document.querySelectorAll('article').length >= n, want, { polling: 'raf', timeout: 120_000 });

  const keystroke = (value) => page.evaluate(async (v) => {
    const input = document.querySelector('.overview input[type=search]');
    const t0 = performance.now();
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    // Leptos applies the change to the DOM in a task of its own: wait for
    // it, then force layout so that it is counted too.
    await new Promise((r) => setTimeout(r, 0));
    void document.body.offsetHeight;
    const laidOut = performance.now() - t0;
    await new Promise((r) => requestAnimationFrame(() => r()));
    const frame = performance.now() - t0;
    const shown = document.querySelectorAll('section.server:not(.out)').length;
    return { laidOut, frame, shown };
  }, value);

  const query = 'server-0999';
  const rows = [];
  for (let i = 1; i <= query.length; i += 1) rows.push({ key: query.slice(0, i), ...(await keystroke(query.slice(0, i))) });
  for (let i = query.length - 1; i >= 0; i -= 1) rows.push({ key: query.slice(0, i) || '(empty)', ...(await keystroke(query.slice(0, i))) });
  rows.push({ key: 'snapshot-3', ...(await keystroke('snapshot-3')) });
  rows.push({ key: 'nothing-matches', ...(await keystroke('nothing-matches')) });
  rows.push({ key: '(empty)', ...(await keystroke('')) });
  for (const r of rows) {
    console.log(`  ${r.key.padEnd(16)} ${r.laidOut.toFixed(1).padStart(6)} ms to the view, ${r.frame.toFixed(1).padStart(6)} ms to the next frame, ${r.shown} servers shown`);
  }
  const sorted = (k) => rows.map((r) => r[k]).sort((a, b) => a - b);
  const median = (k) => sorted(k)[Math.floor(rows.length / 2)];
  const max = (k) => sorted(k)[rows.length - 1];
  console.log(`search over ${servers} servers × ${perServer} snapshots, ${rows.length} keystrokes: `
    + `median ${median('laidOut').toFixed(1)} ms, max ${max('laidOut').toFixed(1)} ms to the view (budget 50 ms); `
    + `median ${median('frame').toFixed(1)} ms, max ${max('frame').toFixed(1)} ms to the next frame`);

  // The summary items, pressed and released.
  for (const name of ['at the snapshot limit', 'without a snapshot in 7 days']) {
    const t = await page.evaluate(async (label) => {
      const button = [...document.querySelectorAll('.overview button')].find((b) => b.textContent.includes(label));
      const t0 = performance.now();
      button.click();
      await new Promise((r) => setTimeout(r, 0));
      void document.body.offsetHeight;
      const on = performance.now() - t0;
      const shown = document.querySelectorAll('section.server:not(.out)').length;
      const t1 = performance.now();
      button.click();
      await new Promise((r) => setTimeout(r, 0));
      void document.body.offsetHeight;
      return { on, off: performance.now() - t1, shown };
    }, name);
    console.log(`summary item "${name}": ${t.on.toFixed(1)} ms on (${t.shown} servers shown), ${t.off.toFixed(1)} ms off`);
  }
} finally {
  await env.close();
}
