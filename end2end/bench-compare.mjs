// Two builds of the panel side by side, on localhost: time to the first
// card, interleaved run by run (A B, B A, ...) in fresh browser contexts, so
// that the machine's drift weighs on both alike. Prints each build's
// medians (first card with its middle half, banner, first list request)
// and the ratio B / A. Then, from three traced runs of each build, how many
// wasm functions V8 compiled on the page's main thread before the first
// card: it compiles each one when it is first called, so the count follows
// the code the first card runs, and moves with the build, not with the
// machine's load as the times do (a load whose answers come in another
// order can run more before its first card: hence the median).
// Runs of one build spread over 200 ms or more on a small machine: use 40
// runs or more to see a change of 10%.
// node end2end/bench-compare.mjs DIST_A DIST_B [runs]
import { launch } from './harness.mjs';

const [distA, distB] = process.argv.slice(2, 4);
const runs = Number(process.argv[4] ?? 40);
if (!distA || !distB) throw new Error('usage: node end2end/bench-compare.mjs DIST_A DIST_B [runs]');

// In the page before its scripts: the time (ms since navigation start) of
// the frame after the banner, and after the first card, enter the page.
function probe() {
  window.drawnAt = {};
  const watch = (selector, key) => new MutationObserver((_, seen) => {
    if (!document.querySelector(selector)) return;
    seen.disconnect();
    requestAnimationFrame(() => {
      window.drawnAt[key] = Math.round(performance.now());
      performance.mark(key);
      if (key === 'card') console.debug('snapdeck:card');
    });
  }).observe(document, { subtree: true, childList: true });
  watch('article', 'card');
  // The panel's own banner, not index.html's stand-in.
  watch('header.banner nav', 'banner');
}

const builds = [];
for (const dist of [distA, distB]) {
  process.env.DIST = dist;
  builds.push({ dist, env: await launch({}), card: [], banner: [], asked: [], compiled: [] });
}
try {
  for (let i = 0; i < runs; i++) {
    for (const b of i % 2 ? [builds[1], builds[0]] : builds) {
      const r = await load(b.env);
      b.card.push(r.card);
      b.banner.push(r.banner);
      b.asked.push(r.asked);
    }
  }
  for (const b of builds) for (let i = 0; i < 3; i++) b.compiled.push(await load(b.env, true));
} finally {
  for (const b of builds) await b.env.close();
}

// One load of the panel in a fresh context, until the first card is drawn:
// the times the page took, or, traced, the wasm functions compiled lazily on
// its main thread before that card and their time under tracing.
async function load(env, traced = false) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(probe);
  if (traced) await env.browser.startTracing(page, { categories: ['v8.wasm', 'blink.user_timing'] });
  // Told by the page's console: nothing is evaluated in the page until its
  // first card is drawn (Playwright's first evaluation there installs its
  // own script on the page's main thread, and polling adds work per frame).
  const drawn = page.waitForEvent('console', { predicate: (m) => m.text() === 'snapdeck:card', timeout: 30_000 });
  await page.goto(env.urls.panel, { waitUntil: 'commit' });
  await drawn;
  if (!traced) {
    const times = await page.evaluate(() => ({
      ...window.drawnAt,
      asked: Math.round(Math.min(...performance.getEntriesByType('resource')
        .filter((e) => /\/(ilkbyte|vpsorg)\//.test(e.name)).map((e) => e.startTime))),
    }));
    await context.close();
    return times;
  }
  const events = JSON.parse((await env.browser.stopTracing()).toString()).traceEvents;
  await context.close();
  const card = events.find((e) => e.name === 'card' && e.cat === 'blink.user_timing');
  if (!card) throw new Error('bench-compare: the trace holds no mark of the first card');
  const lazy = events.filter((e) => e.name === 'wasm.CompileLazy' && e.pid === card.pid && e.tid === card.tid && e.ts < card.ts);
  return { count: lazy.length, ms: lazy.reduce((sum, e) => sum + (e.dur ?? 0), 0) / 1000 };
}
const quantile = (list, q) => [...list].sort((x, y) => x - y)[Math.floor((list.length - 1) * q)];
const median = (list) => quantile(list, 0.5);
for (const [name, b] of [['A', builds[0]], ['B', builds[1]]]) {
  console.log(`${name} ${b.dist}: first card ${median(b.card)} ms (middle half ${quantile(b.card, 0.25)}-${quantile(b.card, 0.75)}), banner ${median(b.banner)} ms, first list asked ${median(b.asked)} ms (median of ${runs})`);
}
console.log(`first card, B / A: ${(median(builds[1].card) / median(builds[0].card)).toFixed(3)}`);
for (const [name, b] of [['A', builds[0]], ['B', builds[1]]]) {
  console.log(`${name}: wasm functions compiled before the first card ${median(b.compiled.map((c) => c.count))} (${b.compiled.map((c) => c.count).join(', ')}), taking ${Math.round(median(b.compiled.map((c) => c.ms)))} ms traced (median of 3)`);
}
