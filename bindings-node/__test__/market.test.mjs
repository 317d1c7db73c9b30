// Sources: the synthetic market is seeded; CsvMarket reads the real CC0 data beside the repo.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { optscan, sharedData, thrownBy } from './helpers.mjs';

test('SyntheticMarket: universe size follows `symbols`, same seed same universe', async () => {
  const a = await new optscan.SyntheticMarket({ seed: 3, symbols: 12 }).universe();
  const b = await new optscan.SyntheticMarket({ seed: 3, symbols: 12 }).universe();
  assert.equal(a.length, 12);
  assert.deepEqual(a, b);
  assert.equal((await new optscan.SyntheticMarket().universe()).length, 60);
});

test('CsvMarket: a missing folder is NotFound', () => {
  const e = thrownBy(() => new optscan.CsvMarket({ path: path.join('no', 'such', 'folder') }));
  assert.equal(e.code, 'NotFound');
});

test('CsvMarket: the CC0 stock files load and scan as of 2017-11-10', async (t) => {
  const data = sharedData();
  if (!data) return t.skip('skipped: shared/data not found (set OPTSCAN_SHARED_DATA)');
  const dir = path.join(data, 'kaggle-us-stocks-etfs-cc0');
  const m = new optscan.CsvMarket({ path: dir, asOf: '2017-11-10T22:00:00Z' });
  const u = await m.universe();
  assert.ok(u.includes('SPY') && u.includes('AAPL'), 'tickers from the manifest');
  const r = await new optscan.Scanner(m, { backtest: false }).scan({ symbols: ['SPY', 'AAPL'] });
  assert.deepEqual([...r.symbolsScanned].sort(), ['AAPL', 'SPY']);
  assert.equal(r.metadata.asOf, '2017-11-10T22:00:00Z', 'the source asOf is the scan instant');
  assert.equal(r.metadata.dataSource, 'csv');
  for (const o of r.opportunities) assert.ok(o.expiration > '2017-11-10', o.expiration);
});

test('vendor sources construct; Polygon without a key is InvalidInput', () => {
  const saved = process.env.POLYGON_API_KEY;
  delete process.env.POLYGON_API_KEY;
  try {
    assert.ok(new optscan.YahooMarket({ universe: ['SPY'] }));
    const e = thrownBy(() => new optscan.PolygonMarket());
    assert.equal(e.code, 'InvalidInput');
    assert.ok(new optscan.PolygonMarket({ apiKey: 'k-test' }));
  } finally {
    if (saved !== undefined) process.env.POLYGON_API_KEY = saved;
  }
});
