// Reading and rewriting a wasm file's sections (scripts/minify.mjs,
// scripts/source-paths.mjs).

// An unsigned LEB128 number of a wasm file: [value, offset after it].
export function readLeb(buf, at) {
  let n = 0, shift = 0, byte;
  do { byte = buf[at++]; n += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [n, at];
}

export function leb(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}

// The sections of a wasm file: [id, body, start, end], the offsets of its
// bytes after its size, of the section and after it.
export function* sections(wasm) {
  for (let at = 8; at < wasm.length;) {
    const [size, body] = readLeb(wasm, at + 1);
    yield [wasm[at], body, at, body + size];
    at = body + size;
  }
}

// The wasm file with the section of this id replaced by `rewrite(body)`
// (the offset of the section's bytes after its size), the others as they are.
export function withSection(wasm, id, rewrite) {
  const chunks = [wasm.subarray(0, 8)];
  for (const [which, body, start, end] of sections(wasm)) {
    if (which === id) {
      const section = rewrite(body);
      chunks.push(Buffer.from([id]), leb(section.length), section);
    } else {
      chunks.push(wasm.subarray(start, end));
    }
  }
  return Buffer.concat(chunks);
}

/** wasm-opt's arguments for the main module, as index.html gives them to trunk. */
export function wasmOptArgs(html) {
  const level = html.match(/data-wasm-opt="(\w+)"/)[1];
  const params = html.match(/data-wasm-opt-params="([^"]*)"/)[1].split(/\s+/).filter(Boolean);
  return [`-O${level}`, ...params];
}
