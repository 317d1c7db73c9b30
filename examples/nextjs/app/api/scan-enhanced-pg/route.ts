// GET /api/scan-enhanced-pg — benchmark baseline only: the same cache-hit response read
// with the `pg` client from the same PostgreSQL row (no serve policy, no live scan).
import pg from 'pg';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const g = globalThis as typeof globalThis & { __pgPool?: pg.Pool };
const pool = (g.__pgPool ??= new pg.Pool({ connectionString: process.env.OPTSCAN_DB, max: 10 }));

export async function GET(req: Request): Promise<Response> {
  const mode = new URL(req.url).searchParams.get('mode') ?? 'strict';
  const { rows } = await pool.query(
    `SELECT scan_id, scan_timestamp, filter_mode, opportunities, total_evaluated, metadata
       FROM cached_scan_results WHERE filter_mode = $1 ORDER BY scan_timestamp DESC LIMIT 1`,
    [mode],
  );
  if (rows.length === 0) return Response.json({ success: false, error: 'no cached scan' }, { status: 503 });
  const r = rows[0];
  const ts = new Date(r.scan_timestamp);
  const age = (Date.now() - ts.getTime()) / 60000;
  return Response.json(
    {
      success: true, opportunities: r.opportunities, metadata: r.metadata, totalEvaluated: Number(r.total_evaluated),
      scanId: r.scan_id, filterMode: r.filter_mode, cached: true, cacheAgeMinutes: age,
      lastUpdated: ts.toISOString(), isStale: age > 15, source: 'cache',
    },
    { headers: { 'Cache-Control': 'public, max-age=0, s-maxage=60', 'Last-Modified': ts.toUTCString() } },
  );
}
