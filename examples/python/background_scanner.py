#!/usr/bin/env python3
"""Background scanner: the drop-in successor of the original ``scripts/background_scanner.py``.

Same flags (``--filter-mode strict|relaxed``, ``--max-symbols N``), same log lines on stderr,
exit code 1 on failure with nothing half-written. The scan runs in-process in optscan's Rust
engine and the result goes to ``$DATABASE_URL`` (PostgreSQL / Supabase) or, when unset, to
the SQLite file ``optscan.db``.

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
        scanner = optscan.Scanner(SOURCES[args.source](), config)
        log(f"📊 Running FULL enhanced scan ({args.filter_mode}, backtesting "
            f"{'ENABLED' if backtest else 'DISABLED'})...")
        result = scanner.scan()
        store.save(result)
        log(f"✅ Saved scan to {store.backend}: {len(result.opportunities)} opportunities "
            f"({len(result.symbols_scanned)} symbols, {result.total_evaluated} contracts evaluated)")
    except optscan.OptscanError as e:
        log(f"❌ Background scan failed: {type(e).__name__}: {e}")
        return 1
    log(f"🏁 BACKGROUND SCANNER FINISHED in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
