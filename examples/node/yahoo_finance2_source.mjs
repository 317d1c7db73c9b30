// An optscan market-data source over yahoo-finance2 (npm `yahoo-finance2`): daily bars from
// `chart()`, chains from `options()`. optscan reads their result objects as they come —
// `Date` fields, optional volume/bid/ask, `contractSymbol` — so this file only picks the
// requests. Pass the library instance, so the caller owns its configuration (and tests can
// pass recorded results):
//
//   import YahooFinance from 'yahoo-finance2';
//   import { yahooFinance2Source } from './yahoo_finance2_source.mjs';
//   const source = yahooFinance2Source(new YahooFinance(), ['AAPL', 'MSFT', 'SPY']);
//   const result = await new Scanner(source, { maxSymbols: 60 }).scan();

const DAY_MS = 86_400_000;
/** Calendar days fetched per trading session asked for (weekends, holidays), plus slack. */
const DAYS_PER_SESSION = 1.5;
const SLACK_DAYS = 10;

const isoDay = (d) => new Date(d).toISOString().slice(0, 10);

/**
 * A source object for `new Scanner(source)`.
 * @param {{chart: Function, options: Function}} yf a yahoo-finance2 instance
 * @param {string[]} symbols the universe
 * @param {{maxExpirations?: number}} [opts] chains fetched per symbol, nearest first (6)
 */
export function yahooFinance2Source(yf, symbols, { maxExpirations = 6 } = {}) {
  return {
    name: 'yahoo-finance2',
    universe: () => symbols,

    async priceHistory(symbol, sessions, asOf) {
      const period2 = new Date(Date.parse(asOf) + DAY_MS);
      const period1 = new Date(period2.getTime() - (Math.ceil(sessions * DAYS_PER_SESSION) + SLACK_DAYS) * DAY_MS);
      const chart = await yf.chart(symbol, { period1, period2, interval: '1d' });
      return chart.quotes; // [{date: Date, open, high, low, close, volume, adjclose}]
    },

    async optionChain(symbol, asOf) {
      const nearest = await yf.options(symbol);
      const day = asOf.slice(0, 10);
      const dates = nearest.expirationDates.filter((d) => isoDay(d) >= day).slice(0, maxExpirations);
      const byDay = new Map(nearest.options.map((o) => [isoDay(o.expirationDate), o]));
      const quotes = [];
      for (const date of dates) {
        const entry = byDay.get(isoDay(date)) ?? (await yf.options(symbol, { date })).options[0];
        if (!entry) continue;
        for (const c of entry.calls) quotes.push({ ...c, type: 'call' });
        for (const p of entry.puts) quotes.push({ ...p, type: 'put' });
      }
      if (quotes.length === 0) throw new Error(`${symbol}: yahoo-finance2 lists no expirations on or after ${day}`);
      return { spot: nearest.quote.regularMarketPrice, quotes };
    },
  };
}
