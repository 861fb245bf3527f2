// Time to the first card on a slow network: Chromium's "Fast 3G" (1.6 Mbps
// down, 750 kbps up, 562 ms round trip) through the DevTools protocol, with
// an empty cache each time; the static server as the demo runs it (files
// compressed) and with --no-compress, to compare; and on localhost with no
// emulation (budget 400 ms). Median of three each under emulation; on
// localhost, where one run takes a second and runs of one build spread
// over 200 ms on a small machine, median of fifteen, with the middle half.
// The time is the page's own: from the start of navigation to the frame in
// which the first card is drawn, seen by a MutationObserver in the page and
// written to its console. Waiting with Playwright's role locators instead
// polls the page from outside, which adds its own latency (80-120 ms here)
// and work on the page's main thread.
// Also timed: when the page is first drawn (index.html's banner, before the
// panel's code has run), when the overview is drawn, and when the dialogs' code (which
// draws it), downloaded as soon as the first lists are asked for and run
// once they have answered, has arrived (a dialog opens at once from then
// on).
// Run after scripts/build: node end2end/bench-3g.mjs [runs]
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './harness.mjs';

const runs = Number(process.argv[2] ?? 3);
// A build from before the dialogs had a part of their own has none to wait for.
const dist = process.env.DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const hasPart = readdirSync(dist).some((n) => /^split_dialogs[^/]*\.wasm$/.test(n));
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

// Runs in the page before its own scripts: writes to the console the time
// (ms since navigation start) of the animation frame after the first card
// (an <article>) enters the document, and the same for the overview (drawn
// by the dialogs' part). Read from the console, the times need nothing
// evaluated in the page while it loads: Playwright's first evaluation
// there installs its own script, on the page's main thread (10-30 ms here).
function firstCardProbe() {
  const drawn = (selector, what) => {
    const seen = new MutationObserver(() => {
      if (!document.querySelector(selector)) return;
      seen.disconnect();
      requestAnimationFrame(() => console.debug(`snapdeck:${what} ${Math.round(performance.now())}`));
    });
    seen.observe(document, { subtree: true, childList: true });
  };
  drawn('article', 'card');
  drawn('section.overview', 'overview');
}

// The time the probe writes for `what`, or null if none within 60 s.
function drawnTime(page, what) {
  return page.waitForEvent('console', { predicate: (m) => m.text().startsWith(`snapdeck:${what} `), timeout: 60_000 })
    .then((m) => Number(m.text().split(' ')[1]), () => null);
}

async function firstCard(serveArgs, conditions = FAST_3G, waitPart = false, count = runs) {
  const env = await launch({ serveArgs });
  try {
    const times = [];
    const dialogs = [];
    const overviews = [];
    const painted = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const context = await env.browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      if (conditions) await cdp.send('Network.emulateNetworkConditions', conditions);
      let received = 0;
      cdp.on('Network.loadingFinished', (e) => { received += e.encodedDataLength; });
      await page.addInitScript(firstCardProbe);
      const card = drawnTime(page, 'card');
      const overview = drawnTime(page, 'overview');
      await page.goto(env.urls.panel, { waitUntil: 'commit' });
      const cardAt = await card;
      if (cardAt === null) throw new Error('no card within 60 s');
      times.push(cardAt);
      // The page's first drawing with something in it (index.html's banner).
      painted.push(await page.evaluate(() => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        return paint ? Math.round(paint.startTime) : null;
      }));
      bytes = received;
      overviews.push(await overview);
      if (waitPart) dialogs.push(await page.evaluate(() => new Promise((resolve) => {
        const seen = () => performance.getEntriesByType('resource').find((e) => /\/split_dialogs[^/]*\.wasm$/.test(e.name));
        const poll = setInterval(() => {
          const entry = seen();
          if (entry && entry.responseEnd > 0) { clearInterval(poll); resolve(Math.round(entry.responseEnd)); }
        }, 50);
        setTimeout(() => { clearInterval(poll); resolve(null); }, 60_000);
      })));
      await context.close();
    }
    const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    times.sort((a, b) => a - b);
    const part = dialogs.length && !dialogs.includes(null) ? median(dialogs) : null;
    const overview = overviews.includes(null) ? null : median(overviews);
    return { median: median(times), times, bytes, dialogs: part, overview, painted: painted.includes(null) ? null : median(painted) };
  } finally {
    await env.close();
  }
}

const compressed = await firstCard([], FAST_3G, hasPart);
const plain = await firstCard(['--no-compress']);
const local = await firstCard([], null, false, Math.max(runs, 15));
const seconds = (ms) => (ms === null ? 'not within 60 s' : `${(ms / 1000).toFixed(2)} s`);
const line = (what, r) => console.log(`${what.padEnd(22)} first card ${(r.median / 1000).toFixed(2)} s (median of ${r.times.map((t) => (t / 1000).toFixed(2)).join(', ')}), first drawn ${seconds(r.painted)}, overview ${seconds(r.overview)}, ${Math.round(r.bytes / 1024)} KB over the wire`);
console.log('Fast 3G: 1.6 Mbps down, 750 kbps up, 562 ms round trip; empty cache');
line('uncompressed', plain);
line('compressed (demo)', compressed);
if (hasPart) console.log(`dialogs' code in (compressed): ${seconds(compressed.dialogs)}, median`);
console.log(`ratio uncompressed / compressed: ${(plain.median / compressed.median).toFixed(2)}`);
const quarter = (list, q) => list[Math.floor((list.length - 1) * q)];
console.log(`localhost, no emulation: first card ${local.median} ms (median of ${local.times.length}, middle half ${quarter(local.times, 0.25)}-${quarter(local.times, 0.75)} ms; budget 400 ms), overview ${local.overview === null ? 'not within 60 s' : `${local.overview} ms`}`);
