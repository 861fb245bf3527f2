// Every operation of both providers, started from the panel as a user
// would, with each card sampled every 100 ms in the page. The simulator
// records when each operation shows in its lists (`done_ms`), so what a
// card said at any moment can be held against the provider's truth.
import { server, card, act, setSafety } from './helpers.mjs';

// The main action and the menu of the others.
const ACTIONS = ['Restore', 'Revert', 'More'];
const PHASE = /(Creating|Restoring|Reverting|Recreating|Deleting|Scheduling|Removing schedule)…/;

/** Starts sampling the cards named `names` (unique names) every 100 ms. */
export async function startSampler(page, names) {
  await page.evaluate((names) => {
    window.__samples = Object.fromEntries(names.map((n) => [n, []]));
    window.__servers = {};
    const sample = () => {
      const t = Date.now();
      const seen = {};
      for (const art of document.querySelectorAll('article')) {
        const name = art.querySelector('h4')?.textContent.trim();
        if (!(name in window.__samples)) continue;
        seen[name] = {
          text: art.innerText,
          enabled: [...art.querySelectorAll('button')]
            .filter((b) => !b.disabled && b.getAttribute('aria-disabled') !== 'true')
            .map((b) => b.textContent.replace('▾', '').trim()),
        };
      }
      for (const n of names) window.__samples[n].push([t, seen[n] ?? null]);
      for (const s of document.querySelectorAll('section.server')) {
        const name = s.getAttribute('aria-label');
        (window.__servers[name] ||= []).push([t, s.querySelector('.server-status')?.textContent ?? '']);
      }
    };
    window.__sampler = setInterval(sample, 100);
  }, names);
}

export async function samples(page) {
  return page.evaluate(() => ({ cards: window.__samples, servers: window.__servers }));
}

