#!/usr/bin/env bash
# Runs the per-stage Go benchmarks (best of 5) and compares them with the
# stored baseline bench/baseline.txt: fails when a stage is slower than its
# baseline by more than MARGIN percent (default 30: shared machines are
# noisy) or allocates more than 2% more per operation (whole-pipeline runs
# vary a little with scheduling).
#
#   bench/check.sh            compare (make bench-check)
#   bench/check.sh -update    rewrite the baseline (make bench-baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
MARGIN=${MARGIN:-30}
PKGS="./collector/ ./decoder/packet/ ./decoder/dpi/ ./decoder/stream/ ./bpf/ ./io/ ./delimited/ ./reassembly/"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench . -benchmem -count 5 $PKGS | tee /dev/stderr |
	awk '/^Benchmark/ {
		name = $1; sub(/-[0-9]+$/, "", name)
		ns = ""; allocs = ""
		for (i = 2; i < NF; i++) {
			if ($(i+1) == "ns/op") ns = $i
			if ($(i+1) == "allocs/op") allocs = $i
		}
		if (ns == "") next
		if (!(name in best) || ns + 0 < best[name] + 0) { best[name] = ns; al[name] = allocs }
	}
	END { for (n in best) print n, best[n], al[n] }' | sort >"$out"

if [ "${1:-}" = "-update" ]; then
	{
		echo "# benchmark ns/op allocs/op — best of 5 on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
		cat "$out"
	} >bench/baseline.txt
	echo "baseline written: bench/baseline.txt ($(wc -l <"$out") benchmarks)"
	exit 0
fi

status=0
while read -r name ns allocs; do
	base=$(awk -v n="$name" '$1 == n {print $2, $3}' bench/baseline.txt)
	if [ -z "$base" ]; then
		echo "new   $name $ns ns/op (no baseline)"
		continue
	fi
	read -r bns ballocs <<<"$base"
	verdict=$(awk -v a="$ns" -v b="$bns" -v m="$MARGIN" 'BEGIN {printf "%+.1f%% %s", (a / b - 1) * 100, (a > b * (1 + m / 100)) ? "SLOWER" : "ok"}')
	if [ -n "$allocs" ] && [ -n "$ballocs" ] && [ "$allocs" -gt $((ballocs + ballocs / 50)) ]; then
		verdict="$verdict, allocs $ballocs -> $allocs MORE"
		status=1
	fi
	case $verdict in *SLOWER*) status=1 ;; esac
	printf '%-6s %s %s ns/op (baseline %s) %s\n' "$([ $status = 0 ] && echo ok || echo FAIL)" "$name" "$ns" "$bns" "$verdict"
done <"$out"
exit $status
