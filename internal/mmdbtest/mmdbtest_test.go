package mmdbtest

import (
	"net/netip"
	"testing"

	"github.com/oschwald/maxminddb-golang/v2"
)

// TestBuildVerifies checks the writer against the reader's own validator,
// which walks the whole tree and data section, for each record size and IP
// version.
func TestBuildVerifies(t *testing.T) {
	nets := []Network{
		{netip.MustParsePrefix("198.51.100.0/24"), map[string]any{
			"s": "text", "d": 1.5, "f": float32(2.5), "u16": uint16(7), "u32": uint32(70000),
			"u64": uint64(1) << 40, "i32": int32(-5), "b": true, "bytes": []byte{1, 2},
			"arr": []any{"a", uint32(1)}, "strs": []string{"x", "y"},
			"long": string(make([]byte, 300)), "m": map[string]any{"k": "v"},
		}},
		{netip.MustParsePrefix("10.0.0.0/8"), map[string]any{"n": 0}},
	}
	for _, v := range []int{4, 6} {
		for _, rs := range []int{24, 28, 32} {
			n := nets
			if v == 6 {
				n = append(n, Network{netip.MustParsePrefix("2001:db8::/32"), map[string]any{"six": true}})
			}
			b, err := Build(Options{IPVersion: v, RecordSize: rs}, n)
			if err != nil {
				t.Fatal(err)
			}
			r, err := maxminddb.OpenBytes(b)
			if err != nil {
				t.Fatalf("v%d/%d: %v", v, rs, err)
			}
			if err := r.Verify(); err != nil {
				t.Errorf("v%d/%d: Verify: %v", v, rs, err)
			}
			var rec struct {
				S    string   `maxminddb:"s"`
				U64  uint64   `maxminddb:"u64"`
				I32  int32    `maxminddb:"i32"`
				B    bool     `maxminddb:"b"`
				Strs []string `maxminddb:"strs"`
				Long string   `maxminddb:"long"`
			}
			if err := r.Lookup(netip.MustParseAddr("198.51.100.1")).Decode(&rec); err != nil {
				t.Fatal(err)
			}
			if rec.S != "text" || rec.U64 != 1<<40 || rec.I32 != -5 || !rec.B || len(rec.Strs) != 2 || len(rec.Long) != 300 {
				t.Errorf("v%d/%d: decoded %+v", v, rs, rec)
			}
		}
	}
}

func TestBuildRejectsOverlap(t *testing.T) {
	_, err := Build(Options{}, []Network{
		{netip.MustParsePrefix("10.0.0.0/8"), map[string]any{}},
		{netip.MustParsePrefix("10.1.0.0/16"), map[string]any{}},
	})
	if err == nil {
		t.Error("overlapping networks accepted")
	}
}
