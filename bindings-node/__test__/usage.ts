// Type-checked usage of the committed index.d.ts (`npm run typecheck`); never executed.
import {
  blackScholes, impliedVolatility, SyntheticMarket, CsvMarket, Scanner, ScanStore,
  type CachedJson, type CachedScan, type Greeks, type MarketDataSource, type ScanNotice, type ScanResult, type ScanSummary,
} from '../index.js';

export async function usage(): Promise<void> {
  const g: Greeks = await blackScholes({ isCall: true, spot: new Float64Array([100]), strike: 100, years: 0.5, rate: 0.05, vol: 0.25 });
  const probItm: Float64Array = g.probItm;
  const iv = await impliedVolatility({ price: g.price, isCall: 'call', spot: 100, strike: 100, years: 0.5, rate: 0.05 });
  const status: Int8Array = iv.status;
  const scanner = new Scanner(new SyntheticMarket({ seed: 7, symbols: 10 }), { filterMode: 'strict', maxResults: 5 });
  const csv = new Scanner(new CsvMarket({ path: 'data', asOf: '2017-11-10' }));
  const own: MarketDataSource = {
    name: 'mine',
    universe: async () => ['ABC'],
    priceHistory: (symbol: string, sessions: number, asOf: string) => ({ date: [asOf], close: new Float64Array([sessions]) }),
    optionChain: async (symbol: string) => ({ spot: 10, quotes: [{ contractSymbol: `${symbol}240719C00010000`, bid: 1, ask: 1.1 }] }),
  };
  const mine = new Scanner(own, { symbolDeadlineSecs: 5 });
  const result: ScanResult = await scanner.scan({ onProgress: (e) => console.log(e.event) });
  const store: ScanStore = await ScanStore.open('sqlite::memory:');
  const id: string = await store.save(result);
  const latest: CachedScan | null = await store.latest({ filterMode: 'strict', maxAgeMinutes: 15 });
  const rows: ScanSummary[] = await store.history({ limit: 5 });
  const deleted: number = await store.cleanup(100);
  const served: CachedScan = await store.serve({ scanner, filterMode: 'relaxed', maxAgeMinutes: 15, stale: 'revalidate' });
  const body: CachedJson = await store.serveJson({ scanner, filterMode: 'strict' });
  const bytes: Buffer = body.json;
  const head: CachedJson | null = await store.latestJson({ filterMode: 'relaxed' });
  console.log(bytes.length, body.opportunityCount, body.scanTimestamp, head?.isStale);
  for await (const notice of await store.subscribe()) {
    const n: ScanNotice = notice;
    console.log(n.scanId, n.filterMode, n.scanTimestamp);
    break;
  }
  console.log(probItm, status, csv, mine, id, latest?.ageMinutes, rows.length, deleted, served.source);
  await store.close();
}
