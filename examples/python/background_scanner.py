#!/usr/bin/env python3
"""Background scanner: the drop-in successor of the original ``scripts/background_scanner.py``.

Same flags (``--filter-mode strict|relaxed``, ``--max-symbols N``), same log lines on stderr,
exit code 1 on failure with nothing half-written. Each run is one ``store.run_scheduled`` cycle
of optscan's Rust engine — the same one ``optscan worker`` runs: writer lease, symbol rotation
stored in the database (so ``--max-symbols 60`` scans the next 60 symbols on every run), IV
history for IV rank, scan, save. The result goes to ``$DATABASE_URL`` (PostgreSQL / Supabase)
or, when unset, to the SQLite file ``optscan.db``.

    python examples/python/background_scanner.py --filter-mode strict --max-symbols 60

Environment: ``DATABASE_URL``; ``DISABLE_BACKTESTING=1`` turns backtesting off (unset means
enabled); ``OPTSCAN_SOURCE`` picks the source (synthetic, yahoo, polygon, tradier).
"""

import argparse
import os
import sys
import time

import optscan

SOURCES = {
    "synthetic": optscan.SyntheticMarket,
    "yahoo": optscan.YahooMarket,
    "polygon": optscan.PolygonMarket,
    "tradier": optscan.TradierMarket,
}


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Scan options and save the result to the cache.")
    p.add_argument("--filter-mode", choices=["strict", "relaxed"], default="strict")
    p.add_argument("--max-symbols", type=int, default=None, metavar="N")
    p.add_argument("--source", choices=sorted(SOURCES), default=os.environ.get("OPTSCAN_SOURCE", "synthetic"))
    p.add_argument("--universe", type=int, default=None, metavar="N", help="synthetic universe size")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    log("🚀 BACKGROUND SCANNER STARTED")
    try:
        backtest = os.environ.get("DISABLE_BACKTESTING", "").strip().lower() not in ("1", "true", "yes")
        config = optscan.ScanConfig(
            filter_mode=args.filter_mode, max_symbols=args.max_symbols, backtest=backtest
        )
        store = optscan.ScanStore.open(os.environ.get("DATABASE_URL") or None)
        source = SOURCES[args.source](symbols=args.universe) if args.universe else SOURCES[args.source]()
        scanner = optscan.Scanner(source, config)
        log(f"📊 Running FULL enhanced scan ({args.filter_mode}, backtesting "
            f"{'ENABLED' if backtest else 'DISABLED'})...")
        report = store.run_scheduled(scanner)
        result = report.results[0]
        log(f"✅ Saved scan to {store.backend}: {len(result.opportunities)} opportunities "
            f"({len(result.symbols_scanned)} symbols, {result.total_evaluated} contracts evaluated)")
        log(f"🔁 Next run starts at symbol {report.next_position} of {report.universe_size} "
            f"({report.ivs_recorded} IVs recorded)")
    except optscan.BusyError as e:
        log(f"⏭️ Another scanner holds the lease, skipping: {e}")
        return 0
    except optscan.OptscanError as e:
        log(f"❌ Background scan failed: {type(e).__name__}: {e}")
        return 1
    log(f"🏁 BACKGROUND SCANNER FINISHED in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
