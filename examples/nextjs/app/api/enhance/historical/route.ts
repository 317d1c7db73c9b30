// POST /api/enhance/historical — the original page's historical-move button, answered from
// the historical-move analysis the scan already attached to this opportunity
// (`historicalContext`). `historicalFrequency` is a fraction: the page multiplies it by 100.
import { cardKey, confidenceOf, findCached } from '../../../../lib/cached-opportunity';
import { statusFor } from '../../../../lib/optscan';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Context = {
  available: boolean; touchProbability?: number; analysis?: string; qualityLabel?: string;
  moveRequirement?: { percent?: number; direction?: string; timeframeDays?: number };
  recentTouches?: Array<{ date: string | null; daysToTarget: number | null }>;
};

export async function POST(req: Request): Promise<Response> {
  try {
    const key = await cardKey(req);
    const o = await findCached(key);
    if (!o) return Response.json({ success: false, code: 'NotFound', error: `${key.symbol} ${key.optionType} ${key.strike} is in no cached scan` }, { status: 404 });
    const h = o.historicalContext as Context | undefined;
    if (!h || !h.available) return Response.json({ success: false, error: 'no historical-move analysis for this contract' });
    return Response.json({
      success: true,
      source: 'cached_scan',
      historical: {
        symbol: o.symbol,
        available: true,
        requiredMove: Math.abs(h.moveRequirement?.percent ?? 0),
        daysToExpiration: o.daysToExpiration,
        direction: h.moveRequirement?.direction === 'down' ? 'down' : 'up',
        historicalFrequency: (h.touchProbability ?? 0) / 100,
        recentExamples: (h.recentTouches ?? []).filter((t) => t.date).map((t) => ({ date: t.date, daysToTarget: t.daysToTarget })),
        summary: h.analysis ?? '',
        confidence: confidenceOf(h.qualityLabel),
      },
    });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}
