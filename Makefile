# The one test command (README "Quickstart"): formatting, lints, every test and doctest, and
# every example.
.PHONY: test lint rust-test examples bench

test: lint rust-test examples

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

rust-test:
	cargo nextest run --workspace --no-fail-fast
	cargo test --workspace --doc

examples:
	cargo build --bin optscan
	cargo run -q -p scanner-core --example scan
	cargo run -q -p scanner-core --example worker
	python3 examples/cron/check.py

bench:
	cargo bench -p scanner-core
