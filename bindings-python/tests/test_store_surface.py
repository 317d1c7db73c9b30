"""The ScanStore surface Python shares with Node: close()/is_open (and `with`), awaitable
save/serve, and serve's max-stale and stale-if-error windows, all parsed by the core."""

import asyncio

import pytest

import optscan


def scanner():
    return optscan.Scanner(optscan.SyntheticMarket(seed=7, symbols=4), optscan.ScanConfig(backtest=False))


def test_close_makes_later_calls_invalid_input(tmp_path):
    with optscan.ScanStore.open(f"sqlite://{tmp_path / 's.db'}") as store:
        assert store.is_open and store.backend == "sqlite"
    assert not store.is_open
    with pytest.raises(optscan.InvalidInputError, match="closed"):
        store.latest()
    store.close()  # twice is a no-op


def test_awaitable_save_and_serve_with_stale_windows(tmp_path):
    store = optscan.ScanStore.open(f"sqlite://{tmp_path / 's.db'}")
    s = scanner()

    async def main():
        r = s.scan()
        assert await store.save_async(r) == r.scan_id
        served = await store.serve_async(s, max_age_minutes=60, max_stale_minutes=120, stale_if_error_minutes=0)
        assert served.source == "cache" and served.result.scan_id == r.scan_id

    asyncio.run(main())
    with pytest.raises(optscan.InvalidInputError, match="max_stale_minutes"):
        store.serve(s, max_stale_minutes=-1)
    with pytest.raises(optscan.InvalidInputError, match=r'stale must be "revalidate" or "live"'):
        store.serve(s, stale="later")
    store.close()


def test_errors_keep_their_cause_chain():
    fixture = __import__("pathlib").Path(__file__).resolve().parents[2] / "scanner-core" / "tests" / "fixtures" / "host_market"
    with pytest.raises(optscan.NotFoundError, match="cannot read folder") as e:
        optscan.CsvMarket(fixture, chain_dir="/nonexistent-chains")
    assert e.value.__cause__ is not None and "os error 2" in str(e.value.__cause__)
    assert len(optscan.CsvMarket(fixture, seed=3).universe()) == 4
