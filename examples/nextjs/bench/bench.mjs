// Benchmark: GET /api/scan-enhanced on a cache hit, 100 connections, against the same
// response read with the `pg` client from the same PostgreSQL row (parsed as usual, and
// tuned: JSON columns as text), plus two reference points: the framework's floor (the
// liveness route, no data) and the addon under plain node:http (no framework); and the
// HTTP-cached paths: a repeated request (If-None-Match → 304) and `Accept-Encoding: br`.
// Needs a built app (`npx next build`) and PostgreSQL: OPTSCAN_BENCH_DB (default
// postgres://postgres@127.0.0.1:5432/optscan_bench, created when missing). Prints Markdown.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.dirname(here);
const require = createRequire(import.meta.url);
const optscan = require('optscan');
const db = process.env.OPTSCAN_BENCH_DB ?? 'postgres://postgres@127.0.0.1:5432/optscan_bench';
{
  // Create the benchmark database on first use (a database of its own, never the tests').
  const pg = require('pg');
  const u = new URL(db);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  await admin.end();
}
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const port = Number(process.env.BENCH_PORT ?? 3917);
const plainPort = port + 1;

const store = await optscan.ScanStore.open(db);
const scanner = new optscan.Scanner(new optscan.SyntheticMarket({ seed: 7, symbols: 60 }), { filterMode: 'strict' });
await store.save(await scanner.scan());
const env = { ...process.env, OPTSCAN_DB: db, NEXT_TELEMETRY_DISABLED: '1' };
const servers = [
  spawn(process.execPath, [path.join(app, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], { cwd: app, env, stdio: 'ignore' }),
  spawn(process.execPath, [path.join(here, 'plain-http.mjs'), String(plainPort)], { cwd: app, env, stdio: 'ignore' }),
];
let finished = false;
for (const s of servers) {
  s.on('exit', (code) => {
    if (finished) return;
    console.error(`a server exited early (code ${code}); is port ${port} or ${plainPort} in use? set BENCH_PORT`);
    for (const other of servers) other.kill('SIGTERM');
    process.exit(1);
  });
}
const next = `http://127.0.0.1:${port}`;
const plain = `http://127.0.0.1:${plainPort}/`;
for (const url of [`${next}/api/scan-enhanced`, plain]) {
  for (let i = 0; ; i++) {
    try { if ((await fetch(url)).ok) break; } catch { /* starting */ }
    if (i > 300) throw new Error(`${url} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
/** Status, headers and raw (still encoded) body bytes of one GET with these headers. */
const raw = (url, headers = {}) => new Promise((res, rej) => {
  http.get(url, { headers }, (r) => {
    let n = 0;
    r.on('data', (c) => { n += c.length; });
    r.on('end', () => res({ status: r.statusCode, headers: r.headers, bytes: n }));
  }).on('error', rej);
});
const etag = (await raw(`${next}/api/scan-enhanced`)).headers.etag;
const cases = [
  ['Next.js route, optscan addon (`serveJson`)', `${next}/api/scan-enhanced`],
  ['Next.js route, repeated request (`If-None-Match` → 304)', `${next}/api/scan-enhanced`, { 'if-none-match': etag }],
  ['Next.js route, `Accept-Encoding: br` (precompressed)', `${next}/api/scan-enhanced`, { 'accept-encoding': 'br' }],
  ['Next.js route, `Accept-Encoding: gzip` (precompressed)', `${next}/api/scan-enhanced`, { 'accept-encoding': 'gzip' }],
  ['Next.js route, `pg` client (JSON parsed, re-stringified)', `${next}/api/scan-enhanced-pg`],
  ['Next.js route, `pg` client (JSON columns as text, spliced)', `${next}/api/scan-enhanced-pg?text=1`],
  ['Next.js floor: liveness route, no data', `${next}/api/health`],
  ['node:http + optscan addon, no framework', plain],
];
const rows = [];
for (const [name, url, headers] of cases) {
  const { status, bytes } = await raw(url, headers ?? {});
  if (status !== (headers?.['if-none-match'] ? 304 : 200)) throw new Error(`${name}: status ${status}`);
  if (!url.endsWith('/api/health')) {
    const body = JSON.parse(new TextDecoder().decode(await (await fetch(url)).arrayBuffer()));
    if (!body.success || body.cached !== true) throw new Error(`${url} is not a cache hit`);
  }
  const opts = { url, headers: headers ?? {} };
  await autocannon({ ...opts, connections: 10, duration: 2 }); // warm-up
  const r = await autocannon({ ...opts, connections: 100, duration: seconds });
  const few = await autocannon({ ...opts, connections: 10, duration: seconds });
  // 304 is the expected answer of the conditional row (autocannon counts it as non-2xx).
  const bad = (x) => x.errors + (headers?.['if-none-match'] ? x.non2xx - x['3xx'] : x.non2xx);
  const errors = bad(r) + bad(few);
  rows.push(`| ${name} | ${bytes < 10_000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} kB`} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${Math.round(few.requests.average)} | ${few.latency.p50} | ${few.latency.p99} | ${errors} |`);
}
finished = true;
for (const s of servers) s.kill('SIGTERM');
await store.close();
console.log(`GET on a cache hit, ${seconds} s per cell, autocannon on the same machine`);
console.log('| Server | body | 100 conn. req/s | p50 ms | p99 ms | 10 conn. req/s | p50 ms | p99 ms | errors |');
console.log('|---|---|---|---|---|---|---|---|---|\n' + rows.join('\n'));
