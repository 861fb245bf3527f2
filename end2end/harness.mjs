// Starts the simulator, the proxy and the static server on free ports, and
// opens the built panel in Debian's Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'target', 'release', name);

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// `count` distinct free ports: every one is held until all are found, so
// that the simulator, the proxy and the static server never get the same.
async function freePorts(count) {
  const held = [];
  try {
    for (let i = 0; i < count; i++) {
      held.push(await new Promise((resolve, reject) => {
        const srv = createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve(srv));
      }));
    }
    return held.map((srv) => srv.address().port);
  } finally {
    await Promise.all(held.map((srv) => new Promise((resolve) => srv.close(resolve))));
  }
}

// Waits until `url` answers as `what` does (`ours` tells its answer from
// another server's, should the port have been taken meanwhile).
async function waitFor(url, what, proc, ours) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode}: ${proc.logs}`);
    try {
      const r = await fetch(url, { headers: { Origin: 'http://harness.invalid' } });
      if (ours(r)) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start at ${url}`);
}

function start(cmd, args, what) {
  if (!existsSync(cmd) && cmd.includes('/')) throw new Error(`${cmd} is missing: build it first`);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.logs = '';
  proc.stderr.on('data', (d) => { proc.logs += d; });
  proc.what = what;
  return proc;
}

/**
 * Starts everything. Options:
 *  - opSeconds: every operation of the simulator takes this long (default 1)
 *  - timeScale: instead, operations take the providers' real ranges times this
 *  - simArgs: more simulator flags
 *  - proxyArgs: more proxy flags
 *  - accounts: (urls) => the accounts of snapdeck.json (default: both demo accounts through the proxy)
 *  - config: (urls) => the whole snapdeck.json, instead
 *  - configText: the file's text as it is (to serve an invalid one)
 *  - serveArgs: more arguments for scripts/serve.py (e.g. --no-compress)
 *  - locale: the browser's language (default en-US: the interface contract's
 *    names are English)
 *  - timezoneId: the browser's time zone (default: this machine's)
 */
export async function launch(opts = {}) {
  const [simPort, proxyPort, panelPort] = await freePorts(3);
  const urls = {
    sim: `http://127.0.0.1:${simPort}`,
    proxy: `http://127.0.0.1:${proxyPort}/`,
    panel: `http://127.0.0.1:${panelPort}/`,
  };
  urls.ilkbyte = `${urls.sim}/ilkbyte`;
  urls.vpsorg = `${urls.sim}/vpsorg/api/v1`;
  const dir = mkdtempSync(join(tmpdir(), 'snapdeck-e2e-'));
  const configFile = join(dir, 'snapdeck.json');
  const config = opts.config ? opts.config(urls) : {
    proxy: urls.proxy,
    accounts: (opts.accounts ?? defaultAccounts)(urls),
  };
  writeFileSync(configFile, opts.configText ?? JSON.stringify(config));

  const procs = [];
  const stop = () => procs.forEach((p) => p.exitCode === null && p.kill('SIGTERM'));
  try {
    const timing = opts.timeScale !== undefined
      ? ['--time-scale', String(opts.timeScale)]
      : ['--op-seconds', String(opts.opSeconds ?? 1)];
    const sim = start(bin('snapdeck-sim'), ['--listen', `127.0.0.1:${simPort}`,
      ...timing, ...(opts.simArgs ?? [])], 'simulator');
    procs.push(sim);
    const proxy = start(bin('snapdeck-proxy'), ['--listen', `127.0.0.1:${proxyPort}`,
      '--allow-upstream', urls.sim, '--allow-origin', urls.panel.replace(/\/$/, ''),
      ...(opts.proxyArgs ?? [])], 'proxy');
    procs.push(proxy);
    // DIST serves another build of the panel (to compare two builds).
    const panel = start('python3', [join(root, 'scripts', 'serve.py'), '--dir', process.env.DIST ?? join(root, 'dist'),
      '--port', String(panelPort), '--config', configFile, ...(opts.serveArgs ?? [])], 'static server');
    procs.push(panel);
    const type = (r) => r.headers.get('content-type') ?? '';
    await waitFor(`${urls.sim}/`, 'simulator', sim, (r) => r.ok && type(r).startsWith('application/json'));
    await waitFor(urls.proxy, 'proxy', proxy, (r) => r.headers.has('x-snapdeck-proxy'));
    await waitFor(urls.panel, 'static server', panel, (r) => r.ok && type(r).startsWith('text/html'));

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      // Playwright gives every launch a fresh, empty profile of its own.
      args: CHROMIUM_ARGS,
    });
    const page = await browser.newPage({ locale: opts.locale ?? 'en-US', timezoneId: opts.timezoneId });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // A wasm panic is an uncaught RuntimeError; the browser's own notes on
    // non-2xx responses are expected in failure tests and are not errors.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
    });
    return {
      urls, page, browser, pageErrors, proxyLogs: () => proxy.logs,
      sim: simControl(urls.sim),
      async close() { await browser.close().catch(() => {}); stop(); },
    };
  } catch (e) {
    stop();
    throw e;
  }
}

/** One VPS.org account of `servers` servers × `snapshots` snapshots, for the benchmarks. */
export function launchScale(servers, snapshots) {
  return launch({
    opSeconds: 4,
    simArgs: ['--servers', String(servers), '--snapshots', String(snapshots), '--page-size', '100'],
    accounts: (urls) => [{ provider: 'vpsorg', label: 'Scale', base_url: urls.vpsorg, token: 'demo-token' }],
  });
}

export function defaultAccounts(urls) {
  return [
    { provider: 'ilkbyte', label: 'Demo ilkbyte', base_url: urls.ilkbyte,
      access_key: 'demo-access', secret_key: 'demo-secret' },
    { provider: 'vpsorg', label: 'Demo VPS.org', base_url: urls.vpsorg, token: 'demo-token' },
  ];
}

/** The simulator's control routes. */
function simControl(base) {
  return {
    async stats() { return (await fetch(`${base}/__sim/stats`)).json(); },
    /** Renames VPS.org snapshots as its console can: (from, to) → how many. */
    async rename(from, to) {
      const r = await fetch(`${base}/__sim/rename`, { method: 'POST', body: JSON.stringify({ from, to }) });
      return (await r.json()).renamed;
    },
    async faults(f) {
      const r = await fetch(`${base}/__sim/faults`, { method: 'PUT', body: JSON.stringify(f) });
      if (!r.ok) throw new Error(`faults: ${r.status} ${await r.text()}`);
    },
    async reset() { await fetch(`${base}/__sim/reset`, { method: 'POST' }); },
  };
}
