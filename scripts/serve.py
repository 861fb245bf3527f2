#!/usr/bin/env python3
"""Serves the built panel (dist/) as static files, for the demo and the tests.

--config FILE serves FILE as /snapdeck.json, so each run can point the panel
at its own simulator and proxy without touching dist/.

Like any production host, it sends the files compressed when the browser
accepts it: the `.br` file scripts/build writes beside each one (brotli),
else gzip made on the fly; --no-compress turns that off (to compare).
"""
import argparse
import gzip
import http.server
import os
import sys


CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; connect-src *; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".json": "application/json",
        ".css": "text/css",
    }
    config = None
    compress = True
    gzipped = {}

    def send_compressed(self):
        """The file in the best encoding the browser accepts; False when
        there is nothing to compress (or it must not be)."""
        path = self.translate_path(self.path.split("?")[0])
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if not self.compress or not os.path.isfile(path):
            return False
        if not path.endswith((".wasm", ".js", ".css", ".html")):
            return False
        accepted = self.headers.get("Accept-Encoding", "")
        if "br" in accepted and os.path.isfile(path + ".br"):
            encoding = "br"
            with open(path + ".br", "rb") as f:
                body = f.read()
        elif "gzip" in accepted:
            encoding = "gzip"
            key = (path, os.path.getmtime(path))
            if key not in self.gzipped:
                with open(path, "rb") as f:
                    self.gzipped[key] = gzip.compress(f.read(), 9)
            body = self.gzipped[key]
        else:
            return False
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)
        return True

    def do_GET(self):
        if self.config and self.path.split("?")[0] == "/snapdeck.json":
            with open(self.config, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.send_compressed():
            return
        super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        # The policy the README recommends for static hosts: the tests run
        # the panel under it.
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default="dist")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--config", help="file to serve as /snapdeck.json")
    parser.add_argument("--no-compress", action="store_true", help="send every file as it is")
    args = parser.parse_args()
    Handler.compress = not args.no_compress
    if not os.path.isfile(os.path.join(args.dir, "index.html")):
        sys.exit(f"serve.py: no built panel in {args.dir}/ (run trunk build --release)")
    Handler.config = os.path.abspath(args.config) if args.config else None
    os.chdir(args.dir)
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"serving the panel on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
