// A Node background worker: one `store.runScheduled` cycle per run — the cycle `optscan
// worker` runs (writer lease, symbol rotation stored in the database, IV history, scan,
// save) — so `--max-symbols 60` walks the whole universe across runs, even from cron on an
// ephemeral runner.
//
//   node examples/node/worker.mjs --max-symbols 60          # DATABASE_URL or sqlite://optscan.db
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const optscan = createRequire(import.meta.url)('../../bindings-node/index.js');

const { values } = parseArgs({
  options: {
    'max-symbols': { type: 'string' },
    'filter-mode': { type: 'string', default: 'strict' },
    universe: { type: 'string', default: '60' },
  },
});

const store = await optscan.ScanStore.open(process.env.DATABASE_URL || undefined);
const scanner = new optscan.Scanner(new optscan.SyntheticMarket({ symbols: Number(values.universe) }), {
  filterMode: values['filter-mode'],
  maxSymbols: values['max-symbols'] ? Number(values['max-symbols']) : null,
  backtest: process.env.DISABLE_BACKTESTING !== '1',
});
try {
  const r = await store.runScheduled({ scanner });
  const first = r.results[0];
  console.error(`saved ${first.opportunities.length} opportunities over ${first.symbolsScanned.length} symbols; next run starts at ${r.nextPosition} of ${r.universeSize}`);
  console.log(JSON.stringify({ symbols: first.symbolsScanned, nextPosition: r.nextPosition }));
} catch (e) {
  if (e.code === 'Busy') {
    console.error(`another worker holds the lease, skipping: ${e.message}`);
  } else {
    console.error(`scan failed (${e.code}): ${e.message}`);
    process.exitCode = 1;
  }
}
