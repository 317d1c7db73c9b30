#!/usr/bin/env python3
"""Fails when a shipped native library needs a newer C library than we promise.

Reads every ELF shared object inside the given artifacts (a wheel, an npm tarball, or a
.so/.node file) with `objdump -T` / `objdump -p` and checks:
  --max-glibc X.Y  no GLIBC_ symbol version above X.Y (manylinux2014 and the npm gnu package
                   promise 2.17);
  --musl           no glibc at all: no GLIBC_ versions, no libc.so.6, and linked to musl's
                   libc.so.
Prints, per library, the newest glibc version it needs and one symbol that needs it.
`--self-test` first proves both checks fail on a program the host compiler links against the
host's (newer) glibc.
"""

import argparse
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

VERSION = re.compile(r"\bGLIBC_([0-9]+(?:\.[0-9]+)+)\b")


def libraries(artifact: Path, into: Path):
    """(name, path on disk) of every shared object inside `artifact`."""
    name = artifact.name
    if name.endswith(".whl"):
        with zipfile.ZipFile(artifact) as z:
            for member in z.namelist():
                if member.endswith(".so") or ".so." in member:
                    yield f"{name}!{member}", extract(z.read(member), into, member)
    elif name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(artifact) as t:
            for member in t.getmembers():
                if member.isfile() and member.name.endswith((".node", ".so")):
                    data = t.extractfile(member).read()
                    yield f"{name}!{member.name}", extract(data, into, member.name)
    else:
        yield name, artifact


def extract(data: bytes, into: Path, member: str) -> Path:
    path = into / member.replace("/", "_")
    path.write_bytes(data)
    return path


def objdump(flag: str, path: Path) -> str:
    return subprocess.run(["objdump", flag, str(path)], check=True, capture_output=True, text=True).stdout


def key(version: str):
    return tuple(int(p) for p in version.split("."))


def check(label: str, path: Path, max_glibc, musl: bool) -> list:
    problems = []
    newest, culprit = None, None
    for line in objdump("-T", path).splitlines():
        for v in VERSION.findall(line):
            if newest is None or key(v) > key(newest):
                newest, culprit = v, line.split()[-1]
    needed = re.findall(r"^\s*NEEDED\s+(\S+)", objdump("-p", path), re.M)
    print(f"{label}: newest glibc symbol {('GLIBC_' + newest + ' (' + culprit + ')') if newest else 'none'}; "
          f"needs {', '.join(needed) or 'nothing'}")
    if max_glibc and newest and key(newest) > key(max_glibc):
        problems.append(f"{label} needs GLIBC_{newest} ({culprit}), newer than {max_glibc}")
    if musl:
        # glibc's C library is libc.so.6 with versioned symbols; musl has no symbol versions and
        # its loader answers to `libc.so` (what zig links) or `libc.musl-<arch>.so.1`.
        if newest or "libc.so.6" in needed:
            problems.append(f"{label} links glibc, not musl")
        if not any(n == "libc.so" or n.startswith("libc.musl-") for n in needed):
            problems.append(f"{label} is not linked to musl libc ({needed})")
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = Path(tmp) / "t.c", Path(tmp) / "t"
        src.write_text("#include <sys/random.h>\nint main(void){char b[4];return (int)getrandom(b,4,0);}\n")
        subprocess.run(["cc", "-o", str(exe), str(src)], check=True)
        if not check("self-test", exe, "2.17", False) or not check("self-test", exe, None, True):
            sys.exit("self-test: a host-linked program passed the glibc 2.17 / musl checks")
    print("glibc check: self-test caught a host-linked program (both checks)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max-glibc")
    ap.add_argument("--musl", action="store_true")
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("artifacts", nargs="+", type=Path)
    args = ap.parse_args()
    if args.self_test:
        self_test()
    if not args.max_glibc and not args.musl:
        ap.error("give --max-glibc X.Y or --musl")
    problems, seen = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for artifact in args.artifacts:
            for label, path in libraries(artifact, Path(tmp)):
                seen += 1
                problems += check(label, path, args.max_glibc, args.musl)
    if seen == 0:
        problems.append("no shared library found in " + ", ".join(map(str, args.artifacts)))
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
