"""optscan.sources.YFinanceMarket, offline: a ticker factory returning yfinance's own result
shapes (history frames with a tz-aware DatetimeIndex and Open/High/Low/Close/Volume/
Dividends/Stock Splits; option_chain namedtuples of calls/puts frames with all fourteen
yfinance columns) built from the shared host-market fixture. Scanning through the adapter
must give the golden opportunities the Rust CsvMarket path wrote for that fixture."""

import json
import pathlib
from collections import namedtuple
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

import optscan
from optscan.sources import YFinanceMarket

DATA = pathlib.Path(__file__).resolve().parents[2] / "scanner-core" / "tests" / "fixtures" / "host_market"
GOLDEN = json.loads((DATA / "expected_opportunities.json").read_text())
AS_OF = datetime(2024, 6, 14, 20, 0, tzinfo=timezone.utc)
SYMBOLS = ["ALFA", "BRAV", "CHAR", "DELT"]

Options = namedtuple("Options", ["calls", "puts", "underlying"])
YF_CHAIN_COLUMNS = [
    "contractSymbol", "lastTradeDate", "strike", "lastPrice", "bid", "ask", "change",
    "percentChange", "volume", "openInterest", "impliedVolatility", "inTheMoney",
    "contractSize", "currency",
]


class RecordedTicker:
    """What ``yfinance.Ticker(symbol)`` answers, recorded in its shapes (no network)."""

    def __init__(self, symbol: str, log: list):
        self.symbol, self.log = symbol, log
        bars = pd.read_csv(DATA / f"{symbol}.csv", parse_dates=["date"])
        index = pd.DatetimeIndex(bars.pop("date")).tz_localize("America/New_York").rename("Date")
        bars.index = index
        bars.columns = [c.capitalize() for c in bars.columns]
        self._bars = bars.assign(Dividends=0.0, **{"Stock Splits": 0.0})
        self._chain = pd.read_csv(DATA / "chains" / f"{symbol}.csv")
        self.spot = float(self._chain["spot"].iloc[0])
        self.fast_info = {"lastPrice": self.spot + 1.0}  # must lose to the chain's own quote
        self.dividends = pd.Series([], dtype="float64", index=pd.DatetimeIndex([], tz="America/New_York"), name="Dividends")

    def history(self, start=None, end=None, interval="1d", **_):
        self.log.append(("history", self.symbol, start, end, interval))
        idx = self._bars.index.tz_localize(None)
        return self._bars[(idx >= pd.Timestamp(start)) & (idx < pd.Timestamp(end))]

    @property
    def options(self):
        return tuple(sorted(self._chain["expiration"].unique()))

    def option_chain(self, expiration):
        self.log.append(("option_chain", self.symbol, expiration))
        rows = self._chain[self._chain["expiration"] == expiration]

        def frame(kind: str) -> pd.DataFrame:
            r = rows[rows["kind"] == kind].reset_index(drop=True)
            ymd = date.fromisoformat(expiration).strftime("%y%m%d")
            letter = "C" if kind == "call" else "P"
            f = pd.DataFrame(
                {
                    "contractSymbol": [f"{self.symbol}{ymd}{letter}{round(k * 1000):08d}" for k in r["strike"]],
                    "lastTradeDate": pd.to_datetime(["2024-06-14 19:59:00"] * len(r)).tz_localize("UTC"),
                    "strike": r["strike"],
                    "lastPrice": r["last"],
                    "bid": r["bid"],
                    "ask": r["ask"],
                    "change": 0.0,
                    "percentChange": 0.0,
                    "volume": r["volume"].astype("float64"),
                    "openInterest": r["open_interest"],
                    "impliedVolatility": r["iv"],
                    "inTheMoney": (r["strike"] < self.spot) if kind == "call" else (r["strike"] > self.spot),
                    "contractSize": "REGULAR",
                    "currency": "USD",
                }
            )
            assert list(f.columns) == YF_CHAIN_COLUMNS
            return f

        return Options(frame("call"), frame("put"), {"regularMarketPrice": self.spot, "currency": "USD"})


def recorded(log: list):
    return lambda symbol: RecordedTicker(symbol, log)


def test_yfinance_market_gives_the_golden_opportunities():
    log: list = []
    market = YFinanceMarket(SYMBOLS, ticker=recorded(log))
    assert market.name == "yfinance" and market.universe() == SYMBOLS
    result = optscan.Scanner(market, optscan.ScanConfig()).scan(as_of=AS_OF)
    assert result.metadata["failedSymbols"] == []
    assert result.metadata["dataSource"] == "yfinance"
    assert json.loads(json.dumps(result.opportunities)) == GOLDEN
    histories = [e for e in log if e[0] == "history"]
    assert {e[1] for e in histories} >= set(SYMBOLS)
    assert all(e[3] == "2024-06-15" and e[4] == "1d" for e in histories), histories


def test_max_expirations_limits_the_chain_requests():
    log: list = []
    market = YFinanceMarket(["ALFA"], ticker=recorded(log), max_expirations=2)
    optscan.Scanner(market, optscan.ScanConfig(backtest=False)).scan(as_of=AS_OF)
    assert [e[2] for e in log if e[0] == "option_chain"] == ["2024-06-21", "2024-07-19"]


def test_a_failing_ticker_fails_only_its_symbol():
    log: list = []
    base = recorded(log)

    def ticker(symbol):
        if symbol == "BRAV":
            raise ConnectionError("Too Many Requests. Rate limited. Try after a while.")
        return base(symbol)

    result = optscan.Scanner(YFinanceMarket(SYMBOLS, ticker=ticker), optscan.ScanConfig(backtest=False)).scan(as_of=AS_OF)
    failed = result.metadata["failedSymbols"]
    assert [(f["symbol"], f["kind"]) for f in failed] == [("BRAV", "DataSource")]
    assert "Too Many Requests" in failed[0]["reason"]
    assert len(result.opportunities) > 0


def test_trailing_dividends_give_the_chain_a_yield():
    from optscan.sources import _trailing_dividend_yield

    t = RecordedTicker("ALFA", [])
    paid = pd.DatetimeIndex(["2023-05-01", "2023-09-01", "2024-03-01", "2024-07-01"], tz="America/New_York")
    t.dividends = pd.Series([9.0, 0.25, 0.25, 9.0], index=paid)
    assert _trailing_dividend_yield(t, AS_OF, 50.0) == pytest.approx(0.5 / 50.0)
    assert _trailing_dividend_yield(RecordedTicker("ALFA", []), AS_OF, 50.0) == 0.0


def test_no_expiration_after_the_as_of_is_a_clear_failure():
    market = YFinanceMarket(["ALFA"], ticker=recorded([]))
    with pytest.raises(LookupError, match="no expirations on or after 2025-07-19"):
        market.option_chain("ALFA", AS_OF + timedelta(days=400))
