// The scan-enhanced cache hit without a framework: node:http plus the addon, the same
// serveJson call and splice as app/api/scan-enhanced/route.ts. Started by bench.mjs to
// show what the addon serves when the framework's own per-request cost is out of the way.
// Usage: OPTSCAN_DB=postgres://… node bench/plain-http.mjs PORT
import http from 'node:http';
import { createRequire } from 'node:module';

const optscan = createRequire(import.meta.url)('optscan');
const store = await optscan.ScanStore.open(process.env.OPTSCAN_DB, { maxConnections: 10 });
const scanner = new optscan.Scanner(new optscan.SyntheticMarket({ seed: 7, symbols: 60 }), { filterMode: 'strict' });

http.createServer(async (req, res) => {
  try {
    const c = await store.serveJson({ scanner, filterMode: 'strict', maxAgeMinutes: 15 });
    const head = JSON.stringify({
      success: true, cached: c.source === 'cache', cacheAgeMinutes: c.ageMinutes, lastUpdated: c.scanTimestamp, isStale: c.isStale, source: c.source,
    });
    const body = Buffer.concat([Buffer.from(`${head.slice(0, -1)},`), c.json.subarray(1)]);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
    res.end(body);
  } catch (e) {
    res.writeHead(503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ success: false, code: e.code, error: e.message }));
  }
}).listen(Number(process.argv[2]), '127.0.0.1');
