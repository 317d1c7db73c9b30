// GET /api/scan-enhanced?mode=strict|relaxed — the original route's response, served
// in-process: fresh cache at once, stale scans served while a background refresh runs, a
// missing cache answered by one shared live scan. Never an empty 200.
import { maxAgeMinutes, scanner, statusFor, store } from '../../../lib/optscan';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: Request): Promise<Response> {
  const mode = new URL(req.url).searchParams.get('mode') ?? 'strict';
  if (mode !== 'strict' && mode !== 'relaxed') {
    return Response.json({ success: false, code: 'InvalidInput', error: `mode must be strict or relaxed, got ${JSON.stringify(mode)}` }, { status: 400 });
  }
  try {
    const s = await store();
    const c = await s.serve({ scanner: scanner(mode), filterMode: mode, maxAgeMinutes: maxAgeMinutes(), stale: 'revalidate' });
    const r = c.result;
    const body = {
      success: true,
      opportunities: r.opportunities,
      metadata: r.metadata,
      totalEvaluated: r.totalEvaluated,
      scanId: r.scanId,
      filterMode: r.filterMode,
      cached: c.source === 'cache',
      cacheAgeMinutes: c.ageMinutes,
      lastUpdated: r.scanTimestamp,
      isStale: c.isStale,
      source: c.source,
      ...(c.error ? { refreshError: c.error } : {}),
    };
    const fresh = Math.max(0, Math.floor((maxAgeMinutes() - c.ageMinutes) * 60));
    return Response.json(body, {
      headers: {
        'Cache-Control': `public, max-age=0, s-maxage=${fresh}, stale-while-revalidate=60`,
        'Last-Modified': new Date(r.scanTimestamp).toUTCString(),
      },
    });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}
