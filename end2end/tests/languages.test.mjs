// The panel in Turkish and in English: chosen from the browser, switched
// in the banner and remembered, set for a team by snapdeck.json. Elements
// are found by their names in the language shown.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from '../harness.mjs';
import {
  server, card, text, until, fieldSays, markPage, assertNotReloaded, violations, overflow,
} from '../helpers.mjs';

const envs = [];
after(async () => {
  for (const env of envs) {
    assert.deepEqual(env.pageErrors, []);
    await env.close();
  }
});

async function open(opts) {
  const env = await launch(opts);
  envs.push(env);
  await env.page.goto(env.urls.panel);
  return env;
}

const lang = (page) => page.evaluate(() => document.documentElement.lang);

test('a Turkish browser gets the main view in Turkish, with Turkish dates and sizes', async () => {
  const { page } = await open({ locale: 'tr-TR', opSeconds: 4 });
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  const base = card(page, web01, 'base');
  await base.waitFor();
  assert.equal(await lang(page), 'tr');
  const banner = page.getByRole('banner');
  for (const name of ['Hesap ekle', 'Ayarlar', 'Yenile']) {
    await banner.getByRole('button', { name, exact: true }).waitFor();
  }
  assert.equal(await banner.getByRole('combobox', { name: 'Dil' }).inputValue(), 'tr');
  const overview = page.getByRole('region', { name: 'Genel bakış' });
  await overview.getByRole('searchbox', { name: 'Sunucularda ve snapshotlarda ara' }).waitFor();
  await text(overview, /\d+ sunucu/);
  await web01.getByRole('button', { name: 'Yeni snapshot', exact: true }).waitFor();
  await web01.getByRole('button', { name: 'Güncellemeden önce', exact: true }).waitFor();
  await text(base, /Tamamlandı/);
  await text(base, /Alındı/);
  await text(base, /önce\)/);
  // A Turkish date: day, the month's Turkish short name, the year.
  const taken = await base.locator('time').innerText();
  assert.match(taken, /^\d{1,2} (Oca|Şub|Mar|Nis|May|Haz|Tem|Ağu|Eyl|Eki|Kas|Ara) \d{4}/, taken);
  // Sizes with a decimal comma (VPS.org's are in MB).
  const vps = server(page, 'Demo VPS.org', 'web-server-01');
  await text(vps, /\d+,\d GB|\d+ MB/);
  // The provider's own Turkish schedule text is shown as it was sent.
  const nightly = card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly');
  await text(nightly, /Her 1 günde bir/);
  // No English left on the card's own words.
  const words = await base.innerText();
  assert.doesNotMatch(words, /\b(Completed|Taken|ago|Restore|Revert)\b/, words);
});

// The panel writes dates and sizes itself (the browser's Intl loads its
// locale data on first use, tens of ms before the first card): here every
// card's text is held to what Intl writes for the same value, in zones
// with summer time and half hours, in each language.
for (const [locale, timezoneId] of [['en-US', 'America/New_York'], ['tr-TR', 'Asia/Kolkata']]) {
  test(`dates and sizes read as the browser's Intl writes them (${locale}, ${timezoneId})`, async () => {
    const { page } = await open({ locale, timezoneId });
    await page.locator('article time').first().waitFor();
    await until(async () => (await page.locator('article').count()) >= 10, 10_000, 'the demo cards');
    const checked = await page.evaluate(() => {
      const lang = document.documentElement.lang;
      const dates = new Intl.DateTimeFormat([lang], { dateStyle: 'medium', timeStyle: 'short' });
      const wrong = [];
      let count = 0;
      for (const time of document.querySelectorAll('article time')) {
        // ilkbyte's dates are not ISO: its cards' exact times are checked
        // by the native tests.
        const at = new Date(time.dateTime);
        if (Number.isNaN(at.getTime()) || !/T/.test(time.dateTime)) continue;
        count += 1;
        const want = dates.format(at);
        if (time.textContent !== want) wrong.push(`${time.dateTime}: ${time.textContent} ≠ ${want}`);
      }
      return { lang, count, wrong };
    });
    assert.ok(checked.count >= 3, `only ${checked.count} ISO dates on the cards`);
    assert.deepEqual(checked.wrong, []);
    // Sizes: every "n MB" or "n GB" on a card is what Intl writes for the
    // number it stands for.
    const sizes = await page.evaluate(() => {
      const lang = document.documentElement.lang;
      const [group, mark] = lang === 'tr' ? ['.', ','] : [',', '.'];
      const out = { count: 0, wrong: [] };
      for (const dd of document.querySelectorAll('article dd')) {
        const m = /^([\d.,]+) (MB|GB)$/.exec(dd.textContent.trim());
        if (!m) continue;
        out.count += 1;
        const n = Number(m[1].split(group).join('').replace(mark, '.'));
        const want = new Intl.NumberFormat([lang], { maximumFractionDigits: m[2] === 'GB' ? 1 : 0 }).format(n);
        if (m[1] !== want) out.wrong.push(`${m[1]} ${m[2]} ≠ ${want}`);
      }
      return out;
    });
    assert.ok(sizes.count >= 3, `only ${sizes.count} sizes on the cards`);
    assert.deepEqual(sizes.wrong, []);
  });
}

