// examples/node/yahoo_finance2_source.mjs, offline: a stand-in for the yahoo-finance2
// instance answers chart() and options() with recorded objects of that library's result
// shapes (Dates, optional fields, contractSymbol), built from the shared host-market
// fixture. Scanning through the example source must give the golden opportunities.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { optscan } from './helpers.mjs';
import { AS_OF, GOLDEN, SYMBOLS, memoryInput } from './fixture.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { yahooFinance2Source } = await import(pathToFileURL(path.join(here, '..', '..', 'examples', 'node', 'yahoo_finance2_source.mjs')));
const input = memoryInput();

const occ = (sym, expiration, kind, strike) =>
  `${sym}${expiration.slice(2).replaceAll('-', '')}${kind === 'call' ? 'C' : 'P'}${String(Math.round(strike * 1000)).padStart(8, '0')}`;

/** yahoo-finance2's CallOrPut: Dates for expiration/lastTradeDate, no `type` field. */
function callOrPut(sym, q, spot) {
  return {
    contractSymbol: occ(sym, q.expiration, q.type, q.strike),
    strike: q.strike, currency: 'USD', lastPrice: q.lastPrice, change: 0, percentChange: 0,
    volume: q.volume, openInterest: q.openInterest, bid: q.bid, ask: q.ask, contractSize: 'REGULAR',
    expiration: new Date(`${q.expiration}T00:00:00Z`), lastTradeDate: new Date('2024-06-14T19:59:00Z'),
    impliedVolatility: q.impliedVolatility, inTheMoney: q.type === 'call' ? q.strike < spot : q.strike > spot,
  };
}

/** A recorded yahoo-finance2 instance; `calls` logs each request. */
function recordedYahooFinance2() {
  const calls = [];
  const optionEntry = (sym, day) => {
    const chain = input.chains[sym];
    const rows = chain.quotes.filter((q) => q.expiration === day);
    return {
      expirationDate: new Date(`${day}T00:00:00Z`), hasMiniOptions: false,
      calls: rows.filter((q) => q.type === 'call').map((q) => callOrPut(sym, q, chain.spot)),
      puts: rows.filter((q) => q.type === 'put').map((q) => callOrPut(sym, q, chain.spot)),
    };
  };
  return {
    calls,
    async chart(symbol, { period1, period2, interval }) {
      calls.push(['chart', symbol, interval]);
      const quotes = input.histories[symbol]
        .map((b) => ({ date: new Date(`${b.date}T13:30:00Z`), high: b.high, volume: b.volume, open: b.open, low: b.low, close: b.close, adjclose: b.close }))
        .filter((q) => q.date >= period1 && q.date < period2);
      return { meta: { currency: 'USD', symbol, regularMarketPrice: input.chains[symbol].spot }, quotes };
    },
    async options(symbol, query = {}) {
      calls.push(['options', symbol, query.date ? new Date(query.date).toISOString().slice(0, 10) : null]);
      const chain = input.chains[symbol];
      const days = [...new Set(chain.quotes.map((q) => q.expiration))].sort();
      const day = query.date ? new Date(query.date).toISOString().slice(0, 10) : days[0];
      return {
        underlyingSymbol: symbol,
        expirationDates: days.map((d) => new Date(`${d}T00:00:00Z`)),
        strikes: [...new Set(chain.quotes.map((q) => q.strike))].sort((a, b) => a - b),
        hasMiniOptions: false,
        quote: { symbol, currency: 'USD', regularMarketPrice: chain.spot, quoteType: 'EQUITY' },
        options: [optionEntry(symbol, day)],
      };
    },
  };
}

test('the yahoo-finance2 example source gives the golden opportunities', async () => {
  const yf = recordedYahooFinance2();
  const r = await new optscan.Scanner(yahooFinance2Source(yf, SYMBOLS), {}).scan({ asOf: AS_OF });
  assert.deepEqual(r.metadata.failedSymbols, []);
  assert.equal(r.metadata.dataSource, 'yahoo-finance2');
  assert.deepEqual(JSON.parse(JSON.stringify(r.opportunities)), GOLDEN);
  // The nearest expiration comes with the first options() call; the other three are asked for.
  const asked = yf.calls.filter((c) => c[0] === 'options' && c[1] === 'ALFA').map((c) => c[2]);
  assert.deepEqual(asked, [null, '2024-07-19', '2024-08-16', '2024-09-20']);
});

test('maxExpirations limits the options() requests', async () => {
  const yf = recordedYahooFinance2();
  const src = yahooFinance2Source(yf, ['ALFA'], { maxExpirations: 2 });
  const chain = await src.optionChain('ALFA', AS_OF);
  assert.deepEqual([...new Set(chain.quotes.map((q) => q.expiration.toISOString().slice(0, 10)))], ['2024-06-21', '2024-07-19']);
  assert.equal(yf.calls.length, 2);
});
