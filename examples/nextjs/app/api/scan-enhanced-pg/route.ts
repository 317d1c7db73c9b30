// GET /api/scan-enhanced-pg — benchmark baseline only: the same cache-hit response read
// with the `pg` client from the same PostgreSQL row (no serve policy, no live scan).
// `?text=1` is the tuned variant: the JSON columns arrive as text and are spliced into the
// response, as the optscan route does, instead of being parsed and stringified again.
import pg from 'pg';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const g = globalThis as typeof globalThis & { __pgPool?: pg.Pool };
const pool = (g.__pgPool ??= new pg.Pool({ connectionString: process.env.OPTSCAN_DB, max: 10 }));

const LATEST = `FROM cached_scan_results WHERE filter_mode = $1 AND status = 'ok' ORDER BY scan_timestamp DESC LIMIT 1`;

export async function GET(req: Request): Promise<Response> {
  const params = new URL(req.url).searchParams;
  const mode = params.get('mode') ?? 'strict';
  const asText = params.get('text') === '1';
  const { rows } = await pool.query(
    asText
      ? `SELECT scan_id, scan_timestamp, filter_mode, opportunities::text AS opportunities, total_evaluated, metadata::text AS metadata ${LATEST}`
      : `SELECT scan_id, scan_timestamp, filter_mode, opportunities, total_evaluated, metadata ${LATEST}`,
    [mode],
  );
  if (rows.length === 0) return Response.json({ success: false, error: 'no cached scan' }, { status: 503 });
  const r = rows[0];
  const ts = new Date(r.scan_timestamp);
  const age = (Date.now() - ts.getTime()) / 60000;
  const cache = {
    success: true, cached: true, cacheAgeMinutes: age, lastUpdated: ts.toISOString(), isStale: age > 15, source: 'cache',
    scanId: r.scan_id, filterMode: r.filter_mode, totalEvaluated: Number(r.total_evaluated),
  };
  const headers = { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=0, s-maxage=60', 'Last-Modified': ts.toUTCString() };
  if (asText) {
    const head = JSON.stringify(cache).slice(0, -1);
    return new Response(`${head},"opportunities":${r.opportunities},"metadata":${r.metadata}}`, { headers });
  }
  return Response.json({ ...cache, opportunities: r.opportunities, metadata: r.metadata }, { headers });
}
