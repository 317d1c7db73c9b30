# Sourced by packaging/dist.sh: installs the release toolchain when it is missing and puts it
# on PATH. zig (from the ziglang package on PyPI) links the Linux artifacts against glibc 2.17
# or musl; maturin drives it for the wheel, cargo-zigbuild for the npm addon (napi build -x).
# Everything is pinned, and comes from the package registries only.
CARGO_ZIGBUILD_VERSION=0.24.1
MUSL_TARGET=x86_64-unknown-linux-musl

tools_venv="$PWD/.venv-dist"
if [ ! -x "$tools_venv/bin/python" ]; then python3 -m venv "$tools_venv"; fi
"$tools_venv/bin/pip" install -q --disable-pip-version-check -r packaging/requirements-dist.txt
# A `zig` command for tools that look it up on PATH.
printf '#!/bin/sh\n# zig from the ziglang package in this virtualenv\nexec "%s" -m ziglang "$@"\n' \
  "$tools_venv/bin/python" > "$tools_venv/bin/zig"
chmod +x "$tools_venv/bin/zig"
export PATH="$tools_venv/bin:$PATH"

if [ "$(cargo zigbuild --version 2>/dev/null | awk '{print $2}')" != "$CARGO_ZIGBUILD_VERSION" ]; then
  cargo install --locked --quiet cargo-zigbuild --version "$CARGO_ZIGBUILD_VERSION"
fi
rustup target list --installed | grep -qx "$MUSL_TARGET" || rustup target add "$MUSL_TARGET"