test('in Turkish: a snapshot is refused, then created, by Turkish names', async () => {
  const { page } = await open({ locale: 'tr-TR', opSeconds: 4 });
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  await card(page, web01, 'base').waitFor();
  await web01.getByRole('button', { name: 'Yeni snapshot', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Yeni snapshot' });
  await dialog.getByLabel('Ad', { exact: true }).fill('tire-var');
  await dialog.getByRole('button', { name: 'Oluştur', exact: true }).click();
  await fieldSays(dialog, 'Ad', /Yalnızca harf ve rakam kullanın/);
  await dialog.getByLabel('Ad', { exact: true }).fill('turkce1');
  await dialog.getByRole('button', { name: 'Oluştur', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  const made = card(page, web01, 'turkce1');
  await text(made, /Oluşturuluyor…/);
  await text(made, /ilkbyte kabul etti/);
  await text(made, /Tamamlandı/, 30_000);
  await text(page.getByRole('status'), /turkce1, web01 üzerinde oluşturuldu \(ilkbyte doğruladı\)/);
});

test('the banner switches the language without a reload, and the device remembers it', async () => {
  const { page } = await open({ locale: 'tr-TR', opSeconds: 6 });
  const web01 = server(page, 'Demo ilkbyte', 'web01');
  await card(page, web01, 'base').waitFor();
  await markPage(page);
  // An operation under way goes on through the switch.
  await web01.getByRole('button', { name: 'Yeni snapshot', exact: true }).click();
  let dialog = page.getByRole('dialog', { name: 'Yeni snapshot' });
  await dialog.getByLabel('Ad', { exact: true }).fill('switch1');
  await dialog.getByRole('button', { name: 'Oluştur', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  await text(card(page, web01, 'switch1'), /Oluşturuluyor…/);
  await page.getByRole('combobox', { name: 'Dil' }).selectOption('en');
  await page.getByRole('button', { name: 'Add account', exact: true }).waitFor();
  assert.equal(await lang(page), 'en');
  // The page was built again; the keyboard's place is still the switch.
  await until(async () => page.evaluate(() => document.activeElement?.id === 'language'), 3_000, 'focus on the switch');
  const made = card(page, web01, 'switch1');
  await text(made, /Creating…/);
  await text(made, /Completed/, 30_000);
  await assertNotReloaded(page);
  // Remembered: a reload stays in English although the browser is Turkish.
  await page.reload();
  await card(page, web01, 'base').waitFor();
  assert.equal(await lang(page), 'en');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('tr');
  await page.getByRole('button', { name: 'Hesap ekle', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('snapdeck.language')), 'tr');
});

test('snapdeck.json sets a team language until the device picks one', async () => {
  const { page } = await open({
    locale: 'en-US',
    config: (u) => ({ proxy: u.proxy, language: 'tr', accounts: [
      { provider: 'ilkbyte', label: 'Demo ilkbyte', base_url: u.ilkbyte,
        access_key: 'demo-access', secret_key: 'demo-secret' },
    ] }),
  });
  await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await page.getByRole('button', { name: 'Hesap ekle', exact: true }).waitFor();
  assert.equal(await lang(page), 'tr');
  await page.getByRole('combobox', { name: 'Dil' }).selectOption('en');
  await page.reload();
  await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  await page.getByRole('button', { name: 'Add account', exact: true }).waitFor();
  assert.equal(await lang(page), 'en');
});

test('Turkish names: only the exact name confirms, and search folds by Turkish rules', async () => {
  const env = await open({ locale: 'tr-TR' });
  const { page, sim } = env;
  assert.equal(await sim.rename('staging-clean', 'İstanbulYedek'), 1);
  assert.equal(await sim.rename('db-baseline', 'ılık'), 1);
  await page.reload();
  const staging = server(page, 'Demo VPS.org', 'staging-01');
  const yedek = card(page, staging, 'İstanbulYedek');
  await yedek.waitFor();
  await yedek.getByRole('button', { name: /için diğer işlemler$/ }).click();
  await yedek.getByRole('menuitem', { name: 'Sil', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Snapshotu sil' });
  const confirm = dialog.getByRole('button', { name: 'Snapshotu sil' });
  const field = dialog.getByLabel('Onaylamak için snapshot adını yazın');
  for (const wrong of ['istanbulyedek', 'IstanbulYedek', 'İSTANBULYEDEK', 'İstanbulyedek', 'ıstanbulYedek']) {
    await field.fill(wrong);
    assert.equal(await confirm.isDisabled(), true, `enabled for ${wrong}`);
  }
  await field.fill('İstanbulYedek');
  assert.equal(await confirm.isDisabled(), false, 'disabled for the exact name');
  await dialog.getByRole('button', { name: 'Vazgeç' }).click();

  const ilik = card(page, server(page, 'Demo VPS.org', 'db-server-01'), 'ılık');
  await ilik.getByRole('button', { name: /için diğer işlemler$/ }).click();
  await ilik.getByRole('menuitem', { name: 'Sil', exact: true }).click();
  const again = page.getByRole('dialog', { name: 'Snapshotu sil' });
  for (const wrong of ['ilik', 'ILIK', 'Ilık', 'ILık']) {
    await again.getByLabel('Onaylamak için snapshot adını yazın').fill(wrong);
    assert.equal(await again.getByRole('button', { name: 'Snapshotu sil' }).isDisabled(), true, `enabled for ${wrong}`);
  }
  await again.getByLabel('Onaylamak için snapshot adını yazın').fill('ılık');
  assert.equal(await again.getByRole('button', { name: 'Snapshotu sil' }).isDisabled(), false);
  await again.getByRole('button', { name: 'Vazgeç' }).click();

  // Search: in Turkish, ILIK is ılık (and not ilik); İSTANBUL is istanbul.
  const search = page.getByRole('searchbox', { name: 'Sunucularda ve snapshotlarda ara' });
  const showing = page.getByRole('region', { name: 'Genel bakış' });
  await search.fill('ILIK');
  await text(showing, /\d+ sunucudan 1 tanesi gösteriliyor/);
  await until(async () => !(await server(page, 'Demo VPS.org', 'db-server-01').isHidden()), 5_000, 'db-server-01 shown');
  await search.fill('İSTANBULYEDEK');
  await text(showing, /\d+ sunucudan 1 tanesi gösteriliyor/);
  await search.fill('ISTANBULYEDEK');
  await text(showing, /\d+ sunucudan 0 tanesi gösteriliyor/);
  // In English, I and İ are both i: ILIK no longer finds ılık, and
  // ISTANBULYEDEK finds İstanbulYedek.
  await search.fill('');
  await page.getByRole('combobox', { name: 'Dil' }).selectOption('en');
  const english = page.getByRole('searchbox', { name: 'Search servers and snapshots' });
  await english.fill('ILIK');
  await text(page.getByRole('region', { name: 'Overview' }), /Showing 0 of \d+ servers/);
  await english.fill('ISTANBULYEDEK');
  await text(page.getByRole('region', { name: 'Overview' }), /Showing 1 of \d+ servers/);
});

test('in Turkish, axe-core finds nothing and the longer words fit a phone', async () => {
  const { page } = await open({ locale: 'tr-TR', opSeconds: 20 });
  await card(page, server(page, 'Demo ilkbyte', 'db01'), 'nightly').waitFor();
  await card(page, server(page, 'Demo VPS.org', 'web-server-01'), 'initial-setup').waitFor();
  const more = (region, name) => card(page, server(page, ...region), name)
    .getByRole('button', { name: /için diğer işlemler$/ });
  const views = [
    ['ana görünüm', async () => {}],
    ['Yeni snapshot', async () => {
      await server(page, 'Demo VPS.org', 'web-server-01').getByRole('button', { name: 'Yeni snapshot' }).click();
    }],
    ['Snapshotu sil', async () => {
      await more(['Demo ilkbyte', 'db01'], 'nightly').click();
      await page.getByRole('menuitem', { name: 'Sil', exact: true }).click();
    }],
    ['Sunucuyu geri döndür', async () => {
      await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').getByRole('button', { name: 'Geri döndür' }).click();
    }],
    ['Snapshotu zamanla', async () => {
      await more(['Demo ilkbyte', 'db01'], 'nightly').click();
      await page.getByRole('menuitem', { name: 'Zamanlama', exact: true }).click();
    }],
    ['Hesap ekle', async () => page.getByRole('button', { name: 'Hesap ekle' }).click()],
    ['Ayarlar', async () => page.getByRole('button', { name: 'Ayarlar' }).click()],
  ];
  const found = [];
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 390, 320]) {
      await page.setViewportSize({ width, height: 800 });
      for (const [name, openView] of views) {
        await openView();
        await page.waitForTimeout(100);
        const wide = await overflow(page);
        if (wide.length) found.push(`${scheme} ${width} ${name}: ${wide.join('; ')}`);
        if (width !== 320) for (const v of await violations(page)) found.push(`${scheme} ${width} ${name}: ${v}`);
        await page.keyboard.press('Escape');
        await until(async () => (await page.locator('dialog[open], [role=menu]').count()) === 0, 3_000, `${name} closed`);
      }
    }
  }
  assert.deepEqual(found, []);
});

test('an English browser gets English, and a language the panel lacks falls back to it', async () => {
  const { page } = await open({ locale: 'de-DE' });
  await card(page, server(page, 'Demo ilkbyte', 'web01'), 'base').waitFor();
  assert.equal(await lang(page), 'en');
  await page.getByRole('button', { name: 'Add account', exact: true }).waitFor();
  assert.equal(await page.getByRole('combobox', { name: 'Language' }).inputValue(), 'en');
});

test('an alert on screen follows a change of language at once, without asking the provider again', async () => {
  const { page } = await open({});
  const vps = page.getByRole('region', { name: 'Demo VPS.org', exact: true });
  const web = server(page, 'Demo VPS.org', 'web-server-01');
  await card(page, web, 'initial-setup').waitFor();
  // VPS.org's server list cannot be reached; its snapshot lists can.
  let asked = 0;
  await page.route('**/vpsorg/api/v1/servers/**', (route) => {
    asked += 1;
    return route.abort('failed');
  });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await text(vps.getByRole('alert'), /^Could not reach the CORS proxy at 127\.0\.0\.1:\d+\./);
  const before = asked;
  await page.getByRole('combobox', { name: 'Language' }).selectOption('tr');
  await text(vps.getByRole('alert'), /^127\.0\.0\.1:\d+ adresindeki CORS proxy'ye ulaşılamadı\./, 2_000);
  assert.equal(asked, before, 'worded again, not fetched again');
  await page.getByRole('combobox', { name: 'Dil' }).selectOption('en');
  await text(vps.getByRole('alert'), /^Could not reach the CORS proxy/, 2_000);
  await page.unrouteAll();
});
