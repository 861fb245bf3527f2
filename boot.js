// Loads the panel. A file of its own (not an inline script) so that the
// Content-Security-Policy can be `script-src 'self' 'wasm-unsafe-eval'`.
import init from './snapdeck.js';

await init({ module_or_path: new URL('./snapdeck_bg.wasm', import.meta.url) });
