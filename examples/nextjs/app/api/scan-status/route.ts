// GET /api/scan-status — the monitoring query: the newest scans per mode with age and counts.
import { statusFor, store } from '../../../lib/optscan';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  try {
    const s = await store();
    const modes = await Promise.all(
      (['strict', 'relaxed'] as const).map(async (filterMode) => ({ filterMode, scans: await s.history({ filterMode, limit: 5 }) })),
    );
    return Response.json({ success: true, modes }, { headers: { 'Cache-Control': 'no-store' } });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}
