#!/usr/bin/env python3
"""Validates .github/workflows/release.yml without running it (nothing is published from CI).

Parses the workflow and checks what a release depends on: it runs on version tags, builds
wheels and addons for every platform we promise (Linux x64/arm64 with glibc and musl, macOS
x64/arm64, Windows x64), Linux glibc builds keep the 2.17 baseline, the node matrix matches
bindings-node/package.json's napi targets, the publish jobs for crates.io, PyPI and npm run
only for tags after every build, actions are pinned, and every repository path it names
exists. `--self-test` also proves the checks can fail, on broken copies of the workflow.
"""

import copy
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
PLATFORMS = {
    "x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin", "aarch64-apple-darwin", "x86_64-pc-windows-msvc",
}
PUBLISHABLE_CRATES = {"optscan-core", "scanner-cli"}


def steps_text(job):
    return "\n".join(str(s.get("run", "")) + "\n" + str(s.get("uses", "")) for s in job.get("steps", []))


def problems(wf, napi_targets):
    out = []
    on = wf.get("on", wf.get(True)) or {}  # PyYAML reads a bare `on` key as True.
    if "v*" not in (on.get("push") or {}).get("tags", []):
        out.append("release must run on v* tags")
    jobs = wf.get("jobs") or {}
    for name in ("crates", "python", "sdist", "node", "publish-crates", "publish-pypi", "publish-npm"):
        if name not in jobs:
            out.append(f"job {name} is missing")
    if out:
        return out

    def matrix(job):
        return jobs[job].get("strategy", {}).get("matrix", {}).get("include", [])

    py = {m["target"]: m for m in matrix("python")}
    node = {m["target"]: m for m in matrix("node")}
    for label, got in (("python", py), ("node", node)):
        missing = PLATFORMS - set(got)
        if missing:
            out.append(f"{label} matrix lacks {sorted(missing)}")
    if set(node) != set(napi_targets):
        out.append(f"node matrix {sorted(node)} differs from package.json napi.targets {sorted(napi_targets)}")
    for t, m in py.items():
        if t.endswith("linux-gnu") and m.get("compat") != "manylinux2014":
            out.append(f"python {t} must build for manylinux2014 (glibc 2.17), not {m.get('compat')!r}")
        if t.endswith("linux-musl") and not str(m.get("compat", "")).startswith("musllinux"):
            out.append(f"python {t} must build a musllinux wheel")
    for t, m in node.items():
        if t.endswith("linux-gnu") and m.get("zig") != t + ".2.17":
            out.append(f"node {t} must build with the glibc 2.17 baseline ({t}.2.17)")
    if "check-glibc.py --max-glibc 2.17" not in steps_text(jobs["python"]) + steps_text(jobs["node"]):
        out.append("the glibc baseline check is not run on the built artifacts")

    builds = {"crates", "python", "sdist", "node"}
    expect = {
        "publish-crates": [f"cargo publish --locked -p {c}" for c in sorted(PUBLISHABLE_CRATES)],
        "publish-pypi": ["pypa/gh-action-pypi-publish@"],
        "publish-npm": ["napi prepublish", "npm publish"],
    }
    for job, needles in expect.items():
        j = jobs[job]
        if "refs/tags/v" not in str(j.get("if", "")):
            out.append(f"{job} must run only for a version tag")
        if not builds <= set(j.get("needs", [])):
            out.append(f"{job} must wait for every build job ({sorted(builds)})")
        if j.get("environment") != "release":
            out.append(f"{job} must run in the release environment")
        text = steps_text(j)
        for n in needles:
            if n not in text:
                out.append(f"{job} does not run {n!r}")

    for name, job in jobs.items():
        for s in job.get("steps", []):
            uses = s.get("uses")
            if uses and not re.search(r"@(v\d+|release/v\d+)$", uses):
                out.append(f"{name}: action {uses} is not pinned to a major version")
            for path in re.findall(r"(?:\.\./)?((?:packaging|bindings-python|bindings-node)/[\w./-]+\.\w+)", str(s.get("run", ""))):
                if not (ROOT / path).exists():
                    out.append(f"{name}: {path} does not exist")
    return out


def self_test(wf, napi_targets):
    """Each mutation must be caught."""
    def drop_musl(w):
        w["jobs"]["node"]["strategy"]["matrix"]["include"] = [
            m for m in w["jobs"]["node"]["strategy"]["matrix"]["include"] if "musl" not in m["target"]]

    def new_glibc(w):
        for m in w["jobs"]["python"]["strategy"]["matrix"]["include"]:
            if m["target"] == "x86_64-unknown-linux-gnu":
                m["compat"] = "manylinux_2_34"

    def ungated(w):
        del w["jobs"]["publish-npm"]["if"]

    def no_cli(w):
        w["jobs"]["publish-crates"]["steps"] = w["jobs"]["publish-crates"]["steps"][:-1]

    for mutate in (drop_musl, new_glibc, ungated, no_cli):
        broken = copy.deepcopy(wf)
        mutate(broken)
        if not problems(broken, napi_targets):
            sys.exit(f"self-test: the check missed the mutation {mutate.__name__}")
    print("release workflow check: self-test caught 4 of 4 broken workflows")


def main():
    wf = yaml.safe_load(WORKFLOW.read_text())
    napi_targets = json.loads((ROOT / "bindings-node" / "package.json").read_text())["napi"]["targets"]
    if "--self-test" in sys.argv:
        self_test(wf, napi_targets)
    found = problems(wf, napi_targets)
    for p in found:
        print("FAIL:", p, file=sys.stderr)
    if found:
        sys.exit(1)
    print(f"release workflow: ok ({len(wf['jobs'])} jobs, {len(PLATFORMS)} platforms for wheels and addons)")


if __name__ == "__main__":
    main()
