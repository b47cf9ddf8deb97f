#!/bin/sh
# Benchmarks the passthrough template in the Go engine and in velocityjs,
# one after the other on this machine, and prints the ratios of wall time
# (ns/op) and CPU time (cpu-ns/op, less disturbed by other load).
#
#   vtl/bench/run.sh
set -eu
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent >/dev/null
go_out=$(cd .. && go test -run '^$' -bench '^BenchmarkPassthrough$' -benchmem -count 5 .)
echo "$go_out" | grep Benchmark
best() { awk -v col="$1" '/^BenchmarkPassthrough/ { for (i = 1; i < NF; i++) if ($(i+1) == col && (b == "" || $i < b)) b = $i } END { print b }'; }
go_ns=$(echo "$go_out" | best ns/op)
go_cpu=$(echo "$go_out" | best cpu-ns/op)
js_out=$(node bench.js)
echo "$js_out"
js_ns=$(echo "$js_out" | sed -n 's/.*: \([0-9]*\) ns\/op.*/\1/p')
js_cpu=$(echo "$js_out" | sed -n 's/.* \([0-9]*\) cpu-ns\/op.*/\1/p')
awk -v g="$go_ns" -v j="$js_ns" -v gc="$go_cpu" -v jc="$js_cpu" 'BEGIN {
	printf "wall: Go %.0f ns/op, velocityjs %.0f ns/op: Go is %.1fx faster\n", g, j, j / g
	printf "cpu:  Go %.0f ns/op, velocityjs %.0f ns/op: Go is %.1fx faster\n", gc, jc, jc / gc
}'
