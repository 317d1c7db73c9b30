// The host-market fixture (scanner-core/tests/fixtures/host_market) as JS data, shared by
// the MemoryMarket, JS-source and golden tests.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const DATA = path.join(here, '..', '..', 'scanner-core', 'tests', 'fixtures', 'host_market');
export const AS_OF = '2024-06-14T20:00:00Z';
export const SYMBOLS = ['ALFA', 'BRAV', 'CHAR', 'DELT'];

/** A CSV file (no quoting in the fixture) as records, numbers parsed. */
function records(file) {
  const [head, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const names = head.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [names[i], Number.isNaN(Number(v)) ? v : Number(v)])));
}

/** The fixture as MemoryMarket input, with yahoo-finance2-like field names for quotes. */
export function memoryInput() {
  const histories = {};
  const chains = {};
  for (const s of SYMBOLS) {
    histories[s] = records(path.join(DATA, `${s}.csv`));
    const rows = records(path.join(DATA, 'chains', `${s}.csv`));
    chains[s] = {
      spot: rows[0].spot,
      asOf: AS_OF,
      quotes: rows.map((q) => ({
        strike: q.strike, bid: q.bid, ask: q.ask, lastPrice: q.last, volume: q.volume,
        openInterest: q.open_interest, impliedVolatility: q.iv, type: q.kind, expiration: q.expiration,
      })),
    };
  }
  return { histories, chains };
}

/** The opportunities every host must give on this fixture (written by the Rust CsvMarket test). */
export const GOLDEN = JSON.parse(fs.readFileSync(path.join(DATA, 'expected_opportunities.json'), 'utf8'));
