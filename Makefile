# The one test command (README "Quickstart"): formatting, lints, every test and doctest.
.PHONY: test lint rust-test bench

test: lint rust-test

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

rust-test:
	cargo nextest run --workspace --no-fail-fast
	cargo test --workspace --doc

bench:
	cargo bench -p scanner-core
