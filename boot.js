// Loads the panel. A file of its own (not an inline script) so that the
// Content-Security-Policy can be `script-src 'self' 'wasm-unsafe-eval'`.
import init from './snapdeck.js';

const loading = init({ module_or_path: new URL('./snapdeck_bg.wasm', import.meta.url) });
// The browser loads its Intl data on the first formatter of each kind made,
// which takes tens of ms (15-43 ms for the number formatter here). Made
// here, that happens while the wasm is fetched and compiled off this
// thread, not while the first lists are read and drawn.
try {
  new Intl.DateTimeFormat(navigator.languages, { dateStyle: 'medium', timeStyle: 'short' }).format(0);
  new Intl.NumberFormat(navigator.languages, { maximumFractionDigits: 1 }).format(1.5);
} catch {
  // A language tag the browser's Intl refuses: the panel chooses its own.
}
await loading;
// The styles of what the dialogs' part draws (style/later.css): the first
// cards do not wait for them. scripts/minify.mjs writes the sheet's hash.
const later = document.createElement('link');
later.rel = 'stylesheet';
later.href = new URL('./later.css', import.meta.url).href;
later.integrity = 'LATER_CSS_INTEGRITY';
document.head.append(later);
