#!/usr/bin/env bash
# Proves the published crates stand on their own: unpacks the .crate files that
# `cargo package` wrote into dist/ and runs each crate's test suite from the unpacked copy,
# with no access to the repository's files (the CLI's optscan-core dependency is patched to
# the unpacked library, since it is not on the registry yet). Registry dependencies come from
# the shared target directory, so only the two crates themselves are compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."

dist=${DIST:-dist}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
core="$dist/optscan-core-$version.crate"
cli="$dist/scanner-cli-$version.crate"
for f in "$core" "$cli"; do test -s "$f" || { echo "missing $f: run make dist first" >&2; exit 1; }; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$core" -C "$work"
tar -xzf "$cli" -C "$work"
# The unpacked crates live outside the repository, so nothing of it can leak into their build.
# Test data only: the contract tests read the Next.js example's response schema from
# ../examples beside the crate; lay that one file beside the unpacked crate the same way (the
# library itself builds from the tarball alone, as `cargo package` verified).
for f in examples/nextjs/contract/options-trader.schema.json; do
  mkdir -p "$work/$(dirname "$f")" && cp "$f" "$work/$f"
done
target_dir=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}
export CARGO_TARGET_DIR="$target_dir"
# The real-data tests read the shared data set; point them at it explicitly (beside the repo).
export OPTSCAN_SHARED_DATA=${OPTSCAN_SHARED_DATA:-$(cd .. && pwd)/shared/data}

echo "== optscan-core $version, tests from the unpacked crate"
(cd "$work/optscan-core-$version" && cargo nextest run --locked --no-fail-fast && cargo test --locked --doc)

echo "== scanner-cli $version, tests from the unpacked crate"
patch="patch.crates-io.optscan-core.path=\"$work/optscan-core-$version\""
(cd "$work/scanner-cli-$version" && cargo nextest run --config "$patch" --no-fail-fast)
