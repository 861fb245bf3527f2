// Minifies what trunk leaves readable in a release build: the JS that
// wasm-bindgen and wasm-split write (terser) and the style sheet (csso,
// without reordering rules). The style sheet's integrity hash in index.html is
// computed again, and index.html loses its comments and the build's own
// <link data-trunk rel="rust"> tag, which trunk leaves in place when it
// injects no script.
// Usage: node scripts/minify.mjs [dist]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify as minifyJs } from 'terser';
import { minify as minifyCss } from 'csso';

const dist = process.argv[2] ?? 'dist';
const path = (name) => join(dist, name);
const sizes = [];

async function js(name) {
  const code = readFileSync(path(name), 'utf8');
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
    .replace(/\n\s*\n/g, '\n');
  if (!out.includes(integrity)) throw new Error('minify: main.css has no integrity attribute in index.html');
  if (out.includes('data-trunk')) throw new Error('minify: a data-trunk tag is left in index.html');
  writeFileSync(path(name), out);
  sizes.push([name, text.length, out.length]);
}

await js('snapdeck.js');
// The loader of the parts fetched later (scripts/chunks.mjs).
await js('__wasm_split.js');
html('index.html', css('main.css'));
for (const [name, before, after] of sizes) console.log(`minify: ${name} ${before} -> ${after} bytes`);
