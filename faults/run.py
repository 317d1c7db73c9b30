#!/usr/bin/env python3
"""The fault suite (`make faults`): what an operator does to optscan, done on purpose.

kill -9 at random points of `optscan scan` on SQLite, PostgreSQL and PostgreSQL through
PgBouncer (transaction mode, no URL flag); two overlapping writers; a 20 s database outage
during `optscan worker`; a panicking source. After each fault it checks the cache (complete
scans only, integrity, the next scan starts without waiting out a lease) and prints the
figures. Exits non-zero when a guarantee is broken.

Needs a built `optscan` (target/debug or $OPTSCAN_BIN), PostgreSQL ($OPTSCAN_TEST_PG, default
postgres://postgres@127.0.0.1:5432/postgres) and `pgbouncer` on PATH.
"""

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time

from faults_lib import (Bouncer, CuttableProxy, PgDb, failures, figure, optscan_bin,
                        run, wait_for_scan)

LEASE_TTL = 30.0  # the default; the next scan must start within it after every kill


def scan_args(db, universe):
    return ["scan", "--db", db, "--universe", str(universe), "--no-backtest",
            "--filter-mode", "strict"]


def partial_rows_sqlite(path):
    con = sqlite3.connect(path)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        bad = 0
        for opps, count, symbols, status in con.execute(
                "SELECT opportunities, opportunity_count, symbols_scanned, status "
                "FROM cached_scan_results"):
            try:
                parsed = json.loads(opps)
                json.loads(symbols)
                bad += len(parsed) != count or status not in ("ok", "degraded")
            except ValueError:
                bad += 1
        return bad, ok == "ok"
    finally:
        con.close()


def kill_loop(name, db, kills, universe, checker):
    """kill -9 `optscan scan` `kills` times at random points; returns the figures."""
    rng = random.Random(7)
    first = run(scan_args(db, universe))
    if first.returncode != 0:
        failures.append(f"{name}: the first scan failed: {first.stderr}")
        return
    t0 = time.monotonic()
    run(scan_args(db, universe))
    typical = time.monotonic() - t0
    waits, refused, landed_after_commit = [], 0, 0
    before = checker.count()
    for _ in range(kills):
        p = subprocess.Popen([optscan_bin()] + scan_args(db, universe),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, typical * 1.2))
        p.kill()
        p.wait()
        after = checker.count()
        landed_after_commit += after > before
        bad, intact = checker.check()
        if bad or not intact:
            failures.append(f"{name}: {bad} partial rows, integrity ok = {intact}")
        waited, tries = wait_for_scan(scan_args(db, universe), LEASE_TTL + 5)
        refused += tries - 1
        if waited is None:
            failures.append(f"{name}: no scan within {LEASE_TTL + 5:.0f} s after a kill")
        else:
            waits.append(waited)
        before = checker.count()
    bad, intact = checker.check()
    figure(name, kills=kills, typical_scan_s=round(typical, 3),
           kills_after_commit=landed_after_commit, partial_rows=bad,
           integrity_ok=intact, refused_next_scans=refused,
           max_s_until_next_scan=round(max(waits, default=float("nan")), 3),
           cycles_lost=sum(w > LEASE_TTL for w in waits))


class SqliteChecker:
    def __init__(self, path):
        self.path = path

    def count(self):
        con = sqlite3.connect(self.path)
        try:
            return con.execute("SELECT count(*) FROM cached_scan_results").fetchone()[0]
        finally:
            con.close()

    def check(self):
        return partial_rows_sqlite(self.path)


