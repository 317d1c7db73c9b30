"""Sources written in Python and MemoryMarket: the same data through a DataFrame source, an
async dict-of-arrays source, MemoryMarket and CsvMarket gives identical opportunities; a
source that raises, returns wrong shapes or sleeps past the deadline fails those symbols
only, with their reasons."""

import asyncio
import json
import pathlib
import threading
import time
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

import optscan

DATA = pathlib.Path(__file__).resolve().parents[2] / "scanner-core" / "tests" / "fixtures" / "host_market"
AS_OF = datetime(2024, 6, 14, 20, 0, tzinfo=timezone.utc)
SYMBOLS = ["ALFA", "BRAV", "CHAR", "DELT"]


def history_frame(sym: str) -> pd.DataFrame:
    """yfinance's shape: a tz-aware DatetimeIndex and capitalised columns."""
    df = pd.read_csv(DATA / f"{sym}.csv", parse_dates=["date"]).set_index("date")
    df.index = df.index.tz_localize("America/New_York")
    df.index.name = "Date"
    return df.rename(columns=str.capitalize)


def chain_frame(sym: str) -> tuple[float, pd.DataFrame]:
    """yfinance/original column names; type and expiration columns as the original added them."""
    df = pd.read_csv(DATA / "chains" / f"{sym}.csv")
    spot = float(df["spot"].iloc[0])
    df = df.rename(
        columns={"kind": "optionType", "last": "lastPrice", "open_interest": "openInterest", "iv": "impliedVolatility"}
    )
    return spot, df.drop(columns=["as_of", "underlying", "spot"])


class FrameSource(optscan.MarketData):
    """A subclass returning DataFrames."""

    def universe(self):
        return SYMBOLS

    def price_history(self, symbol, sessions, as_of):
        return history_frame(symbol)

    def option_chain(self, symbol, as_of):
        spot, quotes = chain_frame(symbol)
        return {"spot": spot, "as_of": AS_OF, "quotes": quotes}


class AsyncArraySource:
    """Duck-typed, async, dicts of numpy arrays and lists of dicts."""

    async def universe(self):
        return SYMBOLS

    async def price_history(self, symbol, sessions, as_of):
        await asyncio.sleep(0)
        df = pd.read_csv(DATA / f"{symbol}.csv")
        out = {c: df[c].to_numpy() for c in ["open", "high", "low", "close", "volume"]}
        out["date"] = df["date"].to_numpy(dtype="datetime64[D]")
        return out

    async def option_chain(self, symbol, as_of):
        spot, quotes = chain_frame(symbol)
        return {"spot": spot, "as_of": AS_OF.isoformat(), "quotes": quotes.to_dict("records")}


def opportunities(source) -> list:
    result = optscan.Scanner(source, optscan.ScanConfig()).scan(as_of=AS_OF)
    assert result.metadata["failedSymbols"] == [], result.metadata["failedSymbols"]
    return json.loads(json.dumps(result.opportunities))


@pytest.fixture(scope="module")
def golden() -> list:
    ops = opportunities(optscan.CsvMarket(DATA))
    assert ops, "the fixture must yield opportunities"
    # The file the Rust CsvMarket test wrote, which the Node tests compare against too.
    assert ops == json.loads((DATA / "expected_opportunities.json").read_text())
    return ops


def test_dataframe_subclass_matches_csv_market(golden):
    assert opportunities(FrameSource()) == golden


def test_async_duck_typed_source_matches_csv_market(golden):
    assert opportunities(AsyncArraySource()) == golden


def test_memory_market_matches_csv_market(golden):
    histories = {s: history_frame(s) for s in SYMBOLS}
    chains = {}
    for s in SYMBOLS:
        spot, quotes = chain_frame(s)
        chains[s] = {"spot": spot, "as_of": AS_OF, "quotes": quotes}
    market = optscan.MemoryMarket(histories=histories, chains=chains)
    assert market.name == "memory" and market.universe() == SYMBOLS
    assert opportunities(market) == golden


@pytest.mark.parametrize(
    "variant",
    ["New York, microseconds", "UTC", "Tokyo", "fixed offset", "naive"],
)
def test_every_date_index_reads_as_its_own_wall_clock_dates(golden, variant):
    """tz-aware indexes are read from pandas' epoch ticks in their own zone (any unit); a zone
    without an IANA name takes pandas' own conversion; all give the same sessions."""
    from datetime import timedelta

    def frame(sym):
        df = history_frame(sym)
        naive = df.index.tz_localize(None)
        df.index = {
            "New York, microseconds": df.index.as_unit("us"),
            "UTC": naive.tz_localize("UTC"),
            "Tokyo": naive.tz_localize("Asia/Tokyo"),
            "fixed offset": naive.tz_localize(timezone(timedelta(hours=-5))),
            "naive": naive,
        }[variant]
        return df

    chains = {}
    for s in SYMBOLS:
        spot, quotes = chain_frame(s)
        chains[s] = {"spot": spot, "as_of": AS_OF, "quotes": quotes}
    market = optscan.MemoryMarket(histories={s: frame(s) for s in SYMBOLS}, chains=chains)
    assert opportunities(market) == golden


