// The source paths of the crates the panel builds on, blanked in a wasm's
// data. Rust keeps a panic's place (file, line, column) for every panic the
// code can reach, and the file is the path it was built from:
// `$CARGO_HOME/registry/src/index.crates.io-<hash>/<crate>-<version>/src/…`
// or the standard library's `/rustc/<commit>/library/…`. On
// wasm32-unknown-unknown a panic message goes nowhere (the panel installs no
// panic hook, and stderr is a sink), so these paths are never read; as
// text no two alike, they cost about 650 bytes brotli of the first load.
// Each one's bytes become zeros, in place: the lengths and addresses the
// code holds stay as they are. The panel's own paths (`src/…`) stay.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { sections } from './wasm-file.mjs';

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Cargo's sources of the crates (as this machine's cargo keeps them), and
// the standard library's as rustc names them.
const registry = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'registry', 'src');
const PATH = new RegExp(`(?:${escape(registry)}/[^/]+|/rustc/[0-9a-f]{40})/[\\w./-]*?\\.rs`, 'g');

/** Blanks the paths in `wasm`'s data section, in place; returns how many. */
export function blankSourcePaths(wasm) {
  let blanked = 0;
  for (const [id, body, , end] of sections(wasm)) {
    if (id !== 11) continue;
    // latin1: one character a byte, so a match's index is its offset.
    for (const m of wasm.toString('latin1', body, end).matchAll(PATH)) {
      wasm.fill(0, body + m.index, body + m.index + m[0].length);
      blanked++;
    }
  }
  return blanked;
}
