// Benchmark: GET /api/scan-enhanced (addon, store.serve) against /api/scan-enhanced-pg (the
// `pg` client reading the same PostgreSQL row), both on a cache hit, 100 connections.
// Needs a built app (`npx next build`) and PostgreSQL: OPTSCAN_BENCH_DB (default
// postgres://postgres@127.0.0.1:5432/optscan_bench, created when missing). Prints a Markdown table.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

const app = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
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

const store = await optscan.ScanStore.open(db);
const scanner = new optscan.Scanner(new optscan.SyntheticMarket({ seed: 7, symbols: 60 }), { filterMode: 'strict' });
await store.save(await scanner.scan());
const server = spawn(process.execPath, [path.join(app, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
  cwd: app, env: { ...process.env, OPTSCAN_DB: db, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'ignore',
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try { if ((await fetch(`${base}/api/scan-enhanced`)).ok) break; } catch { /* starting */ }
  if (i > 300) throw new Error('server did not start');
  await new Promise((r) => setTimeout(r, 100));
}
const rows = [];
for (const [name, route] of [['optscan addon (store.serve)', '/api/scan-enhanced'], ['pg client (same row)', '/api/scan-enhanced-pg']]) {
  const body = await (await fetch(base + route)).json();
  if (!body.success || body.cached !== true) throw new Error(`${route} is not a cache hit`);
  await autocannon({ url: base + route, connections: 10, duration: 2 }); // warm-up
  const r = await autocannon({ url: base + route, connections: 100, duration: seconds });
  rows.push(`| ${name} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx + r.errors} |`);
}
server.kill('SIGTERM');
await store.close();
console.log(`GET cache hit, ${seconds} s, 100 connections`);
console.log('| Route | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|\n' + rows.join('\n'));
