#!/usr/bin/env python3
"""The panel's code by area: function bodies and data of the wasm as cargo
built it, before wasm-bindgen and wasm-opt (that build keeps the function
names). A growth shows in the area where it happens; the figures are raw
bytes of that build, so compare shares, not totals, with the brotli table.

Usage: size-areas.py [target/wasm32-unknown-unknown/wasm-release/snapdeck.wasm]
"""
import re
import sys

PATH = sys.argv[1] if len(sys.argv) > 1 else "target/wasm32-unknown-unknown/wasm-release/snapdeck.wasm"

# The first of these in a function's path names its area.
AREAS = [
    ("snapdeck", "the app's own code"),
    ("tachys", "tachys (views)"),
    ("reactive_graph", "reactive_graph (signals)"),
    ("serde_json", "serde and serde_json"),
    ("serde_core", "serde and serde_json"),
    ("serde", "serde and serde_json"),
    ("core::fmt", "core::fmt"),
    ("alloc::collections", "std collections"),
    ("std::collections", "std collections"),
    ("hashbrown", "std collections"),
    ("leptos", "leptos"),
    ("wasm_bindgen", "wasm-bindgen, js-sys, web-sys, gloo"),
    ("js_sys", "wasm-bindgen, js-sys, web-sys, gloo"),
    ("web_sys", "wasm-bindgen, js-sys, web-sys, gloo"),
    ("gloo", "wasm-bindgen, js-sys, web-sys, gloo"),
]
DESCRIBE = re.compile(r"WasmDescribe|__wbindgen_describe")
PATTERN = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(re.escape(a) for a, _ in AREAS) + r")(?![A-Za-z0-9_])")


def leb(buf, i):
    n = shift = 0
    while True:
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return n, i


def demangle(name):
    """Legacy Rust mangling, enough to read the path: a::b::<c as d>::e
    (wasm-ld usually writes the names demangled already)."""
    if not name.startswith("_ZN"):
        return name
    i, parts = 3, []
    while i < len(name) and name[i].isdigit():
        j = i
        while name[j].isdigit():
            j += 1
        n = int(name[i:j])
        parts.append(name[j:j + n])
        i = j + n
    text = "::".join(parts)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("$u20$", " "), ("$RF$", "&"), ("$C$", ","), ("..", "::")):
        text = text.replace(a, b)
    return text


def main():
    buf = open(PATH, "rb").read()
    i = 8
    imported = 0
    bodies = []
    data = 0
    names = {}
    while i < len(buf):
        sid = buf[i]
        size, i = leb(buf, i + 1)
        end = i + size
        if sid == 2:  # imports: functions come first in the index space
            count, j = leb(buf, i)
            for _ in range(count):
                for _ in range(2):
                    n, j = leb(buf, j)
                    j += n
                kind = buf[j]
                j += 1
                if kind == 0:
                    imported += 1
                    _, j = leb(buf, j)
                elif kind == 1:
                    j += 1
                    flags, j = leb(buf, j)
                    _, j = leb(buf, j)
                    if flags & 1:
                        _, j = leb(buf, j)
                elif kind == 2:
                    flags, j = leb(buf, j)
                    _, j = leb(buf, j)
                    if flags & 1:
                        _, j = leb(buf, j)
                elif kind == 3:
                    j += 2
                else:
                    _, j = leb(buf, j)
        elif sid == 10:
            count, j = leb(buf, i)
            for _ in range(count):
                n, k = leb(buf, j)
                bodies.append(k - j + n)
                j = k + n
        elif sid == 11:
            data = size
        elif sid == 0:
            n, j = leb(buf, i)
            if buf[j:j + n] == b"name":
                j += n
                while j < end:
                    sub = buf[j]
                    subsize, j = leb(buf, j + 1)
                    if sub == 1:
                        count, k = leb(buf, j)
                        for _ in range(count):
                            idx, k = leb(buf, k)
                            ln, k = leb(buf, k)
                            names[idx] = buf[k:k + ln].decode("utf-8", "replace")
                            k += ln
                    j += subsize
        i = end
    if not bodies or not names:
        sys.exit(f"size-areas: no code or no function names in {PATH}")
    totals = {}
    for n, size in enumerate(bodies):
        # The standard library's names carry a disambiguator: core[0123…]::.
        path = re.sub(r"\[[0-9a-f]{16}\]", "", demangle(names.get(imported + n, "")))
        # wasm-bindgen reads these type descriptions and removes them.
        if DESCRIBE.search(path):
            continue
        m = PATTERN.search(path)
        area = dict(AREAS)[m.group(1)] if m else "other (core, alloc, std, …)"
        totals[area] = totals.get(area, 0) + size
    totals["data sections"] = data
    whole = sum(totals.values())
    print(f"{'area (names-kept build, before wasm-opt)':<44} {'bytes':>10} {'share':>6}")
    for area, size in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"{area:<44} {size:>10} {size * 100 / whole:>5.1f}%")
    print(f"{'code and data':<44} {whole:>10}")


if __name__ == "__main__":
    main()
