"""Validate the cron examples: parse each file, check its schedule, and run its scan command
once against a throwaway SQLite database with the locally built `optscan`."""

import os
import shlex
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BINARY = os.path.join(ROOT, "target", "debug", "optscan")


def commands():
    gha = yaml.safe_load(open(os.path.join(HERE, "github-actions.yml")))
    # PyYAML reads the bare key `on` as True.
    schedule = (gha.get("on") or gha.get(True))["schedule"][0]["cron"]
    assert schedule == "*/10 * * * *", schedule
    steps = gha["jobs"]["scan"]["steps"]
    run = next(s["run"] for s in steps if s.get("name") == "Scan")
    yield "github-actions.yml", run

    render = yaml.safe_load(open(os.path.join(HERE, "render.yaml")))
    cron = next(s for s in render["services"] if s["type"] == "cron")
    assert cron["schedule"] == "*/10 * * * *", cron["schedule"]
    yield "render.yaml", cron["startCommand"]


def main():
    for name, command in commands():
        argv = shlex.split(command)
        assert argv[0] == "./target/release/optscan", argv
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, DATABASE_URL="sqlite://" + os.path.join(tmp, "cron.db"))
            done = subprocess.run([BINARY] + argv[1:], env=env, capture_output=True, text=True, timeout=600)
            if done.returncode != 0 or "Saved scan" not in done.stderr:
                sys.exit(f"{name}: `{command}` failed ({done.returncode}):\n{done.stderr}")
        print(f"{name}: ok ({command})")


if __name__ == "__main__":
    main()
