#!/usr/bin/env bash
# The full out-of-sample calibration report on the CC0 set (release build): fit the
# real-world law on two thirds of the tickers before 2016-06-30, score both models on the
# held-out third after it, and write report.json, report.md and reliability.svg into
# bench/calibration/ (the figures the README quotes). Usage: bench/calibrate.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data/kaggle-us-stocks-etfs-cc0}"
cargo build --release -q -p scanner-cli
/usr/bin/env time -f "calibrate: %e s wall, %M KB peak" \
  ./target/release/optscan calibrate --source "csv:$data" --split-date 2016-06-30 \
  --holdout-every 3 --out bench/calibration
