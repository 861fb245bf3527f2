// cors-anywhere as its README runs it, on the port given: the peer for
// scripts/bench-proxy. No origin allowlist and no required headers, so it
// does no less work per request than it would in its default setup.
const port = Number(process.argv[2] || 8788);
require('cors-anywhere')
  .createServer({ originWhitelist: [], requireHeader: [], removeHeaders: ['cookie', 'cookie2'] })
  .listen(port, '127.0.0.1', () => console.log(`cors-anywhere on http://127.0.0.1:${port}/`));
