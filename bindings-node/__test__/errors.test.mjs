// Errors are Error objects whose `code` is the core ErrorKind name, sync and async alike.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { optscan, rejectionOf, thrownBy, ERROR_CODES } from './helpers.mjs';

test('a thrown error is an Error with a kind code', () => {
  const e = thrownBy(() => optscan.blackScholesSync({ isCall: 'x', spot: 1, strike: 1, years: 1, rate: 0, vol: 0.2 }));
  assert.ok(e instanceof Error);
  assert.ok(ERROR_CODES.includes(e.code), e.code);
});

test('a rejected Promise carries the code too (Database for an unusable URL)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optscan-err-'));
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'not a directory');
  const e = await rejectionOf(optscan.ScanStore.open(`sqlite://${path.join(file, 'x.db')}`));
  fs.rmSync(dir, { recursive: true, force: true });
  assert.ok(e instanceof Error);
  assert.equal(e.code, 'Database');
});

test('an unknown URL scheme is InvalidInput', async () => {
  const e = await rejectionOf(optscan.ScanStore.open('mysql://localhost/x'));
  assert.equal(e.code, 'InvalidInput');
});

test('a missing CSV folder is NotFound', () => {
  assert.equal(thrownBy(() => new optscan.CsvMarket({ path: 'missing-dir-xyz' })).code, 'NotFound');
});

test('an unreachable database fails within acquireTimeoutMs, without the password', async () => {
  const started = Date.now();
  const e = await rejectionOf(optscan.ScanStore.open('postgres://app:hunter2@127.0.0.1:9/none', { acquireTimeoutMs: 300 }));
  assert.ok(['Timeout', 'Database'].includes(e.code), e.code);
  assert.ok(!e.message.includes('hunter2'), e.message);
  assert.ok(Date.now() - started < 8000, 'gave up long before the 10 s default');
  assert.equal(thrownBy(() => optscan.ScanStore.open('sqlite::memory:', { acquireTimeoutMs: 0 })).code, 'InvalidInput');
});

test('a panicking source rejects with code Internal and the process survives', async () => {
  // The core's test hook makes a synthetic source panic where told (read at construction).
  process.env.OPTSCAN_TEST_PANIC_SYMBOLS = 'universe';
  const broken = new optscan.SyntheticMarket({ seed: 7, symbols: 5 });
  process.env.OPTSCAN_TEST_PANIC_SYMBOLS = 'SYN0002';
  const oneBad = new optscan.SyntheticMarket({ seed: 7, symbols: 5 });
  delete process.env.OPTSCAN_TEST_PANIC_SYMBOLS;
  const e = await rejectionOf(broken.universe());
  assert.equal(e.code, 'Internal');
  assert.match(e.message, /panic/);
  const r = await new optscan.Scanner(oneBad, { backtest: false }).scan();
  assert.deepEqual(r.metadata.failedSymbols.map((f) => [f.symbol, f.kind]), [['SYN0002', 'Internal']]);
  assert.equal(r.symbolsScanned.length, 4);
});

test('an absurd synthetic size is InvalidInput, not an allocation abort', () => {
  assert.equal(thrownBy(() => new optscan.SyntheticMarket({ symbols: 4_000_000_000 })).code, 'InvalidInput');
});

test('a core error keeps its source chain as `cause`', () => {
  const fixture = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'scanner-core', 'tests', 'fixtures', 'host_market');
  const e = thrownBy(() => new optscan.CsvMarket({ path: fixture, chainDir: '/nonexistent-chains' }));
  assert.equal(e.code, 'NotFound');
  assert.match(e.message, /cannot read folder/);
  assert.ok(e.cause instanceof Error, 'cause is an Error');
  assert.match(e.cause.message, /os error 2/);
});
