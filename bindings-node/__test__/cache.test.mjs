// ScanStore on SQLite files: save/latest round trip, history, cleanup, serve policies with
// single flight, subscribe as an async iterator, and the closed-handle error.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { optscan, rejectionOf } from './helpers.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optscan-node-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const freshStore = () => optscan.ScanStore.open(`sqlite://${path.join(tmp, `t${n++}.db`)}`, { pollIntervalMs: 50 });
const scanner = (mode = 'strict') =>
  new optscan.Scanner(new optscan.SyntheticMarket({ seed: 5, symbols: 6 }), { filterMode: mode, backtest: false });

test('save then latest returns the same scan, from the cache', async () => {
  const store = await freshStore();
  const r = await scanner().scan();
  assert.equal(await store.save(r), r.scanId);
  assert.equal(await store.save(r), r.scanId, 'saving twice is idempotent');
  const c = await store.latest({ filterMode: 'strict' });
  assert.equal(c.source, 'cache');
  assert.equal(c.isStale, false);
  assert.ok(c.ageMinutes >= 0 && c.ageMinutes < 1);
  assert.deepEqual(c.result, r);
  assert.equal(await store.latest({ filterMode: 'relaxed' }), null);
  await new Promise((res) => setTimeout(res, 5));
  assert.equal(await store.latest({ maxAgeMinutes: 0 }), null, 'older than 0 minutes');
  await store.close();
});

test('latestJson and serveJson hand out the scan document as bytes', async () => {
  const store = await freshStore();
  assert.equal(await store.latestJson(), null);
  const r = await scanner().scan();
  await store.save(r);
  const j = await store.latestJson({ filterMode: 'strict' });
  assert.ok(Buffer.isBuffer(j.json));
  const latest = await store.latest();
  assert.deepEqual(JSON.parse(j.json.toString('utf8')), latest.result);
  assert.equal(j.scanId, r.scanId);
  assert.equal(j.scanTimestamp, latest.result.scanTimestamp);
  assert.equal(j.filterMode, 'strict');
  assert.equal(j.opportunityCount, r.opportunities.length);
  assert.equal(j.totalEvaluated, r.totalEvaluated);
  assert.equal(j.source, 'cache');
  assert.equal(j.isStale, false);
  assert.equal(await store.latestJson({ filterMode: 'relaxed' }), null);
  // Each call gets its own copy: writing into one leaves the next intact.
  j.json.fill(0);
  const again = await store.latestJson();
  assert.deepEqual(JSON.parse(again.json.toString()), latest.result);

  const s = scanner('relaxed');
  const live = await Promise.all(Array.from({ length: 4 }, () => store.serveJson({ scanner: s, filterMode: 'relaxed' })));
  assert.equal(new Set(live.map((c) => c.scanId)).size, 1, 'single flight');
  assert.ok(live.every((c) => c.source === 'live'));
  const cached = await store.serveJson({ scanner: s, filterMode: 'relaxed', maxAgeMinutes: 15 });
  assert.equal(cached.source, 'cache');
  assert.deepEqual(JSON.parse(cached.json.toString()), (await store.latest({ filterMode: 'relaxed' })).result);
  await assert.rejects(async () => store.serveJson({ scanner: s, stale: 'sometimes' }), (e) => e.code === 'InvalidInput');
  await assert.rejects(async () => store.latestJson({ maxAgeMinutes: -1 }), (e) => e.code === 'InvalidInput');
  await store.close();
  await assert.rejects(async () => store.latestJson(), (e) => e.code === 'InvalidInput');
});

test('history and cleanup count rows per mode', async () => {
  const store = await freshStore();
  for (let i = 0; i < 3; i++) await store.save(await scanner().scan());
  await store.save(await scanner('relaxed').scan());
  const h = await store.history();
  assert.equal(h.length, 4);
  assert.equal((await store.history({ filterMode: 'strict', limit: 2 })).length, 2);
  assert.ok(h.every((s) => typeof s.opportunityCount === 'number' && s.degraded === false));
  assert.equal(await store.cleanup(1), 2, 'two strict rows beyond the newest');
  assert.equal((await store.history()).length, 2);
  await store.close();
});

test('serve: fresh cache as is; missing runs one live scan shared by concurrent callers', async () => {
  const store = await freshStore();
  const s = scanner('relaxed');
  const served = await Promise.all(Array.from({ length: 5 }, () => store.serve({ scanner: s, filterMode: 'relaxed' })));
  const ids = new Set(served.map((c) => c.result.scanId));
  assert.equal(ids.size, 1, 'single flight');
  assert.ok(served.every((c) => c.source === 'live'));
  assert.equal((await store.history({ filterMode: 'relaxed' })).length, 1);
  const again = await store.serve({ scanner: s, filterMode: 'relaxed', maxAgeMinutes: 15 });
  assert.equal(again.source, 'cache');
  assert.equal(again.result.scanId, served[0].result.scanId);
  await store.close();
});

test('serve: a stale scan is served at once and refreshed in the background', async () => {
  const store = await freshStore();
  const first = await scanner().scan();
  await store.save(first);
  await new Promise((res) => setTimeout(res, 20));
  const stale = await store.serve({ scanner: scanner(), maxAgeMinutes: 0.0001 });
  assert.equal(stale.isStale, true);
  assert.equal(stale.result.scanId, first.scanId);
  for (let i = 0; i < 100 && (await store.history()).length < 2; i++) await new Promise((res) => setTimeout(res, 20));
  assert.equal((await store.history()).length, 2, 'background refresh saved a new scan');
  const live = await store.serve({ scanner: scanner(), maxAgeMinutes: 0, stale: 'live' });
  assert.equal(live.source, 'live');
  await store.close();
});

test('subscribe yields every newly saved scan', async () => {
  const store = await freshStore();
  const sub = await store.subscribe();
  const got = [];
  const reader = (async () => {
    for await (const notice of sub) {
      got.push(notice);
      if (got.length === 2) break;
    }
  })();
  const a = await scanner().scan();
  const b = await scanner('relaxed').scan();
  await store.save(a);
  await store.save(b);
  await reader;
  assert.deepEqual(got.map((x) => x.scanId).sort(), [a.scanId, b.scanId].sort());
  assert.deepEqual(got.find((x) => x.scanId === b.scanId).filterMode, 'relaxed');
  await store.close();
});

test('bad arguments and closed stores reject with InvalidInput', async () => {
  const store = await freshStore();
  assert.equal(store.isOpen(), true);
  assert.throws(() => store.latest({ filterMode: 'medium' }), { code: 'InvalidInput' });
  assert.throws(() => store.serve({ scanner: scanner(), stale: 'never' }), { code: 'InvalidInput' });
  assert.throws(() => store.latest({ maxAgeMinutes: -1 }), { code: 'InvalidInput' });
  const r = await scanner().scan();
  assert.throws(() => store.save({ ...r, scanId: 'not-a-uuid' }), { code: 'InvalidInput' });
  await store.close();
  assert.equal(store.isOpen(), false);
  const e = await rejectionOf(store.latest());
  assert.equal(e.code, 'InvalidInput');
  assert.match(e.message, /closed/);
});
