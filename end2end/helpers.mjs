// Finding things the way a screen reader would, and waiting for them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function account(page, label) {
  return page.getByRole('region', { name: label, exact: true });
}

export function server(page, accountLabel, name) {
  return account(page, accountLabel).getByRole('region', { name, exact: true });
}

export function card(page, region, name) {
  return region.getByRole('article').filter({
    has: page.getByRole('heading', { name, exact: true }),
  });
}

/** Polls `check` until it returns a truthy value, or fails after `ms`. */
export async function until(check, ms = 15_000, what = 'condition') {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} not met within ${ms} ms (last: ${last})`);
}

/** Waits until the locator's text matches `re`. */
export async function text(locator, re, ms = 15_000) {
  return until(async () => re.test(await locator.innerText({ timeout: 1_000 })), ms, `text ${re}`);
}

/** Marks the page, so a later check can tell that it was never reloaded. */
export async function markPage(page) {
  await page.evaluate(() => { window.__notReloaded = true; });
}

export async function assertNotReloaded(page) {
  assert.equal(await page.evaluate(() => window.__notReloaded === true), true, 'the page was reloaded');
}

/** Requests the simulator saw, as "METHOD /path" lines, since `from`. */
export async function requestsSince(sim, from) {
  const stats = await sim.stats();
  return stats.recent.slice(from);
}

export async function requestCount(sim) {
  return (await sim.stats()).recent.length;
}

/**
 * Runs a card's action: its main button, or an item of its "More actions"
 * menu (opened with the mouse, the way most users would).
 */
export async function act(cardLocator, name) {
  const direct = cardLocator.getByRole('button', { name, exact: true });
  if (await direct.count()) return direct.click();
  await cardLocator.getByRole('button', { name: /^More actions/ }).click();
  await cardLocator.getByRole('menuitem', { name, exact: true }).click();
}

/** Whether a card offers any action besides its main one right now. */
export async function offersMore(cardLocator) {
  return (await cardLocator.getByRole('button', { name: /^More actions/ }).getAttribute('aria-disabled')) !== 'true';
}

/**
 * Sets a restore or revert dialog's "Take a safety snapshot first" (on by
 * default where there is room): tests of the plain operation turn it off.
 */
export async function setSafety(dialog, on) {
  const box = dialog.getByRole('checkbox', { name: 'Take a safety snapshot first' });
  if (await box.count() && !(await box.isDisabled())) await box.setChecked(on);
}

/**
 * Opens a card's confirmation, checks that it guards the action, confirms.
 * A restore or revert runs without a safety snapshot unless `safety`.
 */
export async function confirmWithName(page, open, action, name, { safety = false } = {}) {
  await (typeof open === 'function' ? open() : open.click());
  const dialog = page.getByRole('dialog', { name: action });
  await dialog.waitFor();
  await setSafety(dialog, safety);
  const confirm = dialog.getByRole('button', { name: action });
  assert.equal(await confirm.isDisabled(), true, 'enabled before the name is typed');
  const field = dialog.getByLabel('Type the snapshot name to confirm');
  await field.fill(`${name}x`);
  assert.equal(await confirm.isDisabled(), true, 'enabled for a wrong name');
  await field.fill(name);
  assert.equal(await confirm.isDisabled(), false, 'still disabled with the right name');
  await confirm.click();
  await dialog.waitFor({ state: 'detached' });
}

/**
 * The problem shown beside a form field: the field is marked invalid and
 * names the message in its aria-describedby. Waits for `re` up to `ms`.
 */
export async function fieldSays(form, label, re, ms = 5_000) {
  const input = form.getByLabel(label, { exact: true });
  await until(async () => {
    const said = await input.evaluate((el) => ({
      invalid: el.getAttribute('aria-invalid'),
      text: (el.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean)
        .map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
    }));
    return said.invalid === 'true' && re.test(said.text);
  }, ms, `${label}: ${re}`);
}

/** axe-core's violations on the page as it is now, as readable lines. */
export async function violations(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** Page and open dialog: nothing wider than the viewport. */
export async function overflow(page) {
  return page.evaluate(() => {
    const wide = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth) wide.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
    const dialog = document.querySelector('dialog[open]');
    if (dialog) {
      if (dialog.scrollWidth > dialog.clientWidth) wide.push(`dialog ${dialog.scrollWidth} > ${dialog.clientWidth}`);
      if (dialog.getBoundingClientRect().right > root.clientWidth) wide.push('dialog past the edge');
    }
    return wide;
  });
}

/** Holds every request to `url` back `ms` before it goes on; the answer
 *  tells whether any has gone yet. */
export async function holdBack(page, url, ms) {
  let released = false;
  await page.route(url, async (route) => {
    await new Promise((r) => setTimeout(r, ms));
    released = true;
    await route.continue();
  });
  return () => released;
}
