// The original page's on-demand actions (`/api/enhance/backtest`, `/api/enhance/historical`)
// ran a fresh Python analysis per click. optscan's scan already ran both for every
// opportunity it serves, so these answers come from the cached scans: the opportunity is
// found by symbol, type and strike (nearest days to expiration when several match).
import { store } from './optscan';
import { BadRequest } from './compat';

/** An opportunity of a cached scan, as the JSON document has it. */
export type CachedOpportunity = Record<string, unknown> & {
  symbol: string;
  optionType: string;
  strike: number;
  daysToExpiration: number;
};

/** What the page posts to identify a card. */
export interface CardKey {
  symbol: string;
  optionType: string;
  strike: number;
  daysToExpiration?: number;
}

/** The card's key from a POST body; a missing or mistyped field is a BadRequest. */
export async function cardKey(req: Request): Promise<CardKey> {
  let body: Record<string, unknown>;
  try {
    body = (await req.json()) as Record<string, unknown>;
  } catch {
    throw new BadRequest('the request body is not JSON');
  }
  const { symbol, optionType, strike, daysToExpiration } = body ?? {};
  if (typeof symbol !== 'string' || typeof optionType !== 'string' || typeof strike !== 'number') {
    throw new BadRequest('symbol, optionType and strike are required');
  }
  return { symbol, optionType: optionType.toLowerCase(), strike, daysToExpiration: typeof daysToExpiration === 'number' ? daysToExpiration : undefined };
}

/** The matching opportunity of the newest strict or relaxed scan, or null. */
export async function findCached(key: CardKey): Promise<CachedOpportunity | null> {
  const s = await store();
  const matches: CachedOpportunity[] = [];
  for (const filterMode of ['strict', 'relaxed']) {
    const c = await s.latest({ filterMode });
    for (const o of (c?.result.opportunities ?? []) as unknown as CachedOpportunity[]) {
      if (o.symbol === key.symbol && o.optionType === key.optionType && Math.abs(o.strike - key.strike) < 1e-6) matches.push(o);
    }
  }
  const dte = key.daysToExpiration;
  matches.sort((a, b) => (dte === undefined ? 0 : Math.abs(a.daysToExpiration - dte) - Math.abs(b.daysToExpiration - dte)));
  return matches[0] ?? null;
}

/** `high`, `medium` or `low` from a quality label. */
export const confidenceOf = (label: unknown): 'high' | 'medium' | 'low' => (label === 'high' || label === 'medium' ? label : 'low');
