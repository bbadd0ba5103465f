#!/usr/bin/env bash
# Times `net capture -read` against Suricata (no rules, single and autofp
# runmodes), tshark, tcpdump and a bare gopacket read+decode loop on the
# same capture, alternating the tools over several rounds, and prints the
# median packets/s, MB/s and peak RSS of each, with ratios to net and the
# performance targets. Results also go to bench/results/<date>.md and .csv.
#
#   bench/run.sh [capture] [rounds]
#
# Without a capture it builds bench/work/mixed-distinct.pcap with
# `go run ./bench/gen -kind distinct`: testdata/mixed.pcap (real clients and
# servers in network namespaces, see ../shared/pcaps/make-pcaps.sh: HTTP,
# TLS, DNS, SSH, SMTP) copied 1,000 times one after the other, each copy
# shifted in time and with its IP addresses rewritten, so every copy's
# flows are distinct flows (652,000 packets, 395 MB). Suricata is optional
# (Debian bookworm-backports); rows of missing tools are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

PCAP=${1:-}
ROUNDS=${2:-3}
WORK=bench/work
mkdir -p "$WORK" bench/results

for tool in tshark tcpdump capinfos /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool missing (make deps installs it)" >&2; exit 1; }
done

if [ -z "$PCAP" ]; then
	PCAP=$WORK/mixed-distinct.pcap
	[ -f "$PCAP" ] || go run ./bench/gen -kind distinct -in testdata/mixed.pcap -n 1000 -o "$PCAP"
fi

CGO_ENABLED=0 go build -o bin/net ./cmd/net
CGO_ENABLED=0 go build -o bin/bare ./bench/bare

packets=$(capinfos -M -c -T "$PCAP" | awk -F'\t' 'NR==2 {print $2}')
bytes=$(stat -c %s "$PCAP")
echo "capture: $PCAP, $packets packets, $bytes bytes; $ROUNDS rounds"

L4="-include Ethernet,IPv4,IPv6,TCP,UDP -compress=false"
declare -A CMDS=(
	[net]="bin/net capture -read $PCAP -out $WORK/net_out -quiet"
	[net_w1]="bin/net capture -read $PCAP -out $WORK/net_out -quiet -workers 1"
	[net_l4]="bin/net capture -read $PCAP -out $WORK/net_out -quiet $L4"
	[bare]="bin/bare $PCAP"
	[suricata_single]="suricata -r $PCAP -k none --runmode single -l $WORK/suri_out -S /dev/null"
	[suricata_autofp]="suricata -r $PCAP -k none --runmode autofp -l $WORK/suri_out -S /dev/null"
	[tshark]="tshark -r $PCAP -n -T fields -e frame.number"
	[tcpdump]="tcpdump -nn -r $PCAP"
)
ORDER=(net net_w1 net_l4 bare)
command -v suricata >/dev/null && ORDER+=(suricata_single suricata_autofp)
ORDER+=(tshark tcpdump)

# measure NAME: one run; appends "seconds kbytes" to $WORK/NAME.runs (wall
# clock in nanoseconds from date, peak RSS from GNU time)
measure() {
	local name=$1 t0 t1
	rm -rf "$WORK/net_out" "$WORK/suri_out"
	mkdir -p "$WORK/suri_out"
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
# The targets of the performance issue, as ratios of this run's medians.
pps() { grep "^$1," "$csv" | cut -d, -f3; }
rss() { grep "^$1," "$csv" | cut -d, -f5; }
target() { # label value threshold
	awk -v l="$1" -v v="$2" -v t="$3" 'BEGIN {printf "| %s | %.2f | %s | %s |\n", l, v, t, (v >= t) ? "met" : "not met"}'
}
{
	echo
	echo "| target | measured | wanted | |"
	echo "|---|---|---|---|"
	if grep -q '^suricata_single,' "$csv"; then
		target "net / Suricata single (packets/s)" "$(awk -v a="$(pps net)" -v b="$(pps suricata_single)" 'BEGIN {print a / b}')" 2.5
	fi
	target "net / tshark (packets/s)" "$(awk -v a="$(pps net)" -v b="$(pps tshark)" 'BEGIN {print a / b}')" 25
	target "net L2-L4 / bare loop (packets/s)" "$(awk -v a="$(pps net_l4)" -v b="$(pps bare)" 'BEGIN {print a / b}')" 0.25
	target "net 2 workers / 1 worker (packets/s)" "$(awk -v a="$(pps net)" -v b="$(pps net_w1)" 'BEGIN {print a / b}')" 1.6
	awk -v r="$(rss net)" 'BEGIN {printf "| net peak RSS (MB) | %d | <= 512 | %s |\n", r, (r <= 512) ? "met" : "not met"}'
} >>"$md"
cat "$md"
echo
echo "written: $md $csv"
