# The one test command (README "Quickstart"): formatting, lints, rustdoc links, every test
# and doctest, and every example.
.PHONY: test lint rust-test math-paths examples bench python-test python-bench node-test faults migrations-sync migrations-check release-workflow-check dist dist-check

test: lint rust-test examples python-test node-test faults release-workflow-check

lint: migrations-check
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc -p optscan-core --no-deps

# migrations/ at the root is the SQL's source of truth; scanner-core/migrations is the copy that
# sqlx::migrate! embeds, inside the crate so that the published crate carries it.
MIGRATION_DIRS := postgres sqlite
migrations-sync:
	for d in $(MIGRATION_DIRS); do rm -rf scanner-core/migrations/$$d && cp -R migrations/$$d scanner-core/migrations/$$d; done
migrations-check:
	@for d in $(MIGRATION_DIRS); do diff -r migrations/$$d scanner-core/migrations/$$d || \
	  { echo "scanner-core/migrations/$$d differs from migrations/$$d: run make migrations-sync" >&2; exit 1; }; done
	@echo "migrations: scanner-core/migrations matches migrations/"

rust-test:
	cargo nextest run --workspace --no-fail-fast
	cargo test --workspace --doc
	$(MAKE) math-paths

# The math suite once per SIMD dispatch path (scalar always; AVX2 / AVX-512 where this CPU
# has them: a requested path the CPU lacks falls back, and the suite checks which ran).
SIMD_PATHS := scalar $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo avx2) $(shell grep -qw avx512dq /proc/cpuinfo 2>/dev/null && echo avx512)
math-paths:
	for p in $(SIMD_PATHS); do OPTSCAN_SIMD=$$p cargo nextest run -p optscan-core --test math --no-fail-fast || exit 1; done

examples:
	cargo build --bin optscan
	cargo run -q -p optscan-core --example scan
	cargo run -q -p optscan-core --example worker
	python3 examples/cron/check.py

bench:
	cargo bench -p optscan-core

# Python package (bindings-python): a .venv inside the repo with pinned tools, the native
# module built in place by maturin, the stub drift check (mypy stubtest), then pytest.
PYTHON ?= python3
VENV := .venv
python-test:
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r bindings-python/requirements-dev.txt
	$(VENV)/bin/maturin develop -q -m bindings-python/Cargo.toml
	$(VENV)/bin/python -m mypy.stubtest optscan
	$(VENV)/bin/python -m pytest -q bindings-python/tests

# Peer benchmark (optscan vs pyvolr, QuantLib and py_vollib_vectorized); release build, run by hand.
python-bench:
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r bindings-python/requirements-dev.txt -r bench/requirements.txt
	$(VENV)/bin/maturin develop -q --release -m bindings-python/Cargo.toml
	$(VENV)/bin/python bench/python_peers.py
# The Node addon (bindings-node) and the Next.js example: install from npm, build the addon
# (debug), check the committed index.d.ts/index.js did not drift, type-check a usage file,
# run the addon tests, then build and test the Next.js app end to end.
node-test:
	cd bindings-node && npm ci --no-audit --no-fund && npx napi build --platform
	cd bindings-node && npx napi create-npm-dirs >/dev/null
	git diff --exit-code -- bindings-node/index.d.ts bindings-node/index.js bindings-node/npm
	test -z "$$(git status --porcelain -- bindings-node/npm)"
	cd bindings-node && npx tsc --noEmit -p __test__/tsconfig.json && npm test
	cd examples/nextjs && npm ci --no-audit --no-fund && npm test

# The fault suite: kill -9 during scans (SQLite, PostgreSQL, PgBouncer on 6432), overlapping
# writers, a database outage under the worker, a panicking source. Prints its figures (the
# README's Reliability table) and fails when a guarantee is broken. Needs PostgreSQL and
# pgbouncer, like the cache suite.
faults:
	cargo build -q --bin optscan
	python3 faults/run.py

# Release (README "Install"): `make dist` builds every artifact users install into dist/ and
# prints sizes and SHA-256 checksums (packaging/dist.sh: the two crates, the abi3 manylinux2014
# wheel and the sdist, the npm root package and the linux-x64 gnu and musl platform packages).
# `make dist-check` proves them: the libc baselines (objdump and auditwheel), the crates' tests
# run from their tarballs, the wheel's and sdist's pytest runs on the oldest and newest CPython,
# and a freshly created Next.js app that installs the npm tarballs, builds and serves a scan.
# Both run in CI after `make test` (.ci/run); the release workflow builds the other platforms.
dist:
	packaging/dist.sh

dist-check:
	python3 packaging/check-glibc.py --self-test --max-glibc 2.17 dist/optscan-*manylinux*.whl dist/optscan-linux-x64-gnu-*.tgz
	python3 packaging/check-glibc.py --musl dist/optscan-linux-x64-musl-*.tgz
	@# (not `tee /dev/stderr`: that reopens a redirected log file and truncates it)
	report=$$(.venv-dist/bin/auditwheel show dist/optscan-*manylinux*.whl) && echo "$$report" && \
	  echo "$$report" | grep -q 'manylinux_2_17_x86_64'
	packaging/crate-test.sh
	packaging/wheel-test.sh
	packaging/next-app-check.sh

release-workflow-check:
	python3 packaging/check-release-workflow.py --self-test
