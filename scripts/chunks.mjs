// Trunk's post_build hook: adds the parts of the panel that are fetched
// later (written by scripts/wasm-link) to the build, each optimized by
// wasm-opt as trunk optimizes the main module, and their loader beside
// snapdeck.js.
//
// Each part's name carries a hash of its content, and the loader asks for
// that name. A page left open across a deploy keeps its old loader: it then
// asks for a part that is gone, and says it could not be loaded, rather
// than linking a part built for another main module.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blankSourcePaths } from './source-paths.mjs';
import { wasmOptArgs } from './wasm-file.mjs';

const root = process.env.TRUNK_SOURCE_DIR ?? '.';
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) throw new Error('chunks.mjs runs as trunk post_build hook (no TRUNK_STAGING_DIR)');
// The cargo profile trunk built with, as index.html names it.
const html = readFileSync(join(root, 'index.html'), 'utf8');
const release = process.env.TRUNK_PROFILE === 'release';
const named = html.match(release ? /data-cargo-profile-release="([^"]+)"/ : /data-cargo-profile-dev="([^"]+)"/);
const profile = named ? named[1] : release ? 'release' : 'debug';
// The parts of the main module trunk is building with: each link of the
// panel leaves its parts beside it in deps/, with the hash of the main
// module it made (scripts/wasm-link). Cargo can reuse an older link
// without linking again (after a change is undone, say): its parts are
// still there.
const out = join(root, 'target', 'wasm32-unknown-unknown', profile === 'dev' ? 'debug' : profile);
const main = createHash('sha256').update(readFileSync(join(out, 'snapdeck.wasm'))).digest('hex');
const parts = readdirSync(join(out, 'deps'))
  .filter((n) => n.endsWith('.parts'))
  .map((n) => join(out, 'deps', n))
  .find((dir) => existsSync(join(dir, 'main.sha256')) && readFileSync(join(dir, 'main.sha256'), 'utf8').trim() === main);
if (!parts) {
  throw new Error(`chunks.mjs: no parts in ${out}/deps/ for ${out}/snapdeck.wasm: the wasm was linked without scripts/wasm-link`);
}

// The main module's flags (index.html), but for one: a part's memory is
// the main module's, which is not zero-filled when the part arrives.
const optArgs = wasmOptArgs(html).filter((p) => p !== '--zero-filled-memory');
const wasmOpt = join(root, 'scripts', 'node_modules', '.bin', 'wasm-opt');

let loader = readFileSync(join(parts, '__wasm_split.js'), 'utf8');
const hashedNames = [];
for (const name of readdirSync(parts).filter((n) => n.endsWith('.wasm'))) {
  const out = join(staging, name);
  execFileSync(wasmOpt, [...optArgs, join(parts, name), '-o', out], { stdio: 'inherit' });
  // As in the main module (scripts/minify.mjs): paths no panic shows.
  const wasm = readFileSync(out);
  blankSourcePaths(wasm);
  writeFileSync(out, wasm);
  const hash = createHash('sha256').update(wasm).digest('hex').slice(0, 16);
  const hashed = name.replace(/\.wasm$/, `-${hash}.wasm`);
  renameSync(out, join(staging, hashed));
  const asked = `fetch(new URL("./${name}", import.meta.url))`;
  if (!loader.includes(asked)) throw new Error(`chunks.mjs: the loader does not ask for ${name} as expected`);
  loader = loader.replaceAll(asked, `fetchPart("./${hashed}")`);
  hashedNames.push(`./${hashed}`);
}
// The panel starts the parts' downloads ahead of running them
// (`part::prefetch`, once the first lists are asked for), and runs them once
// the first lists have answered: on a fast connection the part is then
// compiled and drawn after the first cards, not before them; on a slow one
// it still downloads while they are on their way. The first load of a part
// takes the download under way; a load after a failure fetches again.
loader += `
const early = new Map();
const taken = new Set();
function fetchPart(name) {
    const response = early.get(name) ?? fetch(new URL(name, import.meta.url));
    early.delete(name);
    taken.add(name);
    return response;
}
export function prefetch_parts() {
    for (const name of ${JSON.stringify(hashedNames)}) {
        if (early.has(name) || taken.has(name)) continue;
        const response = fetch(new URL(name, import.meta.url));
        response.catch(() => {});
        early.set(name, response);
    }
}
`;
writeFileSync(join(staging, '__wasm_split.js'), loader);
