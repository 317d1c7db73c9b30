"""Every core ErrorKind has its own exception class under optscan.OptscanError."""

from datetime import datetime, timezone

import pytest

import optscan
from optscan import _native

AS_OF = datetime(2024, 6, 12, 18, 0, tzinfo=timezone.utc)

KINDS = ["InvalidInput", "NotFound", "DataSource", "RateLimited", "Timeout", "Database",
         "Busy", "Cancelled", "Internal"]


def test_every_kind_has_a_class_under_the_root():
    table = dict(_native._error_classes())
    assert sorted(table) == sorted(KINDS)
    assert issubclass(optscan.OptscanError, Exception)
    for kind, cls in table.items():
        assert cls is getattr(optscan, f"{kind}Error")
        assert issubclass(cls, optscan.OptscanError)
    assert len(set(table.values())) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_core_errors_raise_their_class(kind):
    with pytest.raises(getattr(optscan, f"{kind}Error")) as info:
        _native._raise_kind(kind)
    assert kind in str(info.value)


def test_real_failures_map_to_their_kind():
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanConfig(max_results=0)
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanConfig(filter_mode="sideways")
    with pytest.raises(optscan.OptscanError):
        optscan.ScanStore.open("mysql://nowhere/db")


def test_a_panicking_source_is_internal_and_the_interpreter_survives(monkeypatch):
    # The core's test hook makes a synthetic source panic where told.
    monkeypatch.setenv("OPTSCAN_TEST_PANIC_SYMBOLS", "universe,SYN0002")
    market = optscan.SyntheticMarket(seed=7, symbols=5)
    with pytest.raises(optscan.InternalError, match="panic"):
        market.universe()
    scanner = optscan.Scanner(market, optscan.ScanConfig(backtest=False))
    with pytest.raises(optscan.InternalError):
        scanner.scan(as_of=AS_OF)
    # A panic while fetching one symbol fails that symbol only.
    monkeypatch.setenv("OPTSCAN_TEST_PANIC_SYMBOLS", "SYN0002")
    r = optscan.Scanner(optscan.SyntheticMarket(seed=7, symbols=5),
                        optscan.ScanConfig(backtest=False)).scan(as_of=AS_OF)
    failed = {f["symbol"]: f["kind"] for f in r.metadata["failedSymbols"]}
    assert failed == {"SYN0002": "Internal"}
    assert len(r.symbols_scanned) == 4


def test_absurd_sizes_are_refused_before_allocating():
    with pytest.raises(optscan.InvalidInputError, match="at most"):
        optscan.SyntheticMarket(seed=7, symbols=4_000_000_000)
