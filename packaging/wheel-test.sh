#!/usr/bin/env bash
# Proves the Python artifacts in dist/ work where users install them: the abi3 wheel goes
# (as a plain `pip install`, never editable) into a fresh virtualenv on the oldest and on the
# newest CPython 3 the machine has, and the sdist is built by pip in another fresh virtualenv;
# each time the pytest suite runs against the installed package, from outside the source tree.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
dist=$(cd "${DIST:-dist}" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
wheels=("$dist"/optscan-"$version"-cp39-abi3-*manylinux*_x86_64.whl)
sdist="$dist/optscan-$version.tar.gz"
test -s "${wheels[0]}" && test -s "$sdist" || { echo "missing wheel or sdist in $dist: run make dist first" >&2; exit 1; }
export OPTSCAN_SHARED_DATA=${OPTSCAN_SHARED_DATA:-$(cd .. && pwd)/shared/data}

# The interpreters: pyenv's CPython 3.x builds that the wheel supports (3.9+), oldest and newest.
root=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
mapfile -t pythons < <(ls "$root/versions" 2>/dev/null | grep -E '^3\.[0-9]+\.[0-9]+$' |
  awk -F. '$2 >= 9' | sort -t. -k1,1n -k2,2n -k3,3n)
[ "${#pythons[@]}" -ge 2 ] || { echo "need two CPython 3.9+ builds under $root/versions, found: ${pythons[*]:-none}" >&2; exit 1; }
oldest=${pythons[0]} newest=${pythons[-1]}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# $1: interpreter version, $2: what to pip install, $3: label.
install_and_test() {
  local py="$root/versions/$1/bin/python" venv="$work/venv-$1-$3"
  echo "== CPython $1: $3"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r packaging/requirements-wheel-test.txt
  "$venv/bin/pip" install --disable-pip-version-check --no-deps "$2" 2>&1 | tail -n 3
  "$venv/bin/pip" check
  # Run from an empty folder so that nothing but the installed package can be imported.
  (cd "$work" && "$venv/bin/python" -c '
import os, sys, optscan
where = os.path.realpath(optscan.__file__)
assert where.startswith(os.path.realpath(sys.prefix)), where
print("optscan imported from", where)' &&
    "$venv/bin/python" -m pytest -q -p no:cacheprovider "$repo/bindings-python/tests")
}

for v in "$oldest" "$newest"; do install_and_test "$v" "${wheels[0]}" wheel; done

# The sdist: pip compiles it (maturin through PEP 517, its own isolated build environment) from
# the files in the tarball alone. A debug build with the shared target directory, so that only
# the two optscan crates compile again; the registry crates are reused.
target_dir=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}
CARGO_TARGET_DIR="$target_dir" MATURIN_PEP517_ARGS="--profile dev" \
  install_and_test "$newest" "$sdist" sdist
