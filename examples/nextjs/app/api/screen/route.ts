// GET /api/screen?filterMode=strict&type=call&daysToExpiration.max=45&delta.min=0.3
//     &symbols=AAPL,MSFT&tiers=high&sort=-expectedValueAmount&limit=50&offset=0
// Filters and sorts every contract the newest scan evaluated (not only its top 20), from the
// candidate set the engine holds in memory (loaded once per scan). Rows use the opportunity
// schema's camelCase names. HTTP caching as /api/scan-enhanced: a tag per scan and query
// (304 when it matches), Last-Modified, the scan's remaining fresh seconds as s-maxage, and
// br or gzip by Accept-Encoding. Unknown fields and bad ranges are 400 InvalidInput.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { maxAgeMinutes, statusFor, store } from '../../../lib/optscan';
import { requestedMode } from '../../../lib/compat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const MODE_KEYS = new Set(['filterMode', 'filter_mode', 'filter', 'mode']);

export async function GET(req: Request): Promise<Response> {
  try {
    const params = new URL(req.url).searchParams;
    const filterMode = requestedMode(params, null);
    const query: Record<string, string> = {};
    for (const [k, v] of params) if (!MODE_KEYS.has(k)) query[k] = v;
    const s = await store();
    const scan = await s.latestJson({ filterMode });
    const page = await s.screenJson({ filterMode, query });
    const canonical = JSON.stringify(Object.entries(query).sort());
    const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 16);
    const etag = `W/"${scan?.scanId.replace(/-/g, '') ?? 'none'}-${digest}"`;
    const fresh = scan ? Math.max(0, Math.floor((maxAgeMinutes() - scan.ageMinutes) * 60)) : 0;
    const headers: Record<string, string> = {
      'Cache-Control': `public, max-age=0, s-maxage=${fresh}, stale-while-revalidate=60`,
      ETag: etag,
      Vary: 'Accept-Encoding',
      ...(scan ? { 'Last-Modified': scan.http.lastModified } : {}),
    };
    const inm = req.headers.get('if-none-match');
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag.slice(2))) {
      return new Response(null, { status: 304, headers });
    }
    headers['Content-Type'] = 'application/json';
    const accept = req.headers.get('accept-encoding') ?? '';
    let body: Buffer = page;
    if (/\bbr\b/.test(accept)) {
      body = zlib.brotliCompressSync(page, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } });
      headers['Content-Encoding'] = 'br';
    } else if (/\bgzip\b/.test(accept)) {
      body = zlib.gzipSync(page, { level: 6 });
      headers['Content-Encoding'] = 'gzip';
    }
    return new Response(body as Uint8Array<ArrayBuffer>, { headers });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}
