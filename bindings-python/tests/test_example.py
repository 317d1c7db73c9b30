"""examples/python/background_scanner.py end to end, as the cron job runs it."""

import os
import subprocess
import sys
from pathlib import Path

import optscan

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "python" / "background_scanner.py"


def run(db_url, *args):
    env = dict(os.environ, DATABASE_URL=db_url, DISABLE_BACKTESTING="1")
    return subprocess.run([sys.executable, str(SCRIPT), *args], env=env,
                          capture_output=True, text=True, timeout=300)


def check_success(proc, url, mode):
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    for marker in ("🚀", "📊", "✅", "🏁"):
        assert any(l.startswith(marker) for l in lines), (marker, proc.stderr)
    saved = next(l for l in lines if l.startswith("✅"))
    cached = optscan.ScanStore.open(url).latest(mode)
    assert cached is not None
    assert f": {len(cached.result.opportunities)} opportunities" in saved
    return cached


def test_worker_against_sqlite(tmp_path):
    url = f"sqlite://{tmp_path / 'worker.db'}"
    proc = run(url, "--filter-mode", "relaxed", "--max-symbols", "12")
    cached = check_success(proc, url, "relaxed")
    assert len(cached.result.symbols_scanned) == 12


def test_worker_against_postgres(pg_url):
    proc = run(pg_url, "--filter-mode", "strict", "--max-symbols", "60")
    cached = check_success(proc, pg_url, "strict")
    assert len(cached.result.symbols_scanned) == 60


def test_worker_fails_loudly_on_a_bad_database():
    proc = run("postgres://postgres@127.0.0.1:1/none", "--max-symbols", "2")
    assert proc.returncode == 1
    assert "❌" in proc.stderr
    assert "🏁" not in proc.stderr


def test_worker_rejects_bad_flags(tmp_path):
    proc = run(f"sqlite://{tmp_path / 'x.db'}", "--filter-mode", "loose")
    assert proc.returncode == 2


def test_three_runs_scan_three_different_batches(tmp_path):
    url = f"sqlite://{tmp_path / 'rotate.db'}"
    batches = []
    for _ in range(3):
        proc = run(url, "--max-symbols", "60", "--universe", "180")
        assert proc.returncode == 0, proc.stderr
        assert "🔁 Next run starts at symbol" in proc.stderr
        batches.append(tuple(optscan.ScanStore.open(url).latest("strict").result.symbols_scanned))
    assert all(len(b) == 60 for b in batches)
    assert len(set(batches[0]) | set(batches[1]) | set(batches[2])) == 180, "three disjoint batches"
