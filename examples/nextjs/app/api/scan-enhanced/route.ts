// GET /api/scan-enhanced?mode=strict|relaxed — the original route's response, served
// in-process: fresh cache at once, stale scans served while a background refresh runs, a
// missing cache answered by one shared live scan. Never an empty 200.
//
// The scan arrives as the bytes of its JSON document (serialised once per scan by the
// engine) and is spliced into the response as is: no object is built, no string decoded
// or encoded per request.
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
    const c = await s.serveJson({ scanner: scanner(mode), filterMode: mode, maxAgeMinutes: maxAgeMinutes(), stale: 'revalidate' });
    // The cache fields first, then the scan document's own fields (scanId, filterMode,
    // opportunities, totalEvaluated, metadata, …).
    const head = JSON.stringify({
      success: true,
      cached: c.source === 'cache',
      cacheAgeMinutes: c.ageMinutes,
      lastUpdated: c.scanTimestamp,
      isStale: c.isStale,
      source: c.source,
      ...(c.error ? { refreshError: c.error } : {}),
    });
    const body = Buffer.concat([Buffer.from(`${head.slice(0, -1)},`), c.json.subarray(1)]);
    const fresh = Math.max(0, Math.floor((maxAgeMinutes() - c.ageMinutes) * 60));
    return new Response(body, {
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': `public, max-age=0, s-maxage=${fresh}, stale-while-revalidate=60`,
        'Last-Modified': new Date(c.scanTimestamp).toUTCString(),
      },
    });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}
