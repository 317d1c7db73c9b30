#!/usr/bin/env python3
"""What a source written in Python costs: one 60-symbol scan over the same bars and chains
through (a) a Python source returning pandas DataFrames it already holds, (b) an async
Python source returning dicts of numpy arrays and lists of dicts, (c) ``MemoryMarket`` built
once from those frames, and (d) ``CsvMarket`` reading the same data from files.

The 60 symbols are the host-market fixture's four (scanner-core/tests/fixtures/host_market)
under numbered names, at its as-of. The overhead of a Python source is its median scan wall
time minus MemoryMarket's (the same data with no Python in the fetch stage), as a share of
its own wall time. Build in release first:

    .venv/bin/maturin develop --release -m bindings-python/Cargo.toml
    .venv/bin/python bench/python_source.py [--runs 7]

Sources are timed round-robin (one scan each per round) and the medians reported, wall
and process CPU (all threads), so load from elsewhere on the machine hits them alike.
Prints a Markdown table (the one quoted in README.md) and, last, what the conversion of the
frames alone costs per symbol.
"""

import argparse
import asyncio
import pathlib
import statistics
import tempfile
import time
from datetime import datetime, timezone

import pandas as pd

import optscan

FIXTURE = pathlib.Path(__file__).resolve().parents[1] / "scanner-core" / "tests" / "fixtures" / "host_market"
AS_OF = datetime(2024, 6, 14, 20, 0, tzinfo=timezone.utc)
BASE = ["ALFA", "BRAV", "CHAR", "DELT"]
SYMBOLS = [f"{BASE[i % 4]}{i:02d}" for i in range(60)]


def base_of(symbol: str) -> str:
    return symbol[:4]


def load():
    histories, chains = {}, {}
    for b in BASE:
        df = pd.read_csv(FIXTURE / f"{b}.csv", parse_dates=["date"]).set_index("date")
        df.index = df.index.tz_localize("America/New_York")
        histories[b] = df.rename(columns=str.capitalize)
        c = pd.read_csv(FIXTURE / "chains" / f"{b}.csv")
        spot = float(c["spot"].iloc[0])
        quotes = c.rename(
            columns={"kind": "optionType", "last": "lastPrice", "open_interest": "openInterest", "iv": "impliedVolatility"}
        ).drop(columns=["as_of", "underlying", "spot"])
        chains[b] = {"spot": spot, "as_of": AS_OF, "quotes": quotes}
    return histories, chains


class FrameSource(optscan.MarketData):
    """Plain methods returning DataFrames already in memory."""

    def __init__(self, histories, chains):
        self.h, self.c = histories, chains

    def universe(self):
        return SYMBOLS

    def price_history(self, symbol, sessions, as_of):
        return self.h[base_of(symbol)]

    def option_chain(self, symbol, as_of):
        return self.c[base_of(symbol)]


class AsyncArraySource:
    """``async def`` methods returning dicts of numpy arrays and lists of dicts."""

    def __init__(self, histories, chains):
        self.h = {}
        for b, df in histories.items():
            cols = {c: df[c].to_numpy() for c in ["Open", "High", "Low", "Close", "Volume"]}
            cols["date"] = df.index.tz_localize(None).to_numpy(dtype="datetime64[D]")
            self.h[b] = cols
        self.c = {b: {**c, "quotes": c["quotes"].to_dict("records")} for b, c in chains.items()}

    async def universe(self):
        return SYMBOLS

    async def price_history(self, symbol, sessions, as_of):
        await asyncio.sleep(0)
        return self.h[base_of(symbol)]

    async def option_chain(self, symbol, as_of):
        return self.c[base_of(symbol)]


