// Screenshots of the panel as a user sees it, with operations under way:
// desktop and phone width, light and dark, in English and in Turkish.
// Writes target/screenshots/*.png.
// Run after scripts/build: node end2end/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './harness.mjs';
import { server, card, act, setSafety } from './helpers.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'screenshots');
mkdirSync(out, { recursive: true });
const env = await launch({ opSeconds: 600 });
try {
  const { page } = env;
  await page.goto(env.urls.panel);
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  await card(page, web01, 'base').waitFor();
  await card(page, server(page, 'Demo VPS.org', 'staging-01'), 'staging-clean').waitFor();
  // Operations under way: an ilkbyte create and delete, a VPS.org restore.
  await web01.getByRole('button', { name: 'New snapshot' }).click();
  let dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill('beforeupgrade');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });
  const experiment = card(page, web01, 'experiment');
  await act(experiment, 'Delete');
  dialog = page.getByRole('dialog', { name: 'Delete snapshot' });
  await dialog.getByLabel('Type the snapshot name to confirm').fill('experiment');
  await dialog.getByRole('button', { name: 'Delete snapshot' }).click();
  await dialog.waitFor({ state: 'detached' });
  const clean = card(page, server(page, 'Demo VPS.org', 'staging-01'), 'staging-clean');
  await clean.getByRole('button', { name: 'Restore' }).click();
  dialog = page.getByRole('dialog', { name: 'Restore snapshot' });
  await setSafety(dialog, false);
  await dialog.getByLabel('Type the snapshot name to confirm').fill('staging-clean');
  await dialog.getByRole('button', { name: 'Restore snapshot' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForTimeout(2_500);
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]]) {
      await page.setViewportSize({ width, height });
      await web01.scrollIntoViewIfNeeded();
      // Let the page repaint at its new size before the picture.
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(out, `main-${name}-${scheme}.png`) });
      // The schedule dialog, with its time zone line.
      await act(card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly'), 'Schedule');
      await page.screenshot({ path: join(out, `schedule-${name}-${scheme}.png`) });
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    }
  }
  // The same view in Turkish, switched in the banner.
  await page.getByRole('combobox', { name: 'Language' }).selectOption('tr');
  await page.getByRole('button', { name: 'Hesap ekle' }).waitFor();
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, width, height] of [['desktop', 1280, 800], ['phone', 390, 844]]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(out, `main-${name}-${scheme}-tr.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await web01.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(out, 'cards-desktop-dark-tr.png') });
  console.log(`screenshots in ${out}`);
} finally {
  await env.close();
}
