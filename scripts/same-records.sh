#!/usr/bin/env bash
# Checks that a change leaves the records as they were: decodes every
# capture with the net of a reference revision and with the working tree's,
# and compares each record file byte for byte after its header (the header
# holds the creation time). Runs with -workers 1 (record order is then
# fixed) and -workers 2 (the same records; the order may differ, so the
# records are compared sorted).
#
#   scripts/same-records.sh [REF] [CAPTURE|DIR ...]
#
# REF defaults to HEAD (compare uncommitted changes); captures default to
# testdata/ and ../shared/pcaps (or $NETCAP_SHARED_PCAPS). Exit 1 on any
# difference. make same-records REF=<rev> runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
ref=${1:-HEAD}
shift || true
inputs=("$@")
if [ ${#inputs[@]} -eq 0 ]; then
	inputs=(testdata "${NETCAP_SHARED_PCAPS:-../shared/pcaps}")
fi
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/ref" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach "$tmp/ref" "$ref" >/dev/null 2>&1
(cd "$tmp/ref" && go build -o "$tmp/net-ref" ./cmd/net)
go build -o "$tmp/net-new" ./cmd/net

mapfile -t caps < <(find "${inputs[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) 2>/dev/null | sort)
echo "comparing $(git rev-parse --short "$ref") with the working tree on ${#caps[@]} captures"
fail=0
n=0
for c in "${caps[@]}"; do
	n=$((n + 1))
	for w in 1 2; do
		for side in ref new; do
			d="$tmp/out-$side"
			rm -rf "$d"
			mkdir -p "$d"
			set +e
			"$tmp/net-$side" capture -read "$c" -out "$d" -workers "$w" -compress=false -quiet \
				>"$tmp/$side.stdout" 2>"$tmp/$side.stderr"
			echo $? >"$d.status"
			set -e
		done
		if ! NET_NEW="$tmp/net-new" python3 scripts/same_records.py "$tmp/out-ref" "$tmp/out-new" "$w"; then
			echo "DIFFERENT: $c (-workers $w)"
			fail=1
		fi
	done
done
echo "$n captures compared; $([ $fail = 0 ] && echo 'records identical' || echo 'DIFFERENCES found')"
exit $fail
