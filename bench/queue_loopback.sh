#!/bin/sh
# One queued cycle of 2,000 symbols scanned by 1, 2 and 4 workers (one API key each) against a
# loopback server in Tradier's format (80 ms per request, 120 a minute per key), on a local
# PostgreSQL ($OPTSCAN_BENCH_PG). Time is scaled 20x by default (OPTSCAN_BENCH_SCALE=1 for real
# time); OPTSCAN_BENCH_SYMBOLS sets the universe. Figures go into README "Scale-out through queues".
set -eu
cd "$(dirname "$0")/.."
exec cargo bench -p optscan-core --bench queue_loopback -- "$@"
