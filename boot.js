// Loads the panel. A file of its own (not an inline script) so that the
// Content-Security-Policy can be `script-src 'self' 'wasm-unsafe-eval'`.
import init from './snapdeck.js';

// The Overview is drawn by the dialogs' part; until it runs, an empty band
// keeps the Overview's place (style/main.css), so that the cards do not move
// when it comes. Its height depends on the width, the language and the
// data: the one it had when the panel was last hidden or shown at this
// width, when there is one, beats the style sheet's guess. No account data
// is kept.
const OVERVIEW_HEIGHT = 'snapdeck.overview-height';
try {
  const [width, height] = String(localStorage[OVERVIEW_HEIGHT]).split(' ').map(Number);
  if (width === innerWidth && height > 0) document.body.style.setProperty('--overview-height', `${height}px`);
} catch {
  // Storage is off in this browser: the style sheet's guess stands.
}
addEventListener('visibilitychange', () => {
  const overview = document.querySelector('.overview');
  try {
    if (overview) localStorage[OVERVIEW_HEIGHT] = `${innerWidth} ${overview.offsetHeight}`;
  } catch {
    // Storage is off or full: the next visit guesses.
  }
});

const loading = init({ module_or_path: new URL('./snapdeck_bg.wasm', import.meta.url) });
await loading;
// The styles of what the dialogs' part draws (style/later.css): the first
// cards do not wait for them. scripts/minify.mjs writes the sheet's hash.
const later = document.createElement('link');
later.rel = 'stylesheet';
later.href = new URL('./later.css', import.meta.url).href;
later.integrity = 'LATER_CSS_INTEGRITY';
document.head.append(later);
