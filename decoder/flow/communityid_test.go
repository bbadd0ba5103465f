package flow_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/internal/testutil"
)

// forEachPacket decodes every packet of a capture and calls f with it.
func forEachPacket(t testing.TB, path string, f func(p *packet.Packet)) {
	t.Helper()
	src, err := collector.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	parser := packet.NewParser(packet.Options{}, func(string) bool { return false }, nil)
	parser.SetFlowHook(f)
	for {
		data, ci, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := parser.Decode(data, ci.Timestamp, ci.Length, ci.LinkType); err != nil {
			t.Fatal(err)
		}
	}
}

type baselineEntry struct {
	Proto       uint8   `json:"proto"`
	Saddr       string  `json:"saddr"`
	Daddr       string  `json:"daddr"`
	Sport       *uint16 `json:"sport"`
	Dport       *uint16 `json:"dport"`
	CommunityID string  `json:"communityid"`
}

// TestCommunityIDBaseline checks every flow of the Community ID spec's
// test capture against the spec's own baseline files: default seed,
// seed 1, and hex digests. The baselines list each distinct tuple once, in
// order of first appearance, with ICMP types mapped as the spec says.
func TestCommunityIDBaseline(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "community-id")
	pcap := filepath.Join(dir, "pcaps", "combined.pcap.gz")
	var tuples []flow.Tuple
	seen := map[flow.Tuple]bool{}
	forEachPacket(t, pcap, func(p *packet.Packet) {
		tu, ok := flow.TupleOf(p)
		if !ok || seen[tu] {
			return
		}
		seen[tu] = true
		tuples = append(tuples, tu)
	})
	for _, c := range []struct {
		file string
		cid  flow.CommunityID
	}{
		{"baseline_deflt.json", flow.CommunityID{}},
		{"baseline_seed1.json", flow.CommunityID{Seed: 1}},
		{"baseline_nob64.json", flow.CommunityID{Hex: true}},
	} {
		b, err := os.ReadFile(filepath.Join(dir, "baseline", c.file))
		if err != nil {
			t.Fatal(err)
		}
		var want []baselineEntry
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if len(tuples) != len(want) {
			t.Fatalf("%s: %d flows, baseline has %d", c.file, len(tuples), len(want))
		}
		for i, w := range want {
			tu := tuples[i]
			sp, dp := tu.SrcPort, tu.DstPort
			switch tu.Proto {
			case 1, 58:
				sp, dp, _ = flow.ICMPPorts(tu.Proto == 58, uint8(sp), uint8(dp))
			}
			if tu.Proto != w.Proto || tu.Src != netip.MustParseAddr(w.Saddr) || tu.Dst != netip.MustParseAddr(w.Daddr) {
				t.Errorf("%s #%d: tuple %v, baseline %+v", c.file, i, tu, w)
				continue
			}
			if w.Sport != nil && (sp != *w.Sport || dp != *w.Dport) {
				t.Errorf("%s #%d: ports %d/%d, baseline %d/%d", c.file, i, sp, dp, *w.Sport, *w.Dport)
			}
			if got := c.cid.Compute(tu); got != w.CommunityID {
				t.Errorf("%s #%d %v: %s, baseline %s", c.file, i, tu, got, w.CommunityID)
			}
		}
		t.Logf("%s: %d flows agree", c.file, len(want))
	}
}

// TestCommunityIDSymmetric checks that both directions of a flow hash
// alike and that the spec's fixed example holds without the shared files.
func TestCommunityIDSymmetric(t *testing.T) {
	a := flow.Tuple{Src: netip.MustParseAddr("128.232.110.120"), Dst: netip.MustParseAddr("66.35.250.204"), Proto: 6, SrcPort: 34855, DstPort: 80}
	b := flow.Tuple{Src: a.Dst, Dst: a.Src, Proto: 6, SrcPort: 80, DstPort: 34855}
	var c flow.CommunityID
	if c.Compute(a) != c.Compute(b) {
		t.Fatalf("directions differ: %s %s", c.Compute(a), c.Compute(b))
	}
	// From the spec's README (TCP example).
	if got, want := c.Compute(a), "1:LQU9qZlK+B5F3KDmev6m5PMibrg="; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if got := c.Compute(flow.Tuple{Src: a.Src, Dst: netip.MustParseAddr("::1"), Proto: 6}); got != "" {
		t.Fatalf("mixed families: %q", got)
	}
}
