// Bring your own data and the whole engine: MemoryMarket scans like CsvMarket on the same
// data, every core ScanConfig setting is settable from a plain object, runScheduled rotates.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { optscan, thrownBy } from './helpers.mjs';
import { AS_OF, DATA, SYMBOLS, memoryInput } from './fixture.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

async function opportunities(source) {
  const r = await new optscan.Scanner(source, {}).scan({ asOf: AS_OF });
  assert.deepEqual(r.metadata.failedSymbols, []);
  return r.opportunities;
}

test('MemoryMarket gives the same opportunities as CsvMarket on the same data', async () => {
  const golden = await opportunities(new optscan.CsvMarket({ path: DATA }));
  assert.ok(golden.length > 0, 'the fixture must yield opportunities');
  const m = new optscan.MemoryMarket(memoryInput());
  assert.deepEqual(await m.universe(), SYMBOLS);
  assert.deepEqual(await opportunities(m), golden);
});

test('MemoryMarket: a wrong cell is InvalidInput naming the column', () => {
  const input = memoryInput();
  input.histories.ALFA[3].close = 'n/a';
  const e = thrownBy(() => new optscan.MemoryMarket(input));
  assert.equal(e.code, 'InvalidInput');
  assert.match(e.message, /column `close` row 3/);
});

const other = (d) => (typeof d === 'boolean' ? !d : typeof d === 'string' ? (d === 'relaxed' ? 'both' : 'relaxed')
  : d === null ? 7 : Number.isInteger(d) ? d + 1 : d ? Math.round(d * 0.9 * 1e6) / 1e6 : 0.01);
const get = (o, p) => p.split('.').reduce((x, k) => x[k], o);
const nested = (p, v) => p.split('.').reduceRight((acc, k) => ({ [k]: acc }), v);

test('config parity: every core setting is settable from a plain object, defaults from the core', () => {
  const paths = optscan.scanConfigFieldPaths();
  assert.ok(paths.length >= 30 && paths.includes('gates.minScore'));
  const defaults = optscan.scanConfigDefaults();
  const src = new optscan.SyntheticMarket({ symbols: 2 });
  assert.deepEqual(new optscan.Scanner(src).config, defaults);
  for (const p of paths) {
    const v = other(get(defaults, p));
    const cfg = new optscan.Scanner(src, nested(p, v)).config;
    assert.deepEqual(get(cfg, p), v, p);
    for (const q of paths.filter((x) => x !== p)) assert.deepEqual(get(cfg, q), get(defaults, q), `${p} changed ${q}`);
  }
  const typo = thrownBy(() => new optscan.Scanner(src, { maxResultz: 3 }));
  assert.equal(typo.code, 'InvalidInput');
  assert.match(typo.message, /did you mean `maxResults`/);
  assert.equal(thrownBy(() => new optscan.Scanner(src, { maxResults: 0 })).code, 'InvalidInput');
});

test('config parity: the typed ScanConfigInit names every top-level setting', () => {
  const dts = fs.readFileSync(path.join(here, '..', 'index.d.ts'), 'utf8');
  const start = dts.indexOf('export interface ScanConfigInit');
  const block = dts.slice(start, dts.indexOf('\n}\n', start));
  const missing = [...new Set(optscan.scanConfigFieldPaths().map((p) => p.split('.')[0]))].filter((k) => !block.includes(`${k}?:`));
  assert.deepEqual(missing, []);
});

test('runScheduled: successive cycles scan successive batches', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optscan-sched-'));
  const store = await optscan.ScanStore.open(`sqlite://${path.join(dir, 's.db')}`);
  const scanner = new optscan.Scanner(new optscan.SyntheticMarket({ symbols: 9 }), { maxSymbols: 3, backtest: false });
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const r = await store.runScheduled({ scanner });
    assert.equal(r.universeSize, 9);
    assert.equal(r.nextPosition, (3 * (i + 1)) % 9);
    seen.push(...r.results[0].symbolsScanned);
  }
  assert.equal(new Set(seen).size, 9, 'three disjoint batches');
  const bad = thrownBy(() => store.runScheduled({ scanner, leaseTtlSecs: -1 }));
  assert.equal(bad.code, 'InvalidInput');
  await store.close?.();
});

test('examples/node/worker.mjs: three runs on one database scan three different batches', async () => {
  const { execFileSync } = await import('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optscan-worker-'));
  const script = path.join(here, '..', '..', 'examples', 'node', 'worker.mjs');
  const env = { ...process.env, DATABASE_URL: `sqlite://${path.join(dir, 'w.db')}`, DISABLE_BACKTESTING: '1' };
  const batches = [];
  for (let i = 0; i < 3; i++) {
    const out = execFileSync(process.execPath, [script, '--max-symbols', '60', '--universe', '180'], { env, encoding: 'utf8' });
    batches.push(JSON.parse(out).symbols);
  }
  assert.ok(batches.every((b) => b.length === 60));
  assert.equal(new Set(batches.flat()).size, 180, 'three disjoint batches');
});

test('runScheduled with a queue: one worker plans, scans every shard and merges (PostgreSQL)', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const admin = process.env.OPTSCAN_PG_ADMIN ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `optscan_node_${process.pid}_${Date.now()}`;
  const psql = (sql) => execFileSync('psql', [admin, '-qAtc', sql], { encoding: 'utf8' });
  try {
    psql(`CREATE DATABASE "${name}"`);
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    t.skip(`skipped: no local PostgreSQL (${e.message})`);
    return;
  }
  try {
    const store = await optscan.ScanStore.open(`postgres://postgres@127.0.0.1:5432/${name}`);
    const scanner = new optscan.Scanner(new optscan.SyntheticMarket({ symbols: 10 }), { backtest: false });
    const r = await store.runScheduled({ scanner, queue: { name: 'node_cycle', shardSize: 4 } });
    assert.equal(r.queue.planned, true);
    assert.equal(r.queue.mergedHere, true);
    assert.deepEqual([...r.queue.shardsScanned].sort(), [0, 1, 2], '10 symbols in shards of 4');
    assert.equal(r.universeSize, 10);
    const latest = await store.latest({ filterMode: 'strict' });
    assert.equal(latest.result.scanId, r.results[0].scanId);
    const plain = await store.runScheduled({ scanner: new optscan.Scanner(new optscan.SyntheticMarket({ symbols: 10 }), { maxSymbols: 2, backtest: false }) });
    assert.equal(plain.queue ?? null, null);
    const bad = thrownBy(() => store.runScheduled({ scanner, queue: { name: 'Bad Name' } }));
    assert.equal(bad.code, 'InvalidInput');
    await store.close?.();
  } finally {
    psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
});
