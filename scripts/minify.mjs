// Minifies what trunk leaves readable in a release build: the JS that
// wasm-bindgen and wasm-split write and boot.js (terser), and the style
// sheets (csso, without reordering rules). main.css's integrity hash in
// index.html is computed again, later.css's is written into boot.js, and
// index.html loses its comments, its blanks between tags and the build's
// own <link data-trunk rel="rust"> tag, which trunk leaves in place when it
// injects no script.
// The wasm's imports get short names, wasm-streams' unused classes go (and
// the main module is optimized once more without them), short ASCII
// strings from the wasm skip TextDecoder, imports that may throw catch
// without a closure, and the crates' source paths are blanked
// (scripts/source-paths.mjs).
// Usage: node scripts/minify.mjs [dist]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify as minifyJs } from 'terser';
import { minify as minifyCss } from 'csso';
import { blankSourcePaths } from './source-paths.mjs';
import { leb, readLeb, sections, wasmOptArgs, withSection } from './wasm-file.mjs';

const dist = process.argv[2] ?? 'dist';
const path = (name) => join(dist, name);
const sizes = [];

async function js(name, edit = (code) => code) {
  const code = edit(readFileSync(path(name), 'utf8'));
  const out = await minifyJs(code, { module: true, ecma: 2020, compress: { passes: 2 }, mangle: true });
  writeFileSync(path(name), out.code);
  sizes.push([name, code.length, out.code.length]);
}

function css(name) {
  const text = readFileSync(path(name), 'utf8');
  // restructure: false keeps every rule where it is (the cascade as written).
  const out = minifyCss(text, { restructure: false }).css;
  writeFileSync(path(name), out);
  sizes.push([name, text.length, out.length]);
  return `sha384-${createHash('sha384').update(out).digest('base64')}`;
}

function html(name, integrity) {
  const text = readFileSync(path(name), 'utf8');
  let out = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<link data-trunk rel="rust"[^>]*>/, '')
    .replace(/(href="\.\/main\.css" integrity=")[^"]*"/, `$1${integrity}"`)
    // Blanks between tags (none is text the page shows), and the void
    // elements' closing slashes.
    .replace(/>\s+</g, '><')
    .replace(/\s*\/>/g, '>')
    .trim();
  if (!out.includes(integrity)) throw new Error('minify: main.css has no integrity attribute in index.html');
  if (out.includes('data-trunk')) throw new Error('minify: a data-trunk tag is left in index.html');
  writeFileSync(path(name), out);
  sizes.push([name, text.length, out.length]);
}

// wasm-bindgen names each import of the panel's JS by what it calls and a
// hash (`__wbg_setattribute_2f1e3c4d5a6b7c8d`): about 185 names, whose hashes
// neither file can compress (about 3 KB brotli of the first load, counted
// in both). They become short names, in the wasm's import section and in
// snapdeck.js's import object alike; each must be a key there, once.
function shortImports(wasmName, jsName, module) {
  const wasm = readFileSync(path(wasmName));
  let code = readFileSync(path(jsName), 'utf8');
  const name = (text) => { const b = Buffer.from(text); return Buffer.concat([leb(b.length), b]); };
  let renamed = 0;
  const out = withSection(wasm, 2, (body) => {
    let [count, p] = readLeb(wasm, body);
    const parts = [leb(count)];
    for (let i = 0; i < count; i++) {
      let len;
      [len, p] = readLeb(wasm, p); const mod = wasm.toString('utf8', p, p + len); p += len;
      [len, p] = readLeb(wasm, p); const field = wasm.toString('utf8', p, p + len); p += len;
      const descStart = p;
      const kind = wasm[p++];
      if (kind === 0) [, p] = readLeb(wasm, p); // function: type index
      else if (kind === 1) { p++; const flags = wasm[p++]; [, p] = readLeb(wasm, p); if (flags & 1) [, p] = readLeb(wasm, p); } // table
      else if (kind === 2) { const flags = wasm[p++]; [, p] = readLeb(wasm, p); if (flags & 1) [, p] = readLeb(wasm, p); } // memory
      else if (kind === 3) p += 2; // global
      else throw new Error(`minify: import kind ${kind} of ${field}`);
      let short = field;
      if (mod === module) {
        const key = new RegExp(`(?<![\\w$])${field}:`, 'g');
        const found = code.match(key)?.length ?? 0;
        if (found !== 1) throw new Error(`minify: import ${field} is ${found} times a key in ${jsName}`);
        short = `$${(renamed++).toString(36)}`;
        code = code.replace(key, `${short}:`);
      }
      parts.push(name(mod), name(short), wasm.subarray(descStart, p));
    }
    return Buffer.concat(parts);
  });
  writeFileSync(path(wasmName), out);
  writeFileSync(path(jsName), code);
  console.log(`minify: ${renamed} imports of ${wasmName} renamed`);
}

// Leptos always links server_fn, whose wasm-streams exports three classes
// to JS (IntoUnderlyingSource, …Sink, …ByteSource) that only a server
// function's streaming uses; the panel has none. Their classes leave
// snapdeck.js and their exports the wasm, which wasm-opt then optimizes once
// more, at index.html's level and with its flags: their code goes, what
// called into it is simplified, and the zeros of the blanked source paths
// leave the data (623 bytes brotli less in all than only removing what
// became unused). The function table stays as it is: the dialogs' part
// imports it, and calls the main module's functions through it.
const STREAMS = /^(__wbg_)?intounderlying(bytesource|sink|source)_/;

function withoutStreamClasses(code) {
  const out = code
    .replace(/^export class IntoUnderlying\w+ \{\n[\s\S]*?\n\}\n/gm, '')
    .replace(/^if \(Symbol\.dispose\) IntoUnderlying\w+\.prototype\[Symbol\.dispose\] = IntoUnderlying\w+\.prototype\.free;\n/gm, '')
    .replace(/^const IntoUnderlying\w+Finalization = [^\n]*\n[^\n]*\n[^\n]*\);\n/gm, '');
  const left = out.match(/IntoUnderlying|intounderlying/);
  if (left) throw new Error(`minify: snapdeck.js still speaks of ${left[0]}: wasm-bindgen's output changed`);
  return out;
}

