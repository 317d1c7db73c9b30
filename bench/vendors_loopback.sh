#!/bin/sh
# A 500-symbol scan through a loopback server in Yahoo's and Tradier's formats (80 ms per
# request, Tradier's 120-a-minute limit), twice over one store so the second run shows the
# history cache. Time is scaled 20x by default (OPTSCAN_BENCH_SCALE=1 for real time); pass
# `yahoo` or `tradier` to run one vendor. Figures go into README "Vendor data".
set -eu
cd "$(dirname "$0")/.."
exec cargo bench -p optscan-core --bench vendors_loopback -- "$@"
