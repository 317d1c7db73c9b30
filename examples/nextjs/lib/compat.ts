// What the original options-trader page expects of its scan route, kept in one place so every
// route answers it the same way: the filter mode from the query (`filterMode`, `filter_mode`,
// `filter`, `mode`, with the original's synonyms) or the JSON body, and the response: the
// cached scan document with the original's per-request cache fields added inside `metadata`
// (`cacheStale`, `cacheHit`, `cacheAgeMinutes`, `cacheTimestamp`, `dataFreshness`, `source`)
// and optscan's own at the top level (`cached`, `isStale`, `source`, …).
import type { CachedJson } from 'optscan';

export type FilterMode = 'strict' | 'relaxed';

const STRICT = ['strict', 'strict-only', 'strict_only', 'tight'];
const RELAXED = ['relaxed', 'wide', 'expanded', 'loose'];
const KEYS = ['filterMode', 'filter_mode', 'filter', 'mode'] as const;

/** A bad request: the route answers 400 with code `InvalidInput`. */
export class BadRequest extends Error {
  readonly code = 'InvalidInput';
}

function parseMode(key: string, raw: unknown): FilterMode {
  const v = String(raw).trim().toLowerCase();
  if (STRICT.includes(v)) return 'strict';
  if (RELAXED.includes(v)) return 'relaxed';
  throw new BadRequest(`${key} must be strict or relaxed, got ${JSON.stringify(raw)}`);
}

/** The mode asked for: the first of the query keys present, then the body's; default strict. */
export function requestedMode(params: URLSearchParams, body: unknown): FilterMode {
  for (const k of KEYS) {
    const v = params.get(k);
    if (v !== null && v !== '') return parseMode(k, v);
  }
  if (body && typeof body === 'object') {
    const rec = body as Record<string, unknown>;
    for (const k of KEYS) if (typeof rec[k] === 'string' && rec[k] !== '') return parseMode(k, rec[k]);
  }
  return 'strict';
}

/** The JSON body of a POST (the original page sends its portfolio constraints); `null` when absent. */
export async function jsonBody(req: Request): Promise<unknown> {
  if (req.method !== 'POST') return null;
  const text = await req.text();
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('the request body is not JSON');
  }
}

/** The original's `metadata.source` for a cached answer, optscan's name otherwise. */
const originalSource = (source: string): string => (source === 'cache' ? 'cached_background_scan' : `optscan_${source}`);

/**
 * The bytes that close the scan document for this request: the original's cache fields at
 * the end of `metadata` (the document's last field, so it ends in `}}`), then optscan's own
 * fields at the top level. They replace the document's closing `}}`, so the document itself
 * (and its precompressed encodings) is never parsed or re-encoded.
 */
export function responseTail(c: CachedJson) {
  const top = JSON.stringify({
    success: true,
    cached: c.source === 'cache',
    cacheAgeMinutes: c.ageMinutes,
    lastUpdated: c.scanTimestamp,
    isStale: c.isStale,
    source: c.source,
    ...(c.error ? { refreshError: c.error } : {}),
  });
  const freshness = {
    cacheStale: c.isStale,
    cacheHit: c.source === 'cache',
    cacheAgeMinutes: c.ageMinutes,
    cacheTimestamp: c.scanTimestamp,
    dataSource: c.source,
  };
  const meta = JSON.stringify({ ...freshness, source: originalSource(c.source), dataFreshness: freshness });
  const doc = c.json;
  if (doc.length < 4 || doc[0] !== 0x7b || doc[doc.length - 1] !== 0x7d || doc[doc.length - 2] !== 0x7d) {
    throw new Error('scan document does not end with its metadata object');
  }
  return Buffer.from(`,${meta.slice(1, -1)}},${top.slice(1, -1)}}`);
}

/** The whole response document (identity), for routes that send it uncached. */
export function responseBytes(c: CachedJson) {
  return Buffer.concat([c.json.subarray(0, c.json.length - 2), responseTail(c)]);
}

/**
 * An HTTP-cached response for a served scan: `304 Not Modified` when the request's
 * `If-None-Match` (or `If-Modified-Since`) names this scan, else the body in br, gzip or
 * identity by `Accept-Encoding`, taken from bytes compressed once per scan by the engine.
 * Always `ETag`, `Last-Modified`, `Vary: Accept-Encoding` and the given `Cache-Control`.
 */
export function cachedResponse(req: Request, c: CachedJson, cacheControl: string, tail?: Buffer): Response {
  const conditional = req.method === 'GET' || req.method === 'HEAD';
  const n = c.http.negotiate({
    ifNoneMatch: (conditional && req.headers.get('if-none-match')) || undefined,
    ifModifiedSince: (conditional && req.headers.get('if-modified-since')) || undefined,
    acceptEncoding: req.headers.get('accept-encoding') ?? undefined,
    tail,
  });
  const headers: Record<string, string> = {
    'Cache-Control': cacheControl,
    'Last-Modified': n.lastModified,
    ETag: n.etag,
    Vary: 'Accept-Encoding',
  };
  if (n.status === 304 || !n.body) return new Response(null, { status: 304, headers });
  headers['Content-Type'] = 'application/json';
  if (n.contentEncoding) headers['Content-Encoding'] = n.contentEncoding;
  return new Response(n.body as Uint8Array<ArrayBuffer>, { headers });
}
