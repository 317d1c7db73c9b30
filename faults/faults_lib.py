"""Helpers of the fault suite: running optscan, fresh PostgreSQL databases, a PgBouncer in
transaction mode, and a TCP proxy that can drop the database on cue."""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

failures = []
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def optscan_bin():
    return os.environ.get("OPTSCAN_BIN") or os.path.join(ROOT, "target", "debug", "optscan")


def run(args, env=None, timeout=300):
    env = dict(env or os.environ)
    env.pop("DATABASE_URL", None)
    return subprocess.run([optscan_bin()] + args, capture_output=True, text=True, env=env,
                          timeout=timeout)


def figure(name, **values):
    """Print one fault's figures as a line."""
    shown = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in values.items())
    print(f"{name}\n    {shown}", flush=True)


def wait_for_scan(args, within):
    """Retry `optscan scan` until it succeeds; (seconds, attempts), or (None, attempts)."""
    start, tries = time.monotonic(), 0
    while time.monotonic() - start < within:
        tries += 1
        out = run(args)
        if out.returncode == 0:
            return time.monotonic() - start, tries
        if "Busy" not in out.stderr:
            failures.append(f"next scan failed: {out.stderr.strip()}")
            return None, tries
        time.sleep(0.2)
    return None, tries


def admin_url():
    return os.environ.get("OPTSCAN_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def psql(url, sql):
    out = subprocess.run(["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql: {out.stderr.strip()}")
    return out.stdout.strip()


def with_db(url, name, port=None):
    u = urlsplit(url)
    netloc = u.netloc if port is None else f"{u.netloc.rsplit(':', 1)[0]}:{port}"
    return urlunsplit((u.scheme, netloc, f"/{name}", u.query, u.fragment))


class PgDb:
    """A fresh, migrated PostgreSQL database, dropped on exit; also the suite's row checker."""

    def __init__(self, binary=None):
        self.binary = binary

    def __enter__(self):
        self.name = f"optscan_faults_{uuid.uuid4().hex[:12]}"
        psql(admin_url(), f"CREATE DATABASE {self.name}")
        self.url = with_db(admin_url(), self.name)
        self.port = urlsplit(admin_url()).port or 5432
        out = subprocess.run([self.binary or optscan_bin(), "migrate", "--db", self.url],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"migrate: {out.stderr}")
        return self

    def __exit__(self, *exc):
        psql(admin_url(), f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")

    def url_via(self, port):
        return with_db(admin_url(), self.name, port)

    def count(self):
        return int(psql(self.url, "SELECT count(*) FROM cached_scan_results"))

    def check(self):
        bad = int(psql(self.url, "SELECT count(*) FROM cached_scan_results WHERE "
                       "jsonb_array_length(opportunities) <> opportunity_count "
                       "OR status NOT IN ('ok', 'degraded')"))
        # Every row must read back whole.
        psql(self.url, "SELECT sum(length(opportunities::text) + length(metadata::text)) "
                       "FROM cached_scan_results")
        return bad, True


def free_port(preferred=None):
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise RuntimeError("no free port")


class Bouncer:
    """PgBouncer in transaction mode, on its default port 6432 when free."""

    def __init__(self, pg):
        self.pg = pg

    def __enter__(self):
        exe = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.dir = tempfile.TemporaryDirectory()
        self.port = free_port(6432)
        u = urlsplit(admin_url())
        user = u.username or "postgres"
        with open(os.path.join(self.dir.name, "users.txt"), "w") as f:
            f.write(f'"{user}" ""\n')
        ini = os.path.join(self.dir.name, "pgbouncer.ini")
        with open(ini, "w") as f:
            f.write(f"[databases]\n* = host={u.hostname} port={u.port or 5432}\n\n[pgbouncer]\n"
                    f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
                    f"auth_type = trust\nauth_file = {self.dir.name}/users.txt\n"
                    f"pool_mode = transaction\ndefault_pool_size = 4\nmax_client_conn = 200\n")
        args = [exe, ini]
        if os.geteuid() == 0:
            args = [exe, "-u", "postgres", ini]
            shutil.chown(self.dir.name, "postgres")
            for n in os.listdir(self.dir.name):
                shutil.chown(os.path.join(self.dir.name, n), "postgres")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.05)
        else:
            raise RuntimeError("pgbouncer did not start")
        # No `?pgbouncer=true`, not port 6543: optscan must be pooler-safe unprompted.
        self.url = self.pg.url_via(self.port)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.dir.cleanup()


class CuttableProxy:
    """A loopback TCP proxy to PostgreSQL; `cut()` drops every connection and refuses new
    ones (the database is unreachable) until `restore()`."""

    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.conns = []
        self.accepted = 0
        self.lock = threading.Lock()
        self.listener = None

    def __enter__(self):
        self.restore()
        return self

    def __exit__(self, *exc):
        self.cut()

    def restore(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self.listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def cut(self):
        if self.listener:
            try:
                # Wakes the accept() blocked in another thread (close alone would not).
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
            self.conns.clear()

    def _accept(self, ls):
        while True:
            try:
                client, _ = ls.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns += [client, upstream]
                self.accepted += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