def test_text_cells_are_read_whatever_objects_hold_them(golden):
    """Object arrays of fresh (not interned) strings, repeated objects and lists read alike."""

    def fresh(values):
        return np.array(["".join(list(v)) for v in values], dtype=object)

    chains = {}
    for i, s in enumerate(SYMBOLS):
        spot, quotes = chain_frame(s)
        cols = {c: quotes[c].to_numpy() for c in quotes.columns}
        if i % 2:
            cols["optionType"] = fresh(quotes["optionType"])
            cols["expiration"] = list(fresh(quotes["expiration"]))
        else:
            cols["optionType"] = np.array(list(quotes["optionType"]), dtype=object)
        chains[s] = {"spot": spot, "as_of": AS_OF, "quotes": cols}
    market = optscan.MemoryMarket(histories={s: history_frame(s) for s in SYMBOLS}, chains=chains)
    assert opportunities(market) == golden


def test_memory_market_rejects_a_wrong_column_naming_it():
    df = history_frame("ALFA")
    df["Close"] = df["Close"].astype(object)
    df.iloc[5, df.columns.get_loc("Close")] = "n/a"
    with pytest.raises(optscan.InvalidInputError, match=r"column `Close` row 5"):
        optscan.MemoryMarket(histories={"ALFA": df})
    with pytest.raises(optscan.InvalidInputError, match=r"no `close` column"):
        optscan.MemoryMarket(histories={"ALFA": df.drop(columns=["Close"])})


class Misbehaving(FrameSource):
    """ALFA raises, BRAV returns a wrong shape, CHAR has a bad column, DELT is too slow."""

    def price_history(self, symbol, sessions, as_of):
        if symbol == "ALFA":
            raise ConnectionError("vendor said no")
        if symbol == "BRAV":
            return 42
        if symbol == "DELT":
            time.sleep(3)
        return super().price_history(symbol, sessions, as_of)

    def option_chain(self, symbol, as_of):
        if symbol == "CHAR":
            spot, quotes = chain_frame(symbol)
            return {"spot": spot, "quotes": quotes.drop(columns=["optionType"])}
        return super().option_chain(symbol, as_of)


class Good(FrameSource):
    name = "good-plus-bad"

    def universe(self):
        return SYMBOLS + ["OOPS"]

    def price_history(self, symbol, sessions, as_of):
        if symbol == "OOPS":
            raise optscan.NotFoundError("OOPS is not listed")
        return super().price_history(symbol, sessions, as_of)


def test_failures_become_failed_symbols_with_reasons():
    cfg = optscan.ScanConfig(backtest=False, symbol_deadline_secs=1.0)
    started = time.monotonic()
    result = optscan.Scanner(Misbehaving(), cfg).scan(as_of=AS_OF)
    failed = {f["symbol"]: f for f in result.metadata["failedSymbols"]}
    assert set(failed) == {"ALFA", "BRAV", "CHAR", "DELT"}
    assert failed["ALFA"]["kind"] == "DataSource" and "ConnectionError: vendor said no" in failed["ALFA"]["reason"]
    assert failed["BRAV"]["kind"] == "InvalidInput" and "got int" in failed["BRAV"]["reason"]
    assert failed["CHAR"]["kind"] == "InvalidInput" and "contractSymbol" in failed["CHAR"]["reason"]
    assert failed["DELT"]["kind"] == "Timeout" and "no data within 1 s" in failed["DELT"]["reason"]
    assert time.monotonic() - started < 3.0, "the deadline must not wait for the slow source"
    assert result.opportunities == []


def test_optscan_error_kinds_raised_by_a_source_are_kept():
    result = optscan.Scanner(Good(), optscan.ScanConfig(backtest=False)).scan(as_of=AS_OF)
    assert result.metadata["dataSource"] == "good-plus-bad"
    failed = result.metadata["failedSymbols"]
    assert [(f["symbol"], f["kind"]) for f in failed] == [("OOPS", "NotFound")]
    assert len(result.opportunities) > 0


class Blocking(FrameSource):
    """Plain methods that wait on I/O (here a sleep, which releases the GIL as a socket read
    does), counting how many of its calls are in progress at once."""

    def __init__(self):
        self.lock, self.running, self.most = threading.Lock(), 0, 0

    def price_history(self, symbol, sessions, as_of):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.5)
            return super().price_history(symbol, sessions, as_of)
        finally:
            with self.lock:
                self.running -= 1


def test_a_blocking_source_still_gets_concurrent_calls():
    # Fast calls run back to back on one thread; a call that waits is not allowed to hold
    # the others up: they spill to the thread pool, up to `fetch_concurrency` at once.
    source = Blocking()
    cfg = optscan.ScanConfig(backtest=False, fetch_concurrency=4)
    result = optscan.Scanner(source, cfg).scan(as_of=AS_OF)
    assert not result.metadata["failedSymbols"]
    assert source.most == len(SYMBOLS), source.most


def test_a_source_without_the_methods_is_refused():
    with pytest.raises(optscan.InvalidInputError, match="price_history"):
        optscan.Scanner(object())

    class Half(optscan.MarketData):
        def universe(self):
            return []

    with pytest.raises(optscan.InvalidInputError, match="price_history"):
        optscan.Scanner(Half())


def test_a_raising_universe_fails_the_scan_with_the_python_message():
    class Broken(FrameSource):
        def universe(self):
            raise RuntimeError("no list today")

    with pytest.raises(optscan.DataSourceError, match="RuntimeError: no list today"):
        optscan.Scanner(Broken()).scan(as_of=AS_OF)
