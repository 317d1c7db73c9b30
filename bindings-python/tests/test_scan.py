"""Scanner: results, progress from worker threads, GIL release, asyncio, determinism."""

import asyncio
import json
import threading
import time
from datetime import datetime, timezone

import pytest

import optscan

AS_OF = datetime(2026, 3, 2, 21, 0, tzinfo=timezone.utc)


def small_scanner(symbols=8, **cfg):
    cfg.setdefault("backtest", False)
    return optscan.Scanner(optscan.SyntheticMarket(seed=7, symbols=symbols), optscan.ScanConfig(**cfg))


def test_config_defaults_come_from_the_core():
    c = optscan.ScanConfig()
    assert (c.filter_mode, c.max_symbols, c.max_results, c.max_per_symbol) == ("strict", None, 20, 5)
    assert (c.lookback_sessions, c.risk_free_rate, c.backtest) == (365, 0.045, True)
    assert c.to_dict()["maxResults"] == 20
    with pytest.raises(TypeError):
        optscan.ScanConfig("strict")  # keyword-only


def test_scan_result_fields_and_json():
    r = small_scanner().scan(as_of=AS_OF)
    assert isinstance(r, optscan.ScanResult)
    assert r.filter_mode == "strict"
    assert r.scan_timestamp.tzinfo is not None
    assert len(r.symbols_scanned) == 8
    assert r.total_evaluated > 0
    assert len(r.opportunities) == len(r) <= 20
    doc = json.loads(r.to_json())
    assert doc["scanId"] == r.scan_id
    assert doc["opportunities"] == r.opportunities
    assert r.metadata["dataSource"] == "synthetic"
    for o in r.opportunities:
        assert {"symbol", "strike", "premium", "probabilityOfProfit", "greeks"} <= set(o)
        assert o["symbol"] in r.symbols_scanned
    again = optscan.ScanResult.from_json(r.to_json())
    assert json.loads(again.to_json()) == doc


def test_same_seed_and_as_of_give_the_same_opportunities():
    a = small_scanner().scan(as_of=AS_OF)
    b = small_scanner().scan(as_of=AS_OF)
    assert a.scan_id != b.scan_id
    assert a.opportunities == b.opportunities


def test_explicit_symbols_and_both_modes():
    sc = small_scanner(filter_mode="both")
    universe = optscan.SyntheticMarket(seed=7, symbols=8).universe()
    results = sc.scan(symbols=universe[:3], as_of=AS_OF)
    assert [r.filter_mode for r in results] == ["strict", "relaxed"]
    assert all(set(r.symbols_scanned) <= set(universe[:3]) for r in results)


def test_progress_is_called_from_worker_threads():
    events, threads = [], set()

    def on_progress(ev):
        events.append(ev)
        threads.add(threading.get_ident())

    small_scanner().scan(on_progress=on_progress, as_of=AS_OF)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "stage" and kinds[-1] == "finished"
    symbol_events = [e for e in events if e["event"] == "symbol"]
    assert len(symbol_events) == 8
    assert max(e["done"] for e in symbol_events) == 8
    assert threading.get_ident() not in threads or len(threads) > 1


def test_an_exception_in_the_callback_stops_the_scan_and_propagates():
    def boom(ev):
        raise RuntimeError("callback broke")

    with pytest.raises(RuntimeError, match="callback broke"):
        small_scanner().scan(on_progress=boom, as_of=AS_OF)


def test_other_python_threads_run_while_a_scan_runs():
    ticks = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        before = ticks[0]
        started = time.monotonic()
        small_scanner(symbols=40).scan(as_of=AS_OF)
        elapsed = time.monotonic() - started
        during = ticks[0] - before
    finally:
        stop.set()
        t.join()
    # a thread holding the GIL for the whole scan would leave the counter almost still
    assert elapsed > 0.01
    assert during > 10_000, (during, elapsed)


def test_ctrl_c_interrupts_a_blocking_scan():
    import _thread
    import signal

    events = []
    symbols = 3000
    scanner = small_scanner(symbols=symbols, backtest=True)
    # Ctrl-C every 0.3 s until the scan gives up (one press that lands before the scan
    # blocks must not make the test pass or fail by luck); only the first one raises.
    pressed = []

    def on_sigint(signum, frame):
        if not pressed:
            pressed.append(signum)
            raise KeyboardInterrupt

    stop = threading.Event()

    def press():
        while not stop.wait(0.3):
            _thread.interrupt_main()  # what Ctrl-C does

    previous = signal.signal(signal.SIGINT, on_sigint)
    presser = threading.Thread(target=press, daemon=True)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            scanner.scan(on_progress=events.append, as_of=AS_OF)
    finally:
        stop.set()
        presser.join()
        signal.signal(signal.SIGINT, previous)
    # Interrupted, not merely reported after the scan ran to completion.
    assert not any(e["event"] == "finished" for e in events)
    assert sum(e["event"] == "symbol" for e in events) < symbols


def test_scan_async_leaves_the_event_loop_free():
    async def main():
        beats = 0

        async def heartbeat():
            nonlocal beats
            while True:
                beats += 1
                await asyncio.sleep(0.001)

        hb = asyncio.create_task(heartbeat())
        result = await small_scanner(symbols=40).scan_async(as_of=AS_OF)
        hb.cancel()
        return result, beats

    result, beats = asyncio.run(main())
    assert isinstance(result, optscan.ScanResult)
    assert len(result.symbols_scanned) == 40
    assert beats > 3


def test_to_pandas_has_one_row_per_opportunity():
    pd = pytest.importorskip("pandas")
    r = small_scanner().scan(as_of=AS_OF)
    df = r.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert len(df) == len(r.opportunities)
    if len(df):
        assert list(df["symbol"]) == [o["symbol"] for o in r.opportunities]
