#!/bin/sh
# Benchmarks the passthrough template in the Go engine and in velocityjs,
# one after the other on this machine, and prints the ratio.
#
#   vtl/bench/run.sh
set -eu
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent >/dev/null
go_out=$(cd .. && go test -run '^$' -bench '^BenchmarkPassthrough$' -benchmem -count 5 .)
echo "$go_out" | grep Benchmark
go_ns=$(echo "$go_out" | awk '/^BenchmarkPassthrough/ { if (best == "" || $3 < best) best = $3 } END { print best }')
js_out=$(node bench.js)
echo "$js_out"
js_ns=$(echo "$js_out" | sed -n 's/.*: \([0-9]*\) ns\/op.*/\1/p')
awk -v g="$go_ns" -v j="$js_ns" 'BEGIN { printf "Go %.0f ns/op (best of 5), velocityjs %.0f ns/op: Go is %.1fx faster\n", g, j, j / g }'
