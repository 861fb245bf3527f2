// Time to the first card on a slow network: Chromium's "Fast 3G" (1.6 Mbps
// down, 750 kbps up, 562 ms round trip) through the DevTools protocol, with
// an empty cache each time; the static server as the demo runs it (files
// compressed) and with --no-compress, to compare; and on localhost with no
// emulation (budget 400 ms). Median of three each.
// Run after scripts/build: node end2end/bench-3g.mjs [runs]
import { launch } from './harness.mjs';

const runs = Number(process.argv[2] ?? 3);
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };

async function firstCard(serveArgs, conditions = FAST_3G) {
  const env = await launch({ serveArgs });
  try {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const context = await env.browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      if (conditions) await cdp.send('Network.emulateNetworkConditions', conditions);
      let received = 0;
      cdp.on('Network.loadingFinished', (e) => { received += e.encodedDataLength; });
      const t0 = Date.now();
      await page.goto(env.urls.panel, { waitUntil: 'commit' });
      await page.getByRole('article').first().waitFor({ timeout: 60_000 });
      times.push(Date.now() - t0);
      bytes = received;
      await context.close();
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)], times, bytes };
  } finally {
    await env.close();
  }
}

const compressed = await firstCard([]);
const plain = await firstCard(['--no-compress']);
const local = await firstCard([], null);
const line = (what, r) => console.log(`${what.padEnd(22)} first card ${(r.median / 1000).toFixed(2)} s (median of ${r.times.map((t) => (t / 1000).toFixed(2)).join(', ')}), ${Math.round(r.bytes / 1024)} KB over the wire`);
console.log('Fast 3G: 1.6 Mbps down, 750 kbps up, 562 ms round trip; empty cache');
line('uncompressed', plain);
line('compressed (demo)', compressed);
console.log(`ratio uncompressed / compressed: ${(plain.median / compressed.median).toFixed(2)}`);
console.log(`localhost, no emulation: first card ${local.median} ms (median of ${local.times.join(', ')} ms; budget 400 ms)`);
