// GET /api/scan-python?mode=fallback&reason=… — the original page's fallback when the scan
// route fails: the newest cached scan of the requested mode (`filterMode`, default strict),
// read from the cache only (no live scan: the main route already failed), in the main
// route's response shape. 503 when nothing is cached, so the page shows its empty state.
import { store, statusFor } from '../../../lib/optscan';
import { responseBytes, type FilterMode } from '../../../lib/compat';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(req: Request): Promise<Response> {
  const raw = new URL(req.url).searchParams.get('filterMode');
  const filterMode: FilterMode = raw === 'relaxed' ? 'relaxed' : 'strict';
  try {
    const c = await (await store()).latestJson({ filterMode });
    if (!c) return Response.json({ success: false, code: 'NotFound', error: `no ${filterMode} scan cached` }, { status: 503 });
    return new Response(responseBytes(c), { headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}
