#!/usr/bin/env python3
"""Remote-database benchmark: optscan against PostgreSQL behind a loopback proxy that adds a
fixed delay each way (a hosted database tens of milliseconds away).

Reports, for each delay, one `optscan worker --once` cycle over N symbols (wall time, and the
database operations and seconds the worker logs) and `optscan latest` latency (p50/p99 over
repeated runs, each a fresh process: connect, check, read). With OPTSCAN_OLD_BIN pointing at
an older build it runs that binary the same way, for a before/after comparison.

Usage: python3 bench/remote_db.py [--symbols 1500] [--delays 0,50] [--latest-runs 20]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from faults_lib import PgDb, free_port, optscan_bin  # noqa: E402

import socket  # noqa: E402


class DelayProxy:
    """Forwards 127.0.0.1:port to PostgreSQL, holding every chunk `delay_s` in each direction
    (order kept per direction), like a link with that one-way latency."""

    def __init__(self, target_port, delay_s):
        self.target = ("127.0.0.1", target_port)
        self.delay = delay_s
        self.port = free_port()
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", self.port))
        self.ls.listen(128)
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        try:
            self.ls.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.ls.close()

    def _accept(self):
        while True:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            u = socket.create_connection(self.target)
            for s in (c, u):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst):
        import queue
        q = queue.Queue()

        def sender():
            while True:
                due, data = q.get()
                if data is None:
                    break
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    dst.sendall(data)
                except OSError:
                    break
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        threading.Thread(target=sender, daemon=True).start()
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                q.put((time.monotonic() + self.delay, data))
        except OSError:
            pass
        q.put((0, None))


def cycle(binary, url, symbols):
    start = time.monotonic()
    out = subprocess.run([binary, "worker", "--once", "--db", url, "--universe", str(symbols),
                          "--max-symbols", str(symbols), "--no-backtest"],
                         capture_output=True, text=True, timeout=1800)
    wall = time.monotonic() - start
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    m = re.search(r"database: (\d+) operations, ([\d.]+) s", out.stderr)
    return wall, (int(m.group(1)), float(m.group(2))) if m else None


def latest(binary, url, runs):
    times = []
    for _ in range(runs):
        start = time.monotonic()
        out = subprocess.run([binary, "latest", "--db", url, "--json"], capture_output=True,
                             text=True, timeout=300)
        times.append((time.monotonic() - start) * 1000)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.99 * len(times)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--symbols", type=int, default=1500)
    ap.add_argument("--delays", default="0,50", help="one-way delays in ms")
    ap.add_argument("--latest-runs", type=int, default=20)
    a = ap.parse_args()
    binaries = [("now", optscan_bin())]
    if os.environ.get("OPTSCAN_OLD_BIN"):
        binaries.append(("before", os.environ["OPTSCAN_OLD_BIN"]))
    print(f"| build | one-way delay | worker cycle, {a.symbols} symbols × 2 modes | database "
          "operations | database time | `latest` p50 | `latest` p99 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, binary in binaries:
        for ms in [int(x) for x in a.delays.split(",")]:
            with PgDb(binary) as pg:
                proxy = DelayProxy(pg.port, ms / 1000)
                try:
                    url = pg.url_via(proxy.port)
                    wall, db = cycle(binary, url, a.symbols)
                    p50, p99 = latest(binary, url, a.latest_runs)
                finally:
                    proxy.close()
            ops, secs = db if db else ("—", None)
            shown = "—" if secs is None else f"{secs:.2f} s"
            print(f"| {label} | {ms} ms | {wall:.1f} s | {ops} | {shown} | {p50:.0f} ms | "
                  f"{p99:.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
