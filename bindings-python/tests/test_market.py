"""Market-data sources: the Python classes wrap the core sources and keep secrets secret."""

from datetime import datetime, timezone

import pytest

import optscan
from conftest import shared_data


def test_synthetic_market_is_seeded_and_sized():
    a = optscan.SyntheticMarket(seed=7, symbols=12)
    assert isinstance(a, optscan.MarketData)
    assert a.name == "synthetic"
    universe = a.universe()
    assert len(universe) == 12 and len(set(universe)) == 12
    assert universe == optscan.SyntheticMarket(seed=7, symbols=12).universe()


def test_vendor_keys_never_show(monkeypatch):
    monkeypatch.delenv("POLYGON_API_KEY", raising=False)
    monkeypatch.delenv("TRADIER_TOKEN", raising=False)
    with pytest.raises(optscan.InvalidInputError):
        optscan.PolygonMarket()
    with pytest.raises(optscan.InvalidInputError):
        optscan.TradierMarket()
    p = optscan.PolygonMarket(api_key="pk_super_secret")
    t = optscan.TradierMarket(token="tk_super_secret")
    assert "secret" not in repr(p) and "secret" not in repr(t)
    assert (p.name, t.name, optscan.YahooMarket().name) == ("polygon", "tradier", "yahoo")


def test_csv_market_scans_real_daily_files():
    stocks = shared_data() / "kaggle-us-stocks-etfs-cc0" / "Stocks"
    if not stocks.exists():
        pytest.skip(f"skipped: no shared data at {stocks}")
    as_of = datetime(2017, 11, 10, 21, 0, tzinfo=timezone.utc)  # last session in the files
    m = optscan.CsvMarket(stocks, as_of=as_of)
    assert m.name == "csv"
    assert "JNJ" in m.universe()
    r = optscan.Scanner(m, optscan.ScanConfig(backtest=False)).scan(symbols=["JNJ"])
    assert r.symbols_scanned == ["JNJ"]
    assert r.metadata["dataSource"] == "csv"
    assert r.total_evaluated > 0


def test_csv_market_missing_path_is_a_typed_error(tmp_path):
    with pytest.raises(optscan.OptscanError):
        optscan.CsvMarket(tmp_path / "nope")
