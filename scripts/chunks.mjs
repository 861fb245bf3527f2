// Trunk's post_build hook: adds the parts of the panel that are fetched
// later (written by scripts/wasm-link) to the build, each optimized by
// wasm-opt as trunk optimizes the main module, and their loader beside
// snapdeck.js.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.env.TRUNK_SOURCE_DIR ?? '.';
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('chunks.mjs runs as trunk post_build hook (no TRUNK_STAGING_DIR)');
// The cargo profile trunk built with, as index.html names it.
const html = readFileSync(join(root, 'index.html'), 'utf8');
const release = process.env.TRUNK_PROFILE === 'release';
const named = html.match(release ? /data-cargo-profile-release="([^"]+)"/ : /data-cargo-profile-dev="([^"]+)"/);
const profile = named ? named[1] : release ? 'release' : 'debug';
const parts = join(root, 'target', 'wasm32-unknown-unknown', profile === 'dev' ? 'debug' : profile, 'wasm-split');
if (!existsSync(join(parts, '__wasm_split.js'))) {
  throw new Error(`chunks.mjs: no ${parts}/__wasm_split.js: the wasm was linked without scripts/wasm-link`);
}

// The main module's flags (index.html), but for one: a part's memory is
// the main module's, which is not zero-filled when the part arrives.
const level = html.match(/data-wasm-opt="(\w+)"/)[1];
const params = html
  .match(/data-wasm-opt-params="([^"]*)"/)[1]
  .split(/\s+/)
  .filter((p) => p && p !== '--zero-filled-memory');
const wasmOpt = join(root, 'scripts', 'node_modules', '.bin', 'wasm-opt');

copyFileSync(join(parts, '__wasm_split.js'), join(staging, '__wasm_split.js'));
for (const name of readdirSync(parts).filter((n) => n.endsWith('.wasm'))) {
  execFileSync(wasmOpt, [`-O${level}`, ...params, join(parts, name), '-o', join(staging, name)], {
    stdio: 'inherit',
  });
}