def overlapping_writers(db, rounds):
    both_saved = busy = 0
    for _ in range(rounds):
        ps = [subprocess.Popen([optscan_bin()] + scan_args(db, 300), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [(p.wait(), p.stderr.read()) for p in ps]
        busy += sum("Busy" in err for _, err in outs)
        both_saved += all(code == 0 for code, _ in outs)
    hist = json.loads(run(["history", "--db", db, "--limit", "500", "--json"]).stdout)
    spans = sorted((ts(r["scanTimestamp"]) - r["scanDurationSeconds"], ts(r["scanTimestamp"]))
                   for r in hist)
    overlaps = sum(a[1] > b[0] + 1e-3 for a, b in zip(spans, spans[1:]))
    if overlaps:
        failures.append(f"overlapping writers: {overlaps} overlapping scans")
    figure("two overlapping writers", rounds=rounds, refused_busy=busy,
           both_succeeded_in_turn=both_saved, overlapping_scans=overlaps)


def ts(s):
    from datetime import datetime
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def worker_outage(pg, every_s, outage_s, universe):
    """`optscan worker` through a proxy that drops the database for `outage_s` in the
    middle of its first scan: that cycle cannot save; the next must, on its own tick."""
    with CuttableProxy(pg.port) as proxy:
        db = pg.url_via(proxy.port)
        log = tempfile.TemporaryFile(mode="w+")
        w = subprocess.Popen([optscan_bin(), "worker", "--db", db, "--every", f"{every_s}s",
                              "--universe", str(universe), "--no-backtest",
                              "--filter-mode", "strict"],
                             stdout=subprocess.DEVNULL, stderr=log, text=True)
        since_back = None
        try:
            end = time.monotonic() + 30
            while proxy.accepted == 0 and time.monotonic() < end:
                time.sleep(0.05)
            time.sleep(2.0)  # the scan is running now
            proxy.cut()
            cut_at = time.monotonic()
            time.sleep(outage_s)
            saved_during = pg.count()
            proxy.restore()
            back_at = time.monotonic()
            if wait_rows(pg, 1, every_s * 1.2 + 120):
                since_back = time.monotonic() - back_at
        finally:
            w.terminate()
            w.wait(timeout=90)
        log.seek(0)
        lines = log.read().splitlines()
    outage_lines = sum("outage:" in line for line in lines)
    recovered = sum("recovered after" in line for line in lines)
    if since_back is None or since_back > every_s * 1.1 + 60:
        failures.append("worker outage: no save within one interval after the database "
                        f"returned: {lines}")
    if outage_lines != 1 or recovered != 1:
        failures.append(f"worker outage: {outage_lines} outage and {recovered} recovery "
                        f"lines: {lines}")
    if w.returncode != 0:
        failures.append(f"worker outage: worker exited {w.returncode}")
    figure("worker, database outage mid-scan", every_s=every_s, outage_s=outage_s,
           saved_during_outage=saved_during, cut_to_restore_s=round(back_at - cut_at, 1),
           s_until_save_after_return=None if since_back is None else round(since_back, 1),
           outage_log_lines=outage_lines, recovery_log_lines=recovered)


def wait_rows(pg, n, within):
    end = time.monotonic() + within
    while time.monotonic() < end:
        if pg.count() >= n:
            return True
        time.sleep(0.5)
    return False


def panicking_source(db):
    env = dict(os.environ, OPTSCAN_TEST_PANIC_SYMBOLS="SYN0003")
    one = run(scan_args(db, 8) + ["--json"], env=env)
    failed = {}
    if one.returncode == 0:
        failed = {f["symbol"]: f["kind"] for f in json.loads(one.stdout)["metadata"]["failedSymbols"]}
    env["OPTSCAN_TEST_PANIC_SYMBOLS"] = "universe"
    whole = run(scan_args(db, 8), env=env)
    if failed != {"SYN0003": "Internal"}:
        failures.append(f"panicking source: failed symbols {failed} (exit {one.returncode})")
    if whole.returncode != 1 or "Internal" not in whole.stderr:
        failures.append(f"panicking source: exit {whole.returncode}: {whole.stderr.strip()}")
    figure("panicking source", symbol_panic_exit=one.returncode, failed_symbols=failed,
           universe_panic_exit=whole.returncode)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--every", type=float, default=60.0, help="worker interval, seconds")
    ap.add_argument("--outage", type=float, default=20.0)
    ap.add_argument("--worker-universe", type=int, default=1000,
                    help="symbols per worker scan (long enough for the outage to hit it)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "cache.db")
        kill_loop("SQLite: kill -9 during scan", f"sqlite://{path}", a.kills, 20,
                  SqliteChecker(path))
        overlapping_writers(f"sqlite://{path}", 10)
        panicking_source(f"sqlite://{path}")
    with PgDb() as pg:
        kill_loop("PostgreSQL: kill -9 during scan", pg.url, a.kills, 20, pg)
    with PgDb() as pg, Bouncer(pg) as bouncer:
        kill_loop(f"PgBouncer :{bouncer.port} (transaction, no flag): kill -9 during scan",
                  bouncer.url, max(10, a.kills // 4), 20, pg)
    with PgDb() as pg:
        worker_outage(pg, a.every, a.outage, a.worker_universe)
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("\nall fault checks passed")


if __name__ == "__main__":
    main()
