// Sources written in JS: a plain object with universe/priceHistory/optionChain returning
// values or Promises gives the shared golden opportunities (the Rust CsvMarket path wrote
// them), a throw / rejection / wrong shape / slow symbol fails only that symbol, and the
// event loop keeps ticking while the engine calls back into JS.
import test from 'node:test';
import assert from 'node:assert/strict';
import { optscan, thrownBy } from './helpers.mjs';
import { AS_OF, DATA, GOLDEN, memoryInput } from './fixture.mjs';

const input = memoryInput();

/** Histories as columns of typed arrays with Date objects, as a JS program might hold them. */
function columns(records) {
  return {
    date: records.map((r) => new Date(`${r.date}T00:00:00Z`)),
    open: Float64Array.from(records, (r) => r.open),
    high: Float64Array.from(records, (r) => r.high),
    low: Float64Array.from(records, (r) => r.low),
    close: Float64Array.from(records, (r) => r.close),
    volume: Uint32Array.from(records, (r) => r.volume),
  };
}

/** An async object source (a class, so `this` must be bound) over the fixture. */
class FixtureSource {
  name = 'fixture-js';
  constructor(symbols = Object.keys(input.histories)) {
    this.symbols = symbols;
    this.calls = 0;
  }
  async universe() {
    return this.symbols;
  }
  async priceHistory(symbol, sessions, asOf) {
    this.calls += 1;
    assert.equal(typeof asOf, 'string');
    assert.ok(Number.isInteger(sessions) && sessions > 0);
    return columns(input.histories[symbol.replace(/\d+$/, '')]);
  }
  optionChain(symbol) {
    // Synchronous on purpose: plain values work as well as Promises.
    const c = input.chains[symbol.replace(/\d+$/, '')];
    return { ...c, quotes: c.quotes.map((q) => ({ ...q, expiration: new Date(`${q.expiration}T00:00:00Z`) })) };
  }
}

const plain = (x) => JSON.parse(JSON.stringify(x));

test('a JS object source gives the golden opportunities (same as CsvMarket and MemoryMarket)', async () => {
  assert.ok(GOLDEN.length > 0);
  const src = new FixtureSource();
  const r = await new optscan.Scanner(src, {}).scan({ asOf: AS_OF });
  assert.deepEqual(r.metadata.failedSymbols, []);
  assert.equal(r.metadata.dataSource, 'fixture-js');
  assert.ok(src.calls >= 4);
  assert.deepEqual(plain(r.opportunities), GOLDEN);
  const csv = await new optscan.Scanner(new optscan.CsvMarket({ path: DATA }), {}).scan({ asOf: AS_OF });
  assert.deepEqual(plain(csv.opportunities), GOLDEN);
  const mem = await new optscan.Scanner(new optscan.MemoryMarket(input), {}).scan({ asOf: AS_OF });
  assert.deepEqual(plain(mem.opportunities), GOLDEN);
});

test('a throw, a rejection, a wrong shape or a slow symbol fails only that symbol', async () => {
  const src = new FixtureSource(['ALFA', 'BRAV', 'CHAR', 'DELT', 'ECHO', 'ALFA2']);
  const base = src.priceHistory.bind(src);
  src.priceHistory = (symbol, sessions, asOf) => {
    if (symbol === 'ALFA') throw new Error('vendor said no');
    if (symbol === 'BRAV') return Promise.reject(new TypeError('socket hang up'));
    if (symbol === 'CHAR') return 42;
    if (symbol === 'DELT') return new Promise((resolve) => setTimeout(() => resolve(base('DELT', sessions, asOf)), 3000).unref());
    if (symbol === 'ECHO') return [{ date: '2024-06-14', open: 1, high: 1, low: 1, close: () => 1 }];
    return base(symbol, sessions, asOf);
  };
  const started = Date.now();
  const r = await new optscan.Scanner(src, { backtest: false, symbolDeadlineSecs: 1 }).scan({ asOf: AS_OF });
  const failed = Object.fromEntries(r.metadata.failedSymbols.map((f) => [f.symbol, f]));
  assert.deepEqual(Object.keys(failed).sort(), ['ALFA', 'BRAV', 'CHAR', 'DELT', 'ECHO']);
  assert.equal(failed.ALFA.kind, 'DataSource');
  assert.match(failed.ALFA.reason, /priceHistory\(\) threw: vendor said no/);
  assert.equal(failed.BRAV.kind, 'DataSource');
  assert.match(failed.BRAV.reason, /priceHistory\(\) rejected: socket hang up/);
  assert.equal(failed.CHAR.kind, 'InvalidInput');
  assert.match(failed.CHAR.reason, /expected a table .* got 42/);
  assert.equal(failed.DELT.kind, 'Timeout');
  assert.equal(failed.ECHO.kind, 'InvalidInput');
  assert.match(failed.ECHO.reason, /value\[0\]\.close: a function cannot be data/);
  assert.ok(Date.now() - started < 3000, 'the deadline must not wait for the slow source');
  assert.ok(r.symbolsScanned.includes('ALFA2') && r.opportunities.length > 0, 'the healthy symbol is scanned');
});

test('a source object missing a method is refused with InvalidInput', () => {
  const e = thrownBy(() => new optscan.Scanner({ universe: () => [], priceHistory: () => [] }));
  assert.equal(e.code, 'InvalidInput');
  assert.match(e.message, /optionChain/);
});

test('a rejected universe() rejects the scan with its message and code', async () => {
  const src = new FixtureSource();
  src.universe = async () => {
    throw new Error('no list today');
  };
  await assert.rejects(new optscan.Scanner(src).scan({ asOf: AS_OF }), (e) => e.code === 'DataSource' && /no list today/.test(e.message));
});

test('the event loop stays responsive during a scan that calls back into JS', async () => {
  // 60 symbols (the fixture's four under numbered names) with a little JS work per call.
  const symbols = Array.from({ length: 60 }, (_, i) => `${['ALFA', 'BRAV', 'CHAR', 'DELT'][i % 4]}${i}`);
  const src = new FixtureSource(symbols);
  const scanner = new optscan.Scanner(src, { backtest: false, maxSymbols: 60 });
  const gaps = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 5);
  const started = performance.now();
  const r = await scanner.scan({ asOf: AS_OF });
  const wall = performance.now() - started;
  clearInterval(timer);
  assert.equal(r.metadata.failedSymbols.length, 0);
  assert.equal(r.symbolsScanned.length, 60);
  const sorted = [...gaps].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? NaN;
  console.log(`event loop during a 60-symbol JS-source scan: wall ${wall.toFixed(0)} ms, ${gaps.length} ticks of 5 ms, max gap ${Math.max(...gaps).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
  // Generous and able to fail: a blocked loop would give no ticks at all during the scan.
  assert.ok(gaps.length >= Math.min(3, Math.floor(wall / 50)), `only ${gaps.length} ticks in ${wall.toFixed(0)} ms`);
});
