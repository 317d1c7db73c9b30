// POST or GET /api/scan-enhanced?filterMode=strict|relaxed (also `mode`, `filter_mode`,
// `filter`, or the same keys in a POST's JSON body) — the original route's request and
// response, served in-process: fresh cache at once, stale scans served while a background
// refresh runs, a missing cache answered by one shared live scan. Never an empty 200.
//
// The scan arrives with its HTTP representation (ETag, Last-Modified, gzip and brotli
// bytes, built once per scan by the engine): a repeated request gets 304, a compressed one
// the precompressed bytes, and the per-request fields are spliced in at the end
// (lib/compat.ts): no object is built, nothing decoded, encoded or compressed per request.
import { maxAgeMinutes, scanner, statusFor, store } from '../../../lib/optscan';
import { cachedResponse, jsonBody, requestedMode, responseTail } from '../../../lib/compat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

async function handle(req: Request): Promise<Response> {
  try {
    const mode = requestedMode(new URL(req.url).searchParams, await jsonBody(req));
    const s = await store();
    const c = await s.serveJson({ scanner: scanner(mode), filterMode: mode, maxAgeMinutes: maxAgeMinutes(), stale: 'revalidate' });
    const fresh = Math.max(0, Math.floor((maxAgeMinutes() - c.ageMinutes) * 60));
    return cachedResponse(req, c, `public, max-age=0, s-maxage=${fresh}, stale-while-revalidate=60`, responseTail(c));
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}

export const GET = handle;
export const POST = handle;
