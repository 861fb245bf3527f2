// Switching language at scale, as figures (a benchmark, not a test):
//   node end2end/bench-language.mjs [servers] [snapshots]
// VPS.org, N servers × M snapshots: the page is rendered again in the other
// language. Prints the time from the switch to every card in the new
// language and laid out, for each of six switches, and the median.
import { launchScale } from './harness.mjs';

const servers = Number(process.argv[2] ?? 1000);
const snapshots = Number(process.argv[3] ?? 5);
const cards = servers * Math.min(snapshots, 5);

const env = await launchScale(servers, snapshots);
try {
  const { page } = env;
  await page.goto(env.urls.panel);
  await page.waitForFunction((n) => document.querySelectorAll('article').length >= n, cards, { polling: 'raf', timeout: 120_000 });
  const times = [];
  for (const [code, word] of [['tr', 'Geri yükle'], ['en', 'Restore'], ['tr', 'Geri yükle'], ['en', 'Restore'], ['tr', 'Geri yükle'], ['en', 'Restore']]) {
    const ms = await page.evaluate(async ({ code, word, cards }) => {
      const select = document.querySelector('select.language');
      const start = performance.now();
      select.value = code;
      select.dispatchEvent(new Event('change', { bubbles: true }));
      // Done when every card is back and the last one speaks the language.
      await new Promise((resolve) => {
        const check = () => {
          const all = document.querySelectorAll('article');
          if (all.length >= cards && all[all.length - 1].textContent.includes(word)) resolve();
          else requestAnimationFrame(check);
        };
        check();
      });
      document.body.getBoundingClientRect();
      return performance.now() - start;
    }, { code, word, cards });
    times.push(ms);
    console.log(`switch to ${code}: ${ms.toFixed(0)} ms`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`${servers} servers × ${Math.min(snapshots, 5)} snapshots: language switch median ${sorted[3].toFixed(0)} ms, max ${sorted[5].toFixed(0)} ms`);
} finally {
  await env.close();
}