def csv_folder(root: pathlib.Path) -> pathlib.Path:
    (root / "chains").mkdir(parents=True)
    for s in SYMBOLS:
        b = base_of(s)
        (root / f"{s}.csv").write_text((FIXTURE / f"{b}.csv").read_text())
        c = pd.read_csv(FIXTURE / "chains" / f"{b}.csv")
        c["underlying"] = s
        c.to_csv(root / "chains" / f"{s}.csv", index=False)
    return root


def once(make_source, cfg) -> tuple[float, float, int]:
    """Wall and process CPU seconds (every thread) of one scan, and its opportunity count."""
    scanner = optscan.Scanner(make_source(), cfg)
    w, c = time.perf_counter(), time.process_time()
    r = scanner.scan(as_of=AS_OF)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    assert not r.metadata["failedSymbols"], r.metadata["failedSymbols"]
    return wall, cpu, len(r.opportunities)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    histories, chains = load()
    memory_input = (
        {s: histories[base_of(s)] for s in SYMBOLS},
        {s: chains[base_of(s)] for s in SYMBOLS},
    )
    cfg = optscan.ScanConfig(max_symbols=60)
    with tempfile.TemporaryDirectory() as tmp:
        folder = csv_folder(pathlib.Path(tmp) / "data")
        memory = optscan.MemoryMarket(histories=memory_input[0], chains=memory_input[1])
        rows = [
            ("MemoryMarket (built once, outside the timing)", lambda: memory),
            ("Python source: DataFrames, plain methods", lambda: FrameSource(histories, chains)),
            ("Python source: numpy dicts / records, async def", lambda: AsyncArraySource(histories, chains)),
            ("CsvMarket (same data as files)", lambda: optscan.CsvMarket(folder)),
        ]
        for _, make in rows:  # warm-up: thread pools, page cache, imports
            once(make, cfg)
        # Round-robin, so a burst of load on the machine hits every source alike.
        samples: list[list[tuple[float, float, int]]] = [[] for _ in rows]
        for _ in range(args.runs):
            for i, (_, make) in enumerate(rows):
                samples[i].append(once(make, cfg))
    conversion = conversion_cost(*memory_input)
    med = [tuple(statistics.median(x[k] for x in runs) for k in range(3)) for runs in samples]
    base_wall, base_cpu = med[0][0], med[0][1]
    print(f"60-symbol scan, medians of {args.runs} interleaved runs (as-of {AS_OF:%Y-%m-%d}):\n")
    print("| source | wall (ms) | CPU (ms, all threads) | opportunities | wall on top of MemoryMarket |")
    print("|---|---:|---:|---:|---:|")
    for (name, _), (wall, cpu, n) in zip(rows, med):
        over = "—" if wall == base_wall else f"{(wall - base_wall) * 1e3:+.1f} ms ({(wall - base_wall) / wall:+.1%} of its wall)"
        print(f"| {name} | {wall * 1e3:.1f} | {cpu * 1e3:.1f} | {n:.0f} | {over} |")
    print(f"\nCPU on top of MemoryMarket: " + ", ".join(
        f"{name.split(':')[0] if ':' not in name else name.split(': ')[1]} {(cpu - base_cpu) * 1e3:+.1f} ms"
        for (name, _), (_, cpu, _) in list(zip(rows, med))[1:]))

    print(
        "\nConversion alone (MemoryMarket built from the same frames, best of 20, process CPU): "
        f"{conversion[0]:.0f} us per history, {conversion[1]:.0f} us per chain"
    )


def conversion_cost(histories, chains) -> tuple[float, float]:
    """Microseconds of CPU per symbol to turn the frames into bars, then into chains."""

    def best(build) -> float:
        times = []
        for _ in range(20):
            t = time.process_time()
            build()
            times.append(time.process_time() - t)
        return min(times)

    bars = best(lambda: optscan.MemoryMarket(histories=histories))
    both = best(lambda: optscan.MemoryMarket(histories=histories, chains=chains))
    return bars / len(histories) * 1e6, (both - bars) / len(chains) * 1e6


if __name__ == "__main__":
    main()
