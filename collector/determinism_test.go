package collector

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// allRecords decodes a capture with n workers and returns every record,
// by type, as sorted text. Every record's strings must be escaped.
func allRecords(t *testing.T, path string, workers int) map[string][]string {
	t.Helper()
	f, err := source.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sink := ncio.NewMemorySink()
	if _, err := Run(context.Background(), f, path, Config{Workers: workers, Sink: sink}); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, typ := range sink.Types() {
		for _, m := range sink.Records(typ) {
			if err := types.CheckStrings(m); err != nil {
				t.Errorf("%s: %v", path, err)
			}
			b, _ := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
			out[typ.Name()] = append(out[typ.Name()], string(b))
		}
		slices.Sort(out[typ.Name()])
	}
	return out
}

// TestDeterministicAcrossWorkers: one worker and four give the same
// records of every type, streams and aggregates included, on captures
// with tunnels (whose directions travel with different outer headers),
// capture times that go backwards, MPLS on one direction only, 802.11 and
// fragments.
func TestDeterministicAcrossWorkers(t *testing.T) {
	paths := []string{testutil.Testdata(t, "mixed.pcapng"), testutil.Testdata(t, "http.pcap"), testutil.Testdata(t, "smtp.pcap")}
	for _, rel := range []string{
		"public/ndpi/vxlan.pcap",
		"public/ndpi/ipsec_isakmp_esp.pcap",
		"public/arkime/mpls-basic.pcap",
		"public/arkime/80211http.pcap",
		"public/arkime/gre-erspan-vxlan.pcap",
		"public/zeek/traces/dns-edns-ecs.pcap",
		"public/arkime/CVE-2018-6794.pcap",
	} {
		if p, ok := testutil.SharedIfPresent(t, rel); ok {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		one, four := allRecords(t, p, 1), allRecords(t, p, 4)
		for typ, recs := range one {
			if !slices.Equal(recs, four[typ]) {
				t.Errorf("%s: %s records differ between 1 and 4 workers (%d and %d)", p, typ, len(recs), len(four[typ]))
			}
		}
		for typ := range four {
			if _, ok := one[typ]; !ok {
				t.Errorf("%s: %s records only with 4 workers", p, typ)
			}
		}
	}
}
