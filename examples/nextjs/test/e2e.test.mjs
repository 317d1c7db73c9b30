// End to end: `next build && next start` on a loopback port against a SQLite cache seeded
// with the addon. Covers a stale hit (served at once, refreshed in the background and
// announced on the SSE stream), a missing cache hit by 20 concurrent requests (exactly one
// live scan), a fresh cache hit with its headers, the original page's requests (POST with
// `?filterMode=`, its fallback and on-demand routes) checked against its contract, bad input,
// scan-status and the page; and a
// database that cannot be reached, where nothing can be served: a clear error status.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { violations } from '../contract/check.mjs';

const app = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const optscan = createRequire(import.meta.url)('optscan');
const nextBin = path.join(app, 'node_modules', 'next', 'dist', 'bin', 'next');
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };

const freePort = () => new Promise((res) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
});

/** `next start` on a free loopback port with extra environment; resolves once it answers. */
/** A GET with exactly these headers; resolves to status, headers and the raw (still encoded) body. */
const raw = (url, headers = {}) => new Promise((res, rej) => {
  http.get(url, { headers }, (r) => {
    const chunks = [];
    r.on('data', (c) => chunks.push(c));
    r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
  }).on('error', rej);
});

/** A response document without the fields that change with every request (the scan's age). */
function timeless(doc) {
  const d = JSON.parse(doc);
  delete d.cacheAgeMinutes;
  delete d.metadata.cacheAgeMinutes;
  delete d.metadata.dataFreshness.cacheAgeMinutes;
  return d;
}

const sMaxAge = (h) => Number(/s-maxage=(\d+)/.exec(h['cache-control'])[1]);

async function startServer(extraEnv) {
  const port = await freePort();
  const server = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: app, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { await fetch(`${base}/api/health`); break; } catch { /* not up yet */ }
    if (i > 300) { server.kill('SIGTERM'); throw new Error('server did not start'); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, server };
}

