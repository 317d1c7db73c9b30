// One ScanStore and one Scanner per server process, shared by every route. Configured by
// environment: OPTSCAN_DB (else DATABASE_URL, else sqlite://optscan.db), OPTSCAN_SYMBOLS
// (synthetic universe size, 60), OPTSCAN_MAX_AGE_MINUTES (fresh window, 15) and
// OPTSCAN_ACQUIRE_TIMEOUT_MS (how long a request waits for the database, 3000).
import { ScanStore, Scanner, SyntheticMarket } from 'optscan';

type Shared = { store?: Promise<ScanStore>; scanners: Map<string, Scanner> };
const g = globalThis as typeof globalThis & { __optscan?: Shared };

function shared(): Shared {
  g.__optscan ??= { scanners: new Map() };
  return g.__optscan;
}

/** The shared store. A failed open (database down) is forgotten, so a later request retries. */
export function store(): Promise<ScanStore> {
  const s = shared();
  if (!s.store) {
    const url = process.env.OPTSCAN_DB ?? process.env.DATABASE_URL ?? 'sqlite://optscan.db';
    const acquireTimeoutMs = Number(process.env.OPTSCAN_ACQUIRE_TIMEOUT_MS ?? 3000);
    const opening = ScanStore.open(url, { pollIntervalMs: 250, maxConnections: 10, acquireTimeoutMs });
    s.store = opening;
    opening.catch(() => {
      if (s.store === opening) s.store = undefined;
    });
  }
  return s.store;
}

export function scanner(mode: 'strict' | 'relaxed'): Scanner {
  const s = shared();
  let sc = s.scanners.get(mode);
  if (!sc) {
    const symbols = Number(process.env.OPTSCAN_SYMBOLS ?? 60);
    sc = new Scanner(new SyntheticMarket({ seed: 7, symbols }), { filterMode: mode });
    s.scanners.set(mode, sc);
  }
  return sc;
}

export const maxAgeMinutes = (): number => Number(process.env.OPTSCAN_MAX_AGE_MINUTES ?? 15);

/** HTTP status for an optscan error code: bad input 400, busy/unavailable 503, else 500. */
export function statusFor(code: unknown): number {
  switch (code) {
    case 'InvalidInput': return 400;
    case 'NotFound': return 404;
    case 'Busy': case 'DataSource': case 'RateLimited': case 'Timeout': case 'Database': return 503;
    default: return 500;
  }
}
