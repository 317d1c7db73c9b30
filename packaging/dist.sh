#!/usr/bin/env bash
# `make dist`: builds everything users install into dist/, then prints each file's size and
# SHA-256 (also written to dist/SHA256SUMS):
#   optscan-core and scanner-cli .crate  (cargo package; verified by building from the tarball)
#   optscan wheel, abi3, manylinux2014 x86_64 (glibc 2.17, linked by zig) and the sdist
#   npm tarballs: the optscan root package and optscan-linux-x64-gnu (glibc 2.17) and
#   optscan-linux-x64-musl platform packages
# Other platforms are built by .github/workflows/release.yml on their own runners.
set -euo pipefail
cd "$(dirname "$0")/.."
. packaging/tools.sh

log() { printf '\n=== dist: %s\n' "$*"; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
target_dir=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
rm -rf dist
mkdir -p dist
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

log "crates (cargo package builds each one from its own tarball)"
# cargo verifies scanner-cli against optscan-core through a temporary local registry, and
# takes registry crates as immutable: it keeps what it unpacked (under CARGO_HOME) and what it
# compiled (in the target dir) keyed by name and version only. Drop both, or a later run at the
# same version would verify the CLI against a stale library.
for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/optscan-core-"$version"; do
  case "$d" in */index.crates.io-*) ;; *) rm -rf "$d" ;; esac
done
cargo clean --quiet --profile dev -p optscan-core
cargo package --locked -p optscan-core -p scanner-cli
cp "$target_dir/package/optscan-core-$version.crate" "$target_dir/package/scanner-cli-$version.crate" dist/

log "python: abi3 wheel for manylinux2014 x86_64, and the sdist"
maturin build --release --locked --zig --compatibility manylinux2014 --target x86_64-unknown-linux-gnu \
  -m bindings-python/Cargo.toml --out dist
maturin sdist -m bindings-python/Cargo.toml --out dist

log "node: linux-x64-gnu (glibc 2.17) and linux-x64-musl addons"
(cd bindings-node && { [ -d node_modules ] || npm ci --no-audit --no-fund; })
for triple in x86_64-unknown-linux-gnu.2.17 x86_64-unknown-linux-musl; do
  (cd bindings-node && npx napi build --platform --release -x --target "$triple" --output-dir "$stage/out-$triple")
done
for platform in linux-x64-gnu linux-x64-musl; do
  cp -R "bindings-node/npm/$platform" "$stage/$platform"
  cp LICENSE-MIT LICENSE-APACHE "$stage/$platform/"
  find "$stage"/out-* -name "optscan.$platform.node" -exec cp {} "$stage/$platform/" \;
  test -s "$stage/$platform/optscan.$platform.node"
  (cd "$stage/$platform" && npm pack --silent --pack-destination "$OLDPWD/dist" >/dev/null)
done
# The root package as `napi prepublish` would publish it: the loader, its types, and every
# platform package as an optional dependency at this version (npm installs the matching one).
mkdir "$stage/root"
cp bindings-node/package.json bindings-node/index.js bindings-node/index.d.ts bindings-node/README.md \
  LICENSE-MIT LICENSE-APACHE "$stage/root/"
node -e '
const fs = require("fs"), path = require("path");
const file = process.argv[1], npmDir = process.argv[2];
const pkg = JSON.parse(fs.readFileSync(file));
pkg.optionalDependencies = {};
for (const d of fs.readdirSync(npmDir).sort()) {
  const p = JSON.parse(fs.readFileSync(path.join(npmDir, d, "package.json")));
  pkg.optionalDependencies[p.name] = pkg.version;
}
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");' "$stage/root/package.json" bindings-node/npm
(cd "$stage/root" && npm pack --silent --pack-destination "$OLDPWD/dist" >/dev/null)

log "artifacts"
(cd dist && sha256sum -- * > SHA256SUMS)
(cd dist && for f in *; do [ "$f" = SHA256SUMS ] && continue
  printf '%10s  %s  %s\n' "$(numfmt --to=iec --suffix=B "$(stat -c %s "$f")")" "$(sha256sum "$f" | cut -d' ' -f1)" "$f"; done)
