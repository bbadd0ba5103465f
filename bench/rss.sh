#!/usr/bin/env bash
# Peak RSS of `net capture` (all default decoders, default limits) on the
# benchmark capture at 1x, 2x and 4x its length: testdata/mixed.pcap copied
# 1,000, 2,000 and 4,000 times with new addresses and later times (go run
# ./bench/gen -kind distinct), so the longer captures hold more distinct
# flows and hosts over a longer time. Memory is flat when the 4x run stays
# within 1.1x of the 1x run. The 4x capture takes 1.6 GB in bench/work.
#
#   bench/rss.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
ROUNDS=${1:-1}
WORK=bench/work
mkdir -p "$WORK"
CGO_ENABLED=0 go build -o bin/net ./cmd/net

declare -A RSS
for n in 1000 2000 4000; do
	pcap=$WORK/mixed-distinct-$n.pcap
	[ "$n" = 1000 ] && pcap=$WORK/mixed-distinct.pcap
	[ -f "$pcap" ] || go run ./bench/gen -kind distinct -in testdata/mixed.pcap -n "$n" -o "$pcap"
	best=
	for _ in $(seq 1 "$ROUNDS"); do
		rm -rf "$WORK/rss_out"
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time.out" bin/net capture -read "$pcap" -out "$WORK/rss_out" -quiet
		read -r wall user sys kb <"$WORK/time.out"
		echo "$n copies: $wall s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') s CPU, peak RSS $((kb / 1024)) MB"
		[ -n "$best" ] && [ "$best" -le "$kb" ] || best=$kb
	done
	RSS[$n]=$best
done
rm -rf "$WORK/rss_out"
awk -v a="${RSS[1000]}" -v b="${RSS[2000]}" -v c="${RSS[4000]}" 'BEGIN {
	printf "peak RSS 1x %d MB, 2x %d MB, 4x %d MB; 4x / 1x = %.2f (wanted <= 1.10: %s)\n",
		a / 1024, b / 1024, c / 1024, c / a, (c / a <= 1.10) ? "met" : "not met" }'