test('the scan-enhanced route serves stale, missing and fresh caches', { timeout: 540_000 }, async () => {
  execFileSync(process.execPath, [nextBin, 'build'], { cwd: app, env, stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'optscan-next-'));
  const db = `sqlite://${path.join(dir, 'cache.db')}`;
  const seed = await optscan.ScanStore.open(db);
  const scanner = new optscan.Scanner(new optscan.SyntheticMarket({ seed: 7, symbols: 8 }), { backtest: false });
  const old = await scanner.scan();
  old.scanTimestamp = new Date(Date.now() - 30 * 60_000).toISOString(); // 30 minutes ago: stale
  await seed.save(old);

  const { base, server } = await startServer({ OPTSCAN_DB: db, OPTSCAN_SYMBOLS: '8', OPTSCAN_MAX_AGE_MINUTES: '15' });
  try {

    // SSE: collect `scan` events from now on.
    const events = [];
    const ctrl = new AbortController();
    const sse = await fetch(`${base}/api/scan-events`, { signal: ctrl.signal });
    assert.equal(sse.headers.get('content-type'), 'text/event-stream');
    const reading = (async () => {
      const dec = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of sse.body) {
          buf += dec.decode(chunk, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i); buf = buf.slice(i + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (block.startsWith('event: scan') && data) events.push(JSON.parse(data.slice(6)));
          }
        }
      } catch { /* aborted */ }
    })();
    await new Promise((r) => setTimeout(r, 300));

    // Missing: 20 concurrent requests, one live scan.
    const many = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/api/scan-enhanced?mode=relaxed`).then(async (r) => [r.status, await r.json()])));
    assert.ok(many.every(([s, b]) => s === 200 && b.success === true), `status ${many.map(([s]) => s)}`);
    // Requests that arrive after the shared scan has been saved are plain cache hits.
    assert.ok(many.some(([, b]) => b.source === 'live'), 'one live scan answered the first callers');
    assert.equal(new Set(many.map(([, b]) => b.scanId)).size, 1);
    assert.equal((await seed.history({ filterMode: 'relaxed' })).length, 1, 'exactly one live scan saved');

    // Fresh hit: from the cache, with headers.
    const hit = await fetch(`${base}/api/scan-enhanced?mode=relaxed`);
    const hb = await hit.json();
    assert.equal(hb.cached, true);
    assert.equal(hb.isStale, false);
    assert.equal(hb.scanId, many[0][1].scanId);
    assert.ok(Array.isArray(hb.opportunities) && typeof hb.totalEvaluated === 'number' && hb.metadata);
    assert.match(hit.headers.get('cache-control'), /s-maxage=\d+/);
    assert.equal(hit.headers.get('last-modified'), new Date(hb.lastUpdated).toUTCString());

    // HTTP caching: a strong per-scan tag (weak on the wire: per-request fields are spliced
    // in), 304 on a repeated request, brotli and gzip from bytes compressed once per scan.
    const url = `${base}/api/scan-enhanced?mode=relaxed`;
    const plain = await raw(url);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(plain.headers.etag, /^W\/"[0-9a-f]{32}-[0-9a-f]{8}"$/);
    assert.match(plain.headers.vary, /Accept-Encoding/);
    const br = await raw(url, { 'accept-encoding': 'br, gzip' });
    const gz = await raw(url, { 'accept-encoding': 'gzip' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.notEqual(br.headers.etag, gz.headers.etag, 'one tag per coding');
    const brDoc = zlib.brotliDecompressSync(br.body).toString();
    const gzDoc = zlib.gunzipSync(gz.body).toString();
    assert.deepEqual(timeless(brDoc), timeless(plain.body.toString()));
    assert.deepEqual(timeless(gzDoc), timeless(plain.body.toString()));
    assert.equal(JSON.parse(brDoc).scanId, hb.scanId);
    assert.ok(br.body.length <= 0.15 * plain.body.length, `br ${br.body.length} of ${plain.body.length} bytes`);
    assert.ok(gz.body.length <= 0.2 * plain.body.length, `gzip ${gz.body.length} of ${plain.body.length} bytes`);
    for (const [name, headers] of [
      ['If-None-Match', { 'if-none-match': plain.headers.etag }],
      ['If-None-Match of another coding', { 'if-none-match': br.headers.etag, 'accept-encoding': 'gzip' }],
      ['If-Modified-Since', { 'if-modified-since': plain.headers['last-modified'] }],
    ]) {
      const again = await raw(url, headers);
      assert.equal(again.status, 304, name);
      assert.equal(again.body.length, 0, name);
      assert.ok(again.headers.etag && again.headers['cache-control'], name);
    }
    assert.equal((await raw(url, { 'if-none-match': '"some-other-scan"' })).status, 200);
    // Cache-Control counts down the scan's remaining fresh seconds as it ages.
    const age = JSON.parse(plain.body.toString()).cacheAgeMinutes;
    assert.ok(Math.abs(sMaxAge(plain.headers) - (15 - age) * 60) <= 2, plain.headers['cache-control']);
    await new Promise((r) => setTimeout(r, 2100));
    const later = await raw(url, { 'if-none-match': plain.headers.etag });
    assert.equal(later.status, 304);
    assert.ok(sMaxAge(later.headers) <= sMaxAge(plain.headers) - 2, `${later.headers['cache-control']} after ${plain.headers['cache-control']}`);

    // The screener: every contract the scan evaluated, filtered and sorted, HTTP-cached.
    const screenUrl = `${base}/api/screen?mode=relaxed&type=call&daysToExpiration.max=60&sort=-expectedValueAmount&limit=10`;
    const sc = await raw(screenUrl, { 'accept-encoding': 'br' });
    assert.equal(sc.status, 200);
    assert.equal(sc.headers['content-encoding'], 'br');
    const screened = JSON.parse(zlib.brotliDecompressSync(sc.body).toString());
    assert.equal(screened.scanId, hb.scanId);
    assert.ok(screened.candidateCount > hb.opportunities.length, `${screened.candidateCount} candidates`);
    assert.ok(screened.matched >= screened.rows.length && screened.rows.length === 10);
    assert.ok(screened.rows.every((r) => r.optionType === 'call' && r.daysToExpiration <= 60 && typeof r.greeks.delta === 'number'));
    assert.ok(screened.rows.every((r, i, a) => i === 0 || a[i - 1].expectedValueAmount >= r.expectedValueAmount));
    assert.equal((await raw(screenUrl, { 'if-none-match': sc.headers.etag })).status, 304);
    assert.equal((await raw(screenUrl.replace('limit=10', 'limit=11'), { 'if-none-match': sc.headers.etag })).status, 200);
    for (const q of ['delta.min=abc', 'bogus=1', 'delta.min=0.9&delta.max=0.1', 'sort=-nope', 'limit=0']) {
      const r = await fetch(`${base}/api/screen?mode=relaxed&${q}`);
      assert.equal(r.status, 400, q);
      assert.equal((await r.json()).code, 'InvalidInput', q);
    }

    // The original page's request: POST with ?filterMode= and its constraints as the body.
    const post = await fetch(`${base}/api/scan-enhanced?filterMode=relaxed`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ portfolioSize: null, dailyContractBudget: null }),
    });
    assert.equal(post.status, 200);
    const pb = await post.json();
    assert.equal(pb.scanId, hb.scanId, 'POST ?filterMode=relaxed serves the relaxed scan');
    assert.deepEqual(violations(pb), []);
    assert.equal(pb.metadata.cacheHit, true);
    assert.equal(pb.metadata.cacheStale, false);
    assert.equal(pb.metadata.source, 'cached_background_scan');
    assert.equal(pb.metadata.cacheTimestamp, pb.lastUpdated);
    assert.ok(pb.totalEvaluated > 0 && pb.opportunities.length > 0, 'non-zero Scanned and Found');
    // A GET with ?filterMode=relaxed is relaxed too (it used to be served as strict).
    assert.equal((await (await fetch(`${base}/api/scan-enhanced?filterMode=relaxed`)).json()).filterMode, 'relaxed');

    // The page's on-demand actions, answered from the cached scan.
    const card = pb.opportunities[0];
    const ask = (route, body) => fetch(`${base}/api/enhance/${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const keyOf = { symbol: card.symbol, optionType: card.optionType, strike: card.strike, stockPrice: card.stockPrice, premium: card.premium, daysToExpiration: card.daysToExpiration };
    const hist = await (await ask('historical', keyOf)).json();
    assert.equal(hist.success, true, JSON.stringify(hist));
    assert.ok(hist.historical.historicalFrequency >= 0 && hist.historical.historicalFrequency <= 1, 'a fraction: the page multiplies by 100');
    const bt = await ask('backtest', keyOf);
    assert.equal(bt.status, 200);
    const btb = await bt.json();
    if (btb.success) assert.ok(typeof btb.backtest.winRate === 'number' && typeof btb.backtest.sharpeRatio === 'number');
    assert.equal((await ask('backtest', { ...keyOf, strike: 123456 })).status, 404);

    // Stale (default mode strict): served at once, refreshed in the background.
    const staleRes = await fetch(`${base}/api/scan-enhanced`, { method: 'POST' });
    const staleTag = Object.fromEntries(staleRes.headers);
    assert.equal(sMaxAge(staleTag), 0, 'a stale scan is not fresh for a CDN');
    const stale = await staleRes.json();
    assert.equal(stale.filterMode, 'strict');
    assert.equal(stale.isStale, true);
    assert.equal(stale.scanId, old.scanId);
    assert.ok(stale.cacheAgeMinutes >= 29);
    // The original page shows its "Using cached market data" banner on exactly this.
    assert.equal(stale.metadata.cacheStale, true);
    assert.ok(stale.metadata.cacheAgeMinutes >= 29);
    assert.deepEqual(violations(stale), []);

    // The page's fallback route: the newest cached scan, from the cache only.
    const fb = await fetch(`${base}/api/scan-python?mode=fallback&reason=http_error`);
    assert.equal(fb.status, 200);
    const fbb = await fb.json();
    assert.equal(fbb.success, true);
    assert.deepEqual(violations(fbb), []);

    // SSE announced the live relaxed scan and the strict refresh.
    for (let i = 0; i < 200 && !events.some((e) => e.filterMode === 'strict'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(events.some((e) => e.scanId === hb.scanId), 'SSE saw the live scan');
    const refreshed = events.find((e) => e.filterMode === 'strict');
    assert.ok(refreshed && refreshed.scanId !== old.scanId, 'SSE saw the background refresh');
    // A new scan, a new tag: the client's old tag no longer matches.
    const renewed = await raw(`${base}/api/scan-enhanced`, { 'if-none-match': staleTag.etag });
    assert.equal(renewed.status, 200);
    assert.notEqual(renewed.headers.etag, staleTag.etag);
    assert.equal(JSON.parse(renewed.body.toString()).scanId, refreshed.scanId);
    ctrl.abort();
    await reading;

    // Bad input is a clear 400, never an empty 200.
    const bad = await fetch(`${base}/api/scan-enhanced?mode=wide-open`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).code, 'InvalidInput');

    const status = await (await fetch(`${base}/api/scan-status`)).json();
    assert.deepEqual(status.modes.map((m) => m.filterMode), ['strict', 'relaxed']);
    assert.equal(status.modes[0].scans.length, 2);
    assert.equal(status.modes[1].scans[0].opportunityCount, hb.opportunities.length);

    const page = await (await fetch(`${base}/`)).text();
    assert.match(page, /Last updated: (<!-- -->)?\d+(<!-- -->)? minutes ago/);
  } finally {
    server.kill('SIGTERM');
    await seed.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('with the database unreachable nothing can be served: 503 with the error code, never an empty 200', { timeout: 120_000 }, async () => {
  // Runs after the first test, whose `next build` it reuses.
  const { base, server } = await startServer({
    OPTSCAN_DB: 'postgres://optscan:hunter2@127.0.0.1:9/optscan', OPTSCAN_ACQUIRE_TIMEOUT_MS: '300',
  });
  try {
    for (const route of ['/api/scan-enhanced', '/api/scan-enhanced?mode=relaxed', '/api/scan-status', '/api/scan-events']) {
      const r = await fetch(base + route);
      const text = await r.text();
      assert.equal(r.status, 503, `${route}: ${text}`);
      const body = JSON.parse(text);
      assert.equal(body.success, false);
      assert.ok(['Timeout', 'Database'].includes(body.code), body.code);
      assert.match(body.error, /127\.0\.0\.1:9/);
      assert.ok(!text.includes('hunter2'), 'the password never reaches the client');
    }
    // Liveness does not depend on the database.
    assert.equal((await fetch(`${base}/api/health`)).status, 200);
  } finally {
    server.kill('SIGTERM');
  }
});
