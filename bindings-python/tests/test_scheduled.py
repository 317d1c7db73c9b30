"""store.run_scheduled: the core's scheduled cycle from Python — rotation, report, Busy."""

import asyncio
from datetime import datetime, timezone

import pytest

import optscan

AS_OF = datetime(2026, 3, 2, 21, 0, tzinfo=timezone.utc)


def scanner(**cfg):
    cfg.setdefault("backtest", False)
    return optscan.Scanner(optscan.SyntheticMarket(seed=7, symbols=10), optscan.ScanConfig(**cfg))


def test_cycles_rotate_and_report(tmp_path):
    store = optscan.ScanStore.open(f"sqlite://{tmp_path / 's.db'}")
    s = scanner(max_symbols=4)
    first = store.run_scheduled(s)
    second = store.run_scheduled(s)
    assert isinstance(first, optscan.RunReport)
    assert (first.universe_size, first.next_position, second.next_position) == (10, 4, 8)
    a, b = first.results[0].symbols_scanned, second.results[0].symbols_scanned
    assert len(a) == len(b) == 4 and not set(a) & set(b)
    assert first.ivs_recorded > 0 and first.elapsed_seconds > 0
    assert store.latest("strict").result.scan_id == second.results[0].scan_id


def test_async_twin_and_bad_input(tmp_path):
    store = optscan.ScanStore.open(f"sqlite://{tmp_path / 's.db'}")
    async def cycle():
        return await store.run_scheduled_async(scanner(max_symbols=2, filter_mode="both"), as_of=AS_OF)

    report = asyncio.run(cycle())
    assert [r.filter_mode for r in report.results] == ["strict", "relaxed"]
    with pytest.raises(optscan.InvalidInputError):
        store.run_scheduled(scanner(), lease_ttl=-1)


def test_a_queued_cycle_on_one_worker_plans_scans_every_shard_and_merges(pg_url, tmp_path):
    store = optscan.ScanStore.open(pg_url)
    report = store.run_scheduled(scanner(), queue="py_cycle", shard_size=4)
    q = report.queue
    assert isinstance(q, optscan.QueueRun)
    assert q.planned and q.merged_here
    assert sorted(q.shards_scanned) == [0, 1, 2]  # 10 symbols in shards of 4
    assert report.universe_size == 10
    merged = report.results[0]
    assert len(merged.symbols_scanned) == 10
    # The merged scan is what readers get, exactly as a single-worker save.
    assert store.latest("strict").result.scan_id == merged.scan_id
    # Without a queue there is no queue report; queue options alone are refused.
    assert store.run_scheduled(scanner(max_symbols=2)).queue is None
    with pytest.raises(optscan.InvalidInputError, match="need queue="):
        store.run_scheduled(scanner(), shard_size=4)
    with pytest.raises(optscan.InvalidInputError, match="queue name"):
        store.run_scheduled(scanner(), queue="Bad Name")
    # SQLite keeps single-worker cycles and says so.
    lite = optscan.ScanStore.open(f"sqlite://{tmp_path / 's.db'}")
    with pytest.raises(optscan.InvalidInputError, match="needs PostgreSQL"):
        lite.run_scheduled(scanner(), queue="py_cycle")
