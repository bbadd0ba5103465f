#!/usr/bin/env bash
# Times `net capture -read` against Suricata (no rules, single and autofp
# runmodes), tshark, tcpdump and a bare gopacket read+decode loop on the
# same capture, alternating the tools over several rounds, and prints the
# median wall seconds, CPU seconds (user + system, which stay meaningful on
# a loaded machine when wall time does not), packets/s, MB/s and peak RSS of
# each, with ratios to net and the performance targets; then `net dump
# -csv` of the TCP records (records per CPU second). Results also go to
# bench/results/<date>.md and .csv.
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
DUMP_IN=$WORK/dump_in
declare -A CMDS=(
	[net]="bin/net capture -read $PCAP -out $WORK/net_out -quiet"
	[net_w1]="bin/net capture -read $PCAP -out $WORK/net_out -quiet -workers 1"
	[net_l4]="bin/net capture -read $PCAP -out $WORK/net_out -quiet $L4"
	[bare]="bin/bare $PCAP"
	[suricata_single]="suricata -r $PCAP -k none --runmode single -l $WORK/suri_out -S /dev/null"
	[suricata_autofp]="suricata -r $PCAP -k none --runmode autofp -l $WORK/suri_out -S /dev/null"
	[tshark]="tshark -r $PCAP -n -T fields -e frame.number"
	[tcpdump]="tcpdump -nn -r $PCAP"
	[dump_csv]="bin/net dump -read $DUMP_IN/TCP.ncap.gz -csv"
)
ORDER=(net net_w1 net_l4 bare)
command -v suricata >/dev/null && ORDER+=(suricata_single suricata_autofp)
ORDER+=(tshark tcpdump dump_csv)

# The records net dump reads, written once.
rm -rf "$DUMP_IN"
bin/net capture -read "$PCAP" -out "$DUMP_IN" -quiet -include TCP
dump_records=$(bin/net dump -read "$DUMP_IN/TCP.ncap.gz" -csv | tail -n +2 | wc -l)

# measure NAME: one run; appends "seconds cpu-seconds kbytes" to
# $WORK/NAME.runs (wall clock in nanoseconds from date; user + system CPU
# seconds of the process and its children and peak RSS from GNU time)
measure() {
	local name=$1 t0 t1
	rm -rf "$WORK/net_out" "$WORK/suri_out"
	mkdir -p "$WORK/suri_out"
	t0=$(date +%s%N)
	/usr/bin/time -f '%U %S %M' -o "$WORK/time.out" ${CMDS[$name]} >/dev/null 2>"$WORK/$name.err" ||
		{ echo "bench: $name failed:" >&2; cat "$WORK/$name.err" >&2; exit 1; }
	t1=$(date +%s%N)
	echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}') $(awk '{printf "%.2f %s", $1 + $2, $3}' "$WORK/time.out")" >>"$WORK/$name.runs"
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
	echo "capture: \`$PCAP\` ($packets packets, $((bytes / 1000000)) MB); machine: $(nproc) cores, $cpu; load before: $(cut -d' ' -f1-3 /proc/loadavg); median of $ROUNDS runs"
	echo
	echo "| tool | wall s | CPU s | packets/s | MB/s | peak RSS MB | packets/s vs net | CPU s vs net |"
	echo "|---|---|---|---|---|---|---|---|"
} >"$md"
echo "tool,seconds,cpu_seconds,packets_per_s,mb_per_s,peak_rss_mb" >"$csv"
net_pps="" net_cpu=""
for name in "${ORDER[@]}"; do
	secs=$(awk '{print $1}' "$WORK/$name.runs" | median)
	cpus=$(awk '{print $2}' "$WORK/$name.runs" | median)
	rss=$(awk '{print $3}' "$WORK/$name.runs" | median)
	rssmb=$(awk -v k="$rss" 'BEGIN {printf "%.0f", k / 1024}')
	if [ "$name" = dump_csv ]; then
		echo "$name,$secs,$cpus,,,$rssmb" >>"$csv"
		continue
	fi
	pps=$(awk -v p="$packets" -v s="$secs" 'BEGIN {printf "%.0f", (s > 0 ? p / s : 0)}')
	mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", (s > 0 ? b / s / 1e6 : 0)}')
	[ -n "$net_pps" ] || { net_pps=$pps; net_cpu=$cpus; }
	ratio=$(awk -v a="$pps" -v b="$net_pps" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
	cratio=$(awk -v a="$cpus" -v b="$net_cpu" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
	echo "| $name | $secs | $cpus | $pps | $mbs | $rssmb | $ratio | $cratio |" >>"$md"
	echo "$name,$secs,$cpus,$pps,$mbs,$rssmb" >>"$csv"
done
col() { grep "^$1," "$csv" | cut -d, -f"$2"; }
wall() { col "$1" 2; }
cpus() { col "$1" 3; }
pps() { col "$1" 4; }
rss() { col "$1" 6; }
{
	echo
	echo "\`net dump -read TCP.ncap.gz -csv\` ($dump_records records): $(wall dump_csv) s wall, $(cpus dump_csv) s CPU"
}  >>"$md"
# The targets of the performance issue, as ratios of this run's medians.
target() { # label value op threshold
	awk -v l="$1" -v v="$2" -v op="$3" -v t="$4" 'BEGIN {
		ok = (op == ">=") ? (v >= t) : (v <= t)
		printf "| %s | %.2f | %s %s | %s |\n", l, v, op, t, ok ? "met" : "not met" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {print (b > 0) ? a / b : 0}'; }
{
	echo
	echo "| target | measured | wanted | |"
	echo "|---|---|---|---|"
	if grep -q '^suricata_single,' "$csv"; then
		faster=$(awk -v a="$(pps suricata_single)" -v b="$(pps suricata_autofp)" 'BEGIN {print (a > b) ? a : b}')
		target "net / Suricata's faster runmode (packets/s)" "$(ratio "$(pps net)" "$faster")" ">=" 2.5
		target "net / Suricata single (CPU s)" "$(ratio "$(cpus net)" "$(cpus suricata_single)")" "<=" 0.5
	fi
	target "net / tshark (packets/s)" "$(ratio "$(pps net)" "$(pps tshark)")" ">=" 25
	target "bare loop / net L2-L4 (CPU s)" "$(ratio "$(cpus bare)" "$(cpus net_l4)")" ">=" 0.25
	target "net 2 workers / 1 worker (packets/s)" "$(ratio "$(pps net)" "$(pps net_w1)")" ">=" 1.8
	target "net peak RSS (MB)" "$(rss net)" "<=" 512
	target "net dump CSV (records per CPU s, thousands)" "$(ratio "$dump_records" "$(cpus dump_csv)" | awk '{print $1 / 1000}')" ">=" 400
} >>"$md"
cat "$md"
echo
echo "written: $md $csv"