async function confirmAction(page, cardLocator, button, action, name) {
  await act(cardLocator, button);
  const dialog = page.getByRole('dialog', { name: action });
  await setSafety(dialog, false);
  await dialog.getByLabel('Type the snapshot name to confirm').fill(name);
  await dialog.getByRole('button', { name: action }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
}

async function create(page, region, name) {
  await region.getByRole('button', { name: 'New snapshot' }).click();
  const dialog = page.getByRole('dialog', { name: 'New snapshot' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
}

/**
 * The operations, in rounds: each round's operations run at once, on
 * different servers or snapshots. `sim` names the simulator's record,
 * `settled` tells from a card's text that it is done.
 */
export function plan(page) {
  const ilk = (s) => server(page, 'Demo ilkbyte', s);
  const vps = (s) => server(page, 'Demo VPS.org', s);
  return [
    [
      { provider: 'ilkbyte', op: 'create', name: 'slowone', sim: 'create', label: 'Creating…',
        start: () => create(page, ilk('web01'), 'slowone'), done: /Completed/ },
      { provider: 'ilkbyte', op: 'recreate', name: 'nightly', sim: 'recreate', label: 'Recreating…',
        start: () => confirmAction(page, card(page, ilk('db01'), 'nightly'), 'Recreate', 'Recreate snapshot', 'nightly') },
      { provider: 'VPS.org', op: 'create', name: 'slow-two', sim: 'create', label: 'Creating…',
        start: () => create(page, vps('staging-01'), 'slow-two'), done: /Completed/ },
      { provider: 'VPS.org', op: 'restore', name: 'db-baseline', sim: 'restore', label: 'Restoring…',
        start: () => confirmAction(page, card(page, vps('db-server-01'), 'db-baseline'), 'Restore', 'Restore snapshot', 'db-baseline') },
    ],
    [
      { provider: 'ilkbyte', op: 'revert', name: 'experiment', sim: 'revert', label: 'Reverting…', done: /Current/,
        start: () => confirmAction(page, card(page, ilk('web01'), 'experiment'), 'Revert', 'Revert server', 'experiment') },
      { provider: 'ilkbyte', op: 'schedule', name: 'nightly', sim: 'schedule', label: 'Scheduling…', done: /Every 2 days at 04:05/,
        start: async () => {
          await act(card(page, ilk('db01'), 'nightly'), 'Schedule');
          const dialog = page.getByRole('dialog', { name: 'Schedule snapshot' });
          await dialog.getByLabel('Every (days)').fill('2');
          await dialog.getByLabel('Hour').fill('4');
          await dialog.getByLabel('Minute').fill('5');
          await dialog.getByRole('button', { name: 'Save schedule' }).click();
          await dialog.waitFor({ state: 'detached', timeout: 10_000 });
        } },
      // VPS.org deletes at once (204): its list drops the snapshot at once.
      { provider: 'VPS.org', op: 'delete', name: 'initial-setup', sim: 'delete', label: 'Deleting…', gone: true, instant: true,
        start: () => confirmAction(page, card(page, vps('web-server-01'), 'initial-setup'), 'Delete', 'Delete snapshot', 'initial-setup') },
    ],
    [
      { provider: 'ilkbyte', op: 'delete', name: 'slowone', sim: 'delete', label: 'Deleting…', gone: true,
        start: () => confirmAction(page, card(page, ilk('web01'), 'slowone'), 'Delete', 'Delete snapshot', 'slowone') },
      { provider: 'ilkbyte', op: 'remove schedule', name: 'nightly', sim: 'unschedule', label: 'Removing schedule…',
        start: () => confirmAction(page, card(page, ilk('db01'), 'nightly'), 'Remove schedule', 'Remove schedule', 'nightly') },
    ],
  ];
}

/**
 * Reads one operation's samples against the simulator's record: what the
 * card showed before the provider's list changed, and how long after it
 * the card settled.
 */
export function judge(op, cards, record) {
  const list = cards[op.name].filter(([t]) => t >= op.clicked);
  const problems = [];
  const doneAt = record.done_ms;
  let settledAt = null;
  let acceptedShown = false;
  for (const [t, s] of list) {
    const pending = s && PHASE.test(s.text);
    if (t < doneAt) {
      // Before the provider's list shows it: present, pending, nothing else offered.
      if (!s) {
        if (t > op.clicked + 1_000) problems.push(`absent at +${t - op.clicked} ms before the list changed`);
        continue;
      }
      if (t > op.sentAt + 500 && !pending) problems.push(`not pending at +${t - op.clicked} ms: ${s.text.replace(/\s+/g, ' ')}`);
      const offered = s.enabled.filter((b) => ACTIONS.includes(b));
      if (pending && offered.length) problems.push(`offers ${offered} while pending`);
      if (op.done?.test(s.text)) problems.push(`says done before the list: ${s.text.replace(/\s+/g, ' ')}`);
      if (/ accepted[:;] /.test(s.text)) acceptedShown = true;
    } else if (settledAt === null) {
      const settled = op.gone ? !s : s && !PHASE.test(s.text) && (!op.done || op.done.test(s.text));
      if (settled) settledAt = t;
    }
  }
  if (settledAt === null) problems.push('never settled');
  return {
    instant: Boolean(op.instant),
    provider: op.provider,
    op: op.op,
    name: op.name,
    providerTook: doneAt - record.accepted_ms,
    settleDelay: settledAt === null ? null : settledAt - doneAt,
    acceptedShown,
    problems: [...new Set(problems)].slice(0, 5),
  };
}

/** Runs every round; returns one judgement per operation. */
export async function runAll(env, { settleBudget = 10_000 } = {}) {
  const { page, sim } = env;
  const rounds = plan(page);
  const names = [...new Set(rounds.flat().map((o) => o.name))];
  await startSampler(page, names);
  const results = [];
  for (const round of rounds) {
    for (const op of round) {
      op.clicked = Date.now();
      await op.start();
      op.sentAt = Date.now();
    }
    // Wait for the simulator's lists to change, then for the settle budget.
    const stats = async () => (await sim.stats()).operations;
    const recordOf = (ops, op) => ops.find((r) => r.op === op.sim && r.target === op.name && r.accepted_ms >= op.clicked - 1_000);
    let ops = await stats();
    const latest = Math.max(...round.map((op) => recordOf(ops, op)?.done_ms ?? Date.now()));
    await new Promise((r) => setTimeout(r, Math.max(0, latest - Date.now()) + settleBudget + 1_000));
    ops = await stats();
    const { cards } = await samples(page);
    for (const op of round) {
      const record = recordOf(ops, op);
      if (!record) {
        results.push({ provider: op.provider, op: op.op, name: op.name, problems: ['the simulator saw no such operation'] });
        continue;
      }
      results.push(judge(op, cards, record));
    }
  }
  return results;
}
