// Scanner: results follow the config, progress arrives through the thread-safe function, and
// the event loop keeps running while a scan computes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { optscan, thrownBy } from './helpers.mjs';

const source = () => new optscan.SyntheticMarket({ seed: 7, symbols: 8 });

test('scan returns at most maxResults opportunities of the requested mode', async () => {
  const r = await new optscan.Scanner(source(), { filterMode: 'strict', maxResults: 3, backtest: false }).scan();
  assert.equal(r.filterMode, 'strict');
  assert.ok(r.opportunities.length <= 3);
  assert.match(r.scanId, /^[0-9a-f-]{36}$/);
  assert.ok(r.symbolsScanned.length > 0 && r.symbolsScanned.length <= 8);
  for (const o of r.opportunities) assert.ok(r.symbolsScanned.includes(o.symbol));
});

test('scan with symbols scans exactly those', async () => {
  const syms = (await source().universe()).slice(0, 2);
  const r = await new optscan.Scanner(source(), { backtest: false }).scan({ symbols: syms });
  assert.deepEqual([...r.symbolsScanned].sort(), [...syms].sort());
});

test('the event loop stays free: a timer keeps firing while a scan runs', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  let finished = false;
  const p = new optscan.Scanner(new optscan.SyntheticMarket({ seed: 1, symbols: 40 }), { backtest: true })
    .scan()
    .then((r) => { finished = true; return r; });
  // While the scan is pending, give the loop a few turns and count timer callbacks.
  const before = ticks;
  await new Promise((res) => setTimeout(res, 30));
  const duringScan = !finished;
  const during = ticks - before;
  await p;
  clearInterval(timer);
  assert.ok(duringScan, 'scan should still run after 30 ms (40 symbols with backtests)');
  assert.ok(during >= 3, `timer fired ${during} times during the scan`);
});

test('progress events arrive: stages, one per symbol, then finished', async () => {
  const events = [];
  const r = await new optscan.Scanner(source(), { backtest: false }).scan({ onProgress: (e) => events.push(e) });
  await new Promise((res) => setImmediate(res)); // non-blocking calls may land after resolve
  const kinds = events.map((e) => e.event);
  assert.ok(kinds.includes('stage') && kinds.includes('finished'), kinds.join());
  const symbols = events.filter((e) => e.event === 'symbol');
  assert.equal(symbols.length, 8);
  assert.equal(Math.max(...symbols.map((e) => e.done)), 8);
  assert.equal(r.filterMode, 'strict');
});

test('filterMode both: scanAll gives strict and relaxed, scan refuses', async () => {
  const s = new optscan.Scanner(source(), { filterMode: 'both', backtest: false });
  assert.equal(s.filterMode, 'both');
  const all = await s.scanAll();
  assert.deepEqual(all.map((r) => r.filterMode), ['strict', 'relaxed']);
  assert.equal(thrownBy(() => s.scan()).code, 'InvalidInput');
});

test('bad configuration and bad sources throw InvalidInput', () => {
  assert.equal(thrownBy(() => new optscan.Scanner(source(), { maxResults: 0 })).code, 'InvalidInput');
  assert.equal(thrownBy(() => new optscan.Scanner(source(), { filterMode: 'medium' })).code, 'InvalidInput');
  assert.equal(thrownBy(() => new optscan.Scanner({}, {})).code, 'InvalidInput');
  assert.equal(thrownBy(() => new optscan.Scanner(source()).scan({ asOf: 'yesterday' })).code, 'InvalidInput');
});
