package types_test

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/types"
	"github.com/netcap-go/netcap/types/internal/prototest"
)

// TestFastMarshal: every message of netcap.proto has an encoder that
// writes proto.Marshal's bytes on random records and refuses what it
// reports.
func TestFastMarshal(t *testing.T) {
	prototest.CheckAppendProto(t, types.File_types_netcap_proto, 500)
}

// TestFastMarshalEdges: a nested message longer than one length byte
// holds, a nil record is empty, and what proto.Marshal must handle (invalid UTF-8, which it
// reports; unknown fields; nil messages in lists and maps) is refused.
func TestFastMarshalEdges(t *testing.T) {
	long := &types.TCP{SYN: true, Options: []*types.TCPOption{
		{OptionType: 1}, {OptionType: 254, OptionData: make([]byte, 200)}, {OptionData: make([]byte, 20000)},
	}}
	want, err := proto.Marshal(long)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := long.AppendProto(nil); !ok || !bytes.Equal(got, want) {
		t.Fatalf("long options: ok %v, encoding differs", ok)
	}
	if got, ok := (*types.DNS)(nil).AppendProto([]byte{1}); !ok || !bytes.Equal(got, []byte{1}) {
		t.Fatalf("nil record: ok %v, %x appended", ok, got[1:])
	}
	unknownField := protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1)
	udp, option := &types.UDP{SrcPort: 53}, &types.IPv4Option{OptionType: 7}
	udp.ProtoReflect().SetUnknown(unknownField)
	option.ProtoReflect().SetUnknown(unknownField)
	for name, m := range map[string]types.AppendMarshaler{
		"invalid UTF-8":               &types.TCP{SrcIP: "\xff"},
		"invalid UTF-8, last field":   &types.UDP{SrcPort: 53, CommunityID: "1:\xc3"},
		"unknown fields":              udp,
		"unknown fields in an option": &types.IPv4{Options: []*types.IPv4Option{{}, option}},
		"nil option":                  &types.TCP{Options: []*types.TCPOption{{OptionType: 2}, nil}},
		"nil map value":               &types.IPProfile{Protocols: map[string]*types.Protocol{"a": {}, "b": nil}},
		"invalid UTF-8 in a map key":  &types.HTTP{RequestHeader: map[string]string{"a": "", "\xe2\x82": "b"}},
		"invalid UTF-8 in a list":     &types.SIP{Headers: []string{"Via: x", "To: \xc3\x28"}},
		"invalid UTF-8, nested":       &types.IPProfile{Protocols: map[string]*types.Protocol{"a": {Category: "\xff"}}},
	} {
		if _, ok := m.AppendProto(nil); ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

// BenchmarkAppendProto encodes sample records (those of a TCP and a UDP
// packet, and some written per connection or message) into a reused
// buffer, as the record writer does.
func BenchmarkAppendProto(b *testing.B) {
	for _, rec := range testutil.SampleRecords(b) {
		b.Run(string(rec.ProtoReflect().Descriptor().Name()), func(b *testing.B) {
			am, ok := rec.(types.AppendMarshaler)
			if !ok {
				b.Skip("no AppendProto")
			}
			b.ReportAllocs()
			buf := make([]byte, 0, 4096)
			for b.Loop() {
				if buf, ok = am.AppendProto(buf[:0]); !ok {
					b.Fatal("fast encoding refused")
				}
			}
		})
	}
}
