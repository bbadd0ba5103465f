#!/usr/bin/env bash
# Times `net capture -read` against tshark and tcpdump on the same capture,
# alternating the tools over several rounds, and prints the median packets/s,
# MB/s and peak RSS of each, with ratios to net. Results also go to
# bench/results/<date>.md and .csv.
#
#   bench/run.sh [capture] [rounds]
#
# Without a capture it builds bench/work/mixed-x500.pcap: testdata/mixed.pcap
# concatenated 500 times, each copy shifted in time (editcap -t, mergecap -a),
# so the same traffic repeats in sequence (flows repeat; see issue on the
# performance benchmark for a capture with distinct flows).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

PCAP=${1:-}
ROUNDS=${2:-3}
WORK=bench/work
mkdir -p "$WORK" bench/results

for tool in tshark tcpdump capinfos editcap mergecap /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool missing (make deps installs it)" >&2; exit 1; }
done

if [ -z "$PCAP" ]; then
	PCAP=$WORK/mixed-x500.pcap
	if [ ! -f "$PCAP" ]; then
		parts=()
		for i in $(seq 0 499); do
			editcap -F pcap -t $((i * 20)) testdata/mixed.pcap "$WORK/part$i.pcap"
			parts+=("$WORK/part$i.pcap")
		done
		mergecap -F pcap -a -w "$PCAP" "${parts[@]}"
		rm -f "${parts[@]}"
	fi
fi

CGO_ENABLED=0 go build -o bin/net ./cmd/net

packets=$(capinfos -M -c -T "$PCAP" | awk -F'\t' 'NR==2 {print $2}')
bytes=$(stat -c %s "$PCAP")
echo "capture: $PCAP, $packets packets, $bytes bytes; $ROUNDS rounds"

declare -A CMDS=(
	[net]="bin/net capture -read $PCAP -out $WORK/net_out -quiet"
	[net_w1]="bin/net capture -read $PCAP -out $WORK/net_out -quiet -workers 1"
	[tshark]="tshark -r $PCAP -n -T fields -e frame.number"
	[tcpdump]="tcpdump -nn -r $PCAP"
)
ORDER=(net net_w1 tshark tcpdump)

# measure NAME: one run; appends "seconds kbytes" to $WORK/NAME.runs (wall
# clock in nanoseconds from date, peak RSS from GNU time)
measure() {
	local name=$1 t0 t1
	rm -rf "$WORK/net_out"
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$WORK/time.out" ${CMDS[$name]} >/dev/null 2>"$WORK/$name.err" ||
		{ echo "bench: $name failed:" >&2; cat "$WORK/$name.err" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}') $(cat "$WORK/time.out")" >>"$WORK/$name.runs"
}

for name in "${ORDER[@]}"; do rm -f "$WORK/$name.runs"; done
for r in $(seq 1 "$ROUNDS"); do
	for name in "${ORDER[@]}"; do measure "$name"; done
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
md=bench/results/$stamp.md
csv=bench/results/$stamp.csv
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
	echo "capture: \`$PCAP\` ($packets packets, $((bytes / 1000000)) MB); machine: $(nproc) cores, $cpu; median of $ROUNDS runs"
	echo
	echo "| tool | seconds | packets/s | MB/s | peak RSS MB | packets/s vs net |"
	echo "|---|---|---|---|---|---|"
} >"$md"
echo "tool,seconds,packets_per_s,mb_per_s,peak_rss_mb" >"$csv"
net_pps=""
for name in "${ORDER[@]}"; do
	secs=$(awk '{print $1}' "$WORK/$name.runs" | median)
	rss=$(awk '{print $2}' "$WORK/$name.runs" | median)
	pps=$(awk -v p="$packets" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? p / s : 0)}')
	mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", (s > 0 ? b / s / 1e6 : 0)}')
	rssmb=$(awk -v k="$rss" 'BEGIN {printf "%.0f", k / 1024}')
	[ -n "$net_pps" ] || net_pps=$pps
	ratio=$(awk -v a="$pps" -v b="$net_pps" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
	echo "| $name | $secs | $pps | $mbs | $rssmb | $ratio |" >>"$md"
	echo "$name,$secs,$pps,$mbs,$rssmb" >>"$csv"
done
cat "$md"
echo
echo "written: $md $csv"
