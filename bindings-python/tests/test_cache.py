"""ScanStore on SQLite and on a fresh local PostgreSQL database."""

import asyncio
import json
import threading
import time
from datetime import datetime, timezone

import pytest

import optscan

# Scans here are live (as of now): a scan of a past as-of is kept as historical and never
# served as the newest one (see test_a_past_as_of_is_never_the_live_scan).
PAST = datetime(2026, 3, 2, 21, 0, tzinfo=timezone.utc)


def scanner():
    return optscan.Scanner(optscan.SyntheticMarket(seed=7, symbols=6),
                           optscan.ScanConfig(backtest=False))


def exercise(url):
    store = optscan.ScanStore.open(url)
    assert store.latest() is None
    r = scanner().scan()
    assert store.save(r) == r.scan_id
    assert store.save(r) == r.scan_id  # idempotent
    cached = store.latest("strict")
    assert isinstance(cached, optscan.CachedScan)
    assert cached.source == "cache" and not cached.is_stale and cached.age_minutes >= 0
    assert json.loads(cached.result.to_json()) == json.loads(r.to_json())
    assert json.loads(cached.to_json())["isStale"] is False
    assert store.latest("relaxed") is None
    hist = store.history()
    assert [h.scan_id for h in hist] == [r.scan_id]
    assert hist[0].opportunity_count == len(r.opportunities)
    for _ in range(2):
        store.save(scanner().scan())
    assert len(store.history(filter_mode="strict", limit=10)) == 3
    assert store.cleanup(keep=1) == 2
    assert len(store.history()) == 1
    return store


def test_sqlite_round_trip(tmp_path):
    store = exercise(f"sqlite://{tmp_path / 'scans.db'}")
    assert store.backend == "sqlite"


def test_postgres_round_trip(pg_url):
    store = exercise(pg_url)
    assert store.backend == "postgres"
    assert "postgres" in repr(store)


def test_serve_scans_live_once_then_serves_the_cache():
    store = optscan.ScanStore.open("sqlite::memory:")
    sc = scanner()
    first = store.serve(sc, filter_mode="strict", max_age_minutes=15)
    assert first.source == "live"
    second = store.serve(sc)
    assert second.source == "cache"
    assert second.result.scan_id == first.result.scan_id
    with pytest.raises(optscan.InvalidInputError):
        store.serve(sc, stale="sometimes")
    with pytest.raises(optscan.InvalidInputError):
        store.latest(filter_mode="sideways")
    with pytest.raises(optscan.InvalidInputError):
        store.latest(max_age_minutes=-1)


def test_json_reads_hand_out_the_stored_document():
    store = optscan.ScanStore.open("sqlite::memory:")
    assert store.latest_json() is None
    r = scanner().scan()
    store.save(r)
    j = store.latest_json("strict")
    assert isinstance(j, optscan.CachedJson) and isinstance(j.json, bytes)
    assert j.json.decode("utf-8") == store.latest().result.to_json()
    assert json.loads(j.json) == json.loads(r.to_json())
    assert (j.scan_id, j.filter_mode, j.source, j.is_stale, j.error) == (r.scan_id, "strict", "cache", False, None)
    assert j.opportunity_count == len(r.opportunities)
    assert j.total_evaluated == r.total_evaluated
    assert j.scan_timestamp == store.history()[0].scan_timestamp
    assert store.latest_json("relaxed") is None
    live = store.serve_json(scanner(), filter_mode="relaxed")
    assert live.source == "live"
    assert json.loads(live.json)["scanId"] == live.scan_id == store.latest("relaxed").result.scan_id
    assert store.serve_json(scanner(), filter_mode="relaxed").source == "cache"
    with pytest.raises(optscan.InvalidInputError):
        store.serve_json(scanner(), stale="sometimes")
    with pytest.raises(optscan.InvalidInputError):
        store.latest_json(max_age_minutes=-1)


def test_subscribe_yields_new_scans_from_any_store(tmp_path):
    url = f"sqlite://{tmp_path / 'sub.db'}"
    reader, writer = optscan.ScanStore.open(url), optscan.ScanStore.open(url)
    sub = reader.subscribe()
    assert sub.next(timeout=0.2) is None  # nothing saved yet
    r = scanner().scan()
    writer.save(r)
    notice = next(iter(sub))
    assert isinstance(notice, optscan.ScanNotice)
    assert (notice.scan_id, notice.filter_mode) == (r.scan_id, "strict")
    with pytest.raises(optscan.InvalidInputError):
        sub.next(timeout=-1)

    # close() ends a next() that is waiting in another thread.
    got = []
    t = threading.Thread(target=lambda: got.append(sub.next()))
    t.start()
    time.sleep(0.2)
    sub.close()
    t.join(timeout=10)
    assert not t.is_alive() and got == [None]
    assert list(sub) == []


def test_subscribe_as_an_async_iterator(tmp_path):
    url = f"sqlite://{tmp_path / 'asub.db'}"
    store = optscan.ScanStore.open(url)

    async def main():
        sub = store.subscribe()
        r = scanner().scan()
        await asyncio.to_thread(store.save, r)
        async for notice in sub:
            return notice.scan_id == r.scan_id

    assert asyncio.run(main())


def test_pool_options_are_checked_and_an_unreachable_database_fails_fast():
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanStore.open("sqlite::memory:", acquire_timeout=0)
    with pytest.raises(optscan.InvalidInputError):
        optscan.ScanStore.open("sqlite::memory:", poll_interval=-1)
    store = optscan.ScanStore.open("sqlite::memory:", max_connections=2, acquire_timeout=1.5, poll_interval=0.05)
    assert store.latest() is None
    with pytest.raises((optscan.TimeoutError, optscan.DatabaseError)) as err:
        optscan.ScanStore.open("postgres://app:hunter2@127.0.0.1:9/none", acquire_timeout=0.3)
    assert "hunter2" not in str(err.value)


def test_database_url_is_the_default(tmp_path, monkeypatch):
    url = f"sqlite://{tmp_path / 'env.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = optscan.ScanStore.open()
    store.save(scanner().scan())
    assert optscan.ScanStore.open(url).latest() is not None


def test_a_past_as_of_is_never_the_live_scan(tmp_path):
    store = optscan.ScanStore.open(f"sqlite://{tmp_path / 'hist.db'}")
    past = scanner().scan(as_of=PAST)
    assert store.save(past) == past.scan_id
    assert store.latest() is None, "a backfill is not the live scan"
    live = scanner().scan()
    store.save(live)
    assert store.latest().result.scan_id == live.scan_id