// The initial sizes of the wasm's tables, as text.
function tableSizes(wasm) {
  for (const [id, body] of sections(wasm)) {
    if (id !== 4) continue;
    let [count, p] = readLeb(wasm, body);
    const sizes = [];
    for (let i = 0; i < count; i++) {
      const flags = wasm[p + 1]; // after the reference type
      let min;
      [min, p] = readLeb(wasm, p + 2);
      if (flags & 1) [, p] = readLeb(wasm, p); // maximum
      sizes.push(min);
    }
    return sizes.join(', ');
  }
  throw new Error('minify: the wasm has no table');
}

function withoutStreamExports(wasmName) {
  const wasm = readFileSync(path(wasmName));
  let dropped = 0;
  const out = withSection(wasm, 7, (body) => {
    let [count, p] = readLeb(wasm, body);
    const kept = [];
    for (let i = 0; i < count; i++) {
      const start = p;
      let len;
      [len, p] = readLeb(wasm, p);
      const field = wasm.toString('utf8', p, p + len);
      p += len + 1; // name, kind
      [, p] = readLeb(wasm, p); // index
      if (STREAMS.test(field)) dropped++;
      else kept.push(wasm.subarray(start, p));
    }
    return Buffer.concat([leb(kept.length), ...kept]);
  });
  if (dropped !== 13) throw new Error(`minify: ${dropped} wasm-streams exports in ${wasmName}, 13 expected`);
  writeFileSync(path(wasmName), out);
  const html = readFileSync('index.html', 'utf8');
  execFileSync(join('scripts', 'node_modules', '.bin', 'wasm-opt'),
    [...wasmOptArgs(html), path(wasmName), '-o', path(wasmName)], { stdio: 'inherit' });
  const [before, after] = [tableSizes(wasm), tableSizes(readFileSync(path(wasmName)))];
  if (before !== after) throw new Error(`minify: the tables of ${wasmName} went from ${before} to ${after}`);
}

