// wasm-bindgen removes the function table's export (`__indirect_function_table`)
// from the module it reads, and the loader of the split parts needs that table
// to link them. So the main module exports the table a second time, as
// `snapdeck_table`, and the loader reads it by that name.
// Usage: node scripts/split-table.mjs MAIN.wasm LOADER.js
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, loaderPath] = process.argv.slice(2);
const TABLE = '__indirect_function_table';
const SECOND = 'snapdeck_table';

function leb(bytes, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function toLeb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

const wasm = readFileSync(wasmPath);
let at = 8;
let done = false;
const parts = [wasm.subarray(0, 8)];
while (at < wasm.length) {
  const id = wasm[at];
  const [size, body] = leb(wasm, at + 1);
  const end = body + size;
  if (id !== 7) {
    parts.push(wasm.subarray(at, end));
    at = end;
    continue;
  }
  // The export section: count, then (name, kind, index) each.
  let [count, p] = leb(wasm, body);
  const start = p;
  let table;
  for (let i = 0; i < count; i++) {
    const [len, name] = leb(wasm, p);
    const text = wasm.subarray(name, name + len).toString();
    const kind = wasm[name + len];
    const [, next] = leb(wasm, name + len + 1);
    if (text === SECOND) throw new Error(`${wasmPath} already exports ${SECOND}`);
    if (text === TABLE && kind === 1) table = wasm.subarray(name + len, next);
    p = next;
  }
  if (!table) throw new Error(`${wasmPath} does not export ${TABLE}`);
  const name = Buffer.from(SECOND);
  const content = Buffer.concat([
    Buffer.from(toLeb(count + 1)),
    wasm.subarray(start, end),
    Buffer.from(toLeb(name.length)),
    name,
    table,
  ]);
  parts.push(Buffer.from([7, ...toLeb(content.length)]), content);
  done = true;
  at = end;
}
if (!done) throw new Error(`${wasmPath} has no export section`);
writeFileSync(wasmPath, Buffer.concat(parts));

const loader = readFileSync(loaderPath, 'utf8');
const patched = loader.replace(/(const \{[^}]*?)\b__indirect_function_table\b/, `$1${SECOND}: ${TABLE}`);
if (patched === loader) throw new Error(`${loaderPath}: no ${TABLE} read from the main module`);
writeFileSync(loaderPath, patched);
