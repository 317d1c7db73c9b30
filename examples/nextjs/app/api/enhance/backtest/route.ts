// POST /api/enhance/backtest — the original page's "Run 365-Day Backtest" button, answered
// from the backtest the scan already ran for this opportunity (lib/cached-opportunity.ts).
// 404 when no cached scan holds the contract; `success: false` when its backtest has too few
// trades to report (the page then keeps the button).
import { cardKey, confidenceOf, findCached } from '../../../../lib/cached-opportunity';
import { statusFor } from '../../../../lib/optscan';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

type Backtest = {
  available?: boolean; winRate: number; avgReturnPct: number; maxDrawdownPct: number; sharpeRatio: number | null;
  similarTradesFound: number; sampleSizeQuality: string; patternDescription: string; lookbackDays: number;
  recentExamples: Array<{ date: string; returnPct: number }>;
};

export async function POST(req: Request): Promise<Response> {
  try {
    const key = await cardKey(req);
    const o = await findCached(key);
    if (!o) return Response.json({ success: false, code: 'NotFound', error: `${key.symbol} ${key.optionType} ${key.strike} is in no cached scan` }, { status: 404 });
    const b = o.backtestValidation as Backtest | undefined;
    if (!b || b.available === false || b.sharpeRatio === null) {
      return Response.json({ success: false, error: 'the scan backtest of this contract has too few trades to report' });
    }
    return Response.json({
      success: true,
      source: 'cached_scan',
      backtest: {
        symbol: o.symbol,
        winRate: b.winRate,
        avgReturn: b.avgReturnPct,
        maxDrawdown: b.maxDrawdownPct,
        sharpeRatio: b.sharpeRatio,
        similarTradesFound: b.similarTradesFound,
        historicalReturns: b.recentExamples.map((e) => ({ date: e.date, return: e.returnPct, profitable: e.returnPct > 0 })),
        summary: `${b.patternDescription}: ${b.similarTradesFound} trades over ${b.lookbackDays} days won ${b.winRate.toFixed(0)}% of the time, averaging ${b.avgReturnPct.toFixed(1)}% per trade.`,
        confidence: confidenceOf(b.sampleSizeQuality),
      },
    });
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return Response.json({ success: false, code: err.code ?? 'Internal', error: err.message ?? String(e) }, { status: statusFor(err.code) });
  }
}