// Short ASCII strings from the wasm (tag and attribute names, classes,
// words of a card: over 100,000 for 5,000 cards) are read byte by byte:
// TextDecoder's cost is mostly per call, and it stays for the others.
const STRING_FROM_WASM = 'function getStringFromWasm0(ptr, len) {\n    ptr = ptr >>> 0;\n';

function withShortStringsRead(code) {
  if (!code.includes(STRING_FROM_WASM)) throw new Error("minify: snapdeck.js's getStringFromWasm0 changed: wasm-bindgen's output changed");
  return code.replace(STRING_FROM_WASM, `${STRING_FROM_WASM}    if (len < 64) {
        const bytes = getUint8ArrayMemory0();
        let text = '';
        for (let i = ptr; i < ptr + len && text !== null; i++) {
            text = bytes[i] < 128 ? text + String.fromCharCode(bytes[i]) : null;
        }
        if (text !== null) return text;
    }
`);
}

// wasm-bindgen wraps each import that may throw (most DOM calls: every
// element made, attribute set and node inserted) as
// `function() { return handleError(function (a, b) {…}, arguments); }`:
// a closure made, then applied to `arguments`, on each call. Each becomes
// the inner function with a try/catch of its own, which stores a thrown
// exception for the wasm as handleError did: 1,000 x 5 cards render about
// 10% sooner, the first card about 5%.
const CATCHING_IMPORT = /function\(\) \{ return handleError\(function \(([^)]*)\) \{\n([\s\S]*?)\n {8}\}, arguments\); \}/g;
const HANDLE_ERROR = `function handleError(f, args) {
    try {
        return f.apply(this, args);
    } catch (e) {
        const idx = addToExternrefTable0(e);
        wasm.__wbindgen_exn_store(idx);
    }
}
`;

function withDirectCatch(code) {
  if (!code.includes(HANDLE_ERROR)) throw new Error("minify: snapdeck.js's handleError changed: wasm-bindgen's output changed");
  let rewritten = 0;
  const out = code
    .replace(CATCHING_IMPORT, (_, params, body) => {
      rewritten += 1;
      return `function (${params}) { try {\n${body}\n} catch (e) { storeException(e); } }`;
    })
    .replace(HANDLE_ERROR, `function storeException(e) {
    const idx = addToExternrefTable0(e);
    wasm.__wbindgen_exn_store(idx);
}
`);
  if (rewritten === 0 || out.includes('handleError')) throw new Error(`minify: ${rewritten} imports of snapdeck.js rewritten, and handleError is still called`);
  return out;
}

// The paths first: wasm-opt then packs the data without their zeros.
{
  const wasm = readFileSync(path('snapdeck_bg.wasm'));
  const blanked = blankSourcePaths(wasm);
  if (blanked === 0) throw new Error('minify: no source path of a crate in snapdeck_bg.wasm: is CARGO_HOME the one cargo built with?');
  writeFileSync(path('snapdeck_bg.wasm'), wasm);
  console.log(`minify: ${blanked} source paths of snapdeck_bg.wasm blanked`);
}
withoutStreamExports('snapdeck_bg.wasm');
await js('snapdeck.js', (code) => withDirectCatch(withShortStringsRead(withoutStreamClasses(code))));
shortImports('snapdeck_bg.wasm', 'snapdeck.js', './snapdeck_bg.js');
// The loader of the parts fetched later (scripts/chunks.mjs).
await js('__wasm_split.js');
await js('boot.js');
html('index.html', css('main.css'));
// boot.js adds later.css, with its hash.
{
  const integrity = css('later.css');
  const boot = readFileSync(path('boot.js'), 'utf8');
  if (!boot.includes('LATER_CSS_INTEGRITY')) throw new Error('minify: boot.js has no LATER_CSS_INTEGRITY to fill');
  writeFileSync(path('boot.js'), boot.replace('LATER_CSS_INTEGRITY', integrity));
}
for (const [name, before, after] of sizes) console.log(`minify: ${name} ${before} -> ${after} bytes`);
