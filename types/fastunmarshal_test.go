package types_test

import (
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/netcap-go/netcap/types"
	"github.com/netcap-go/netcap/types/internal/prototest"
)

// fastDecodedTypes returns the records of the schema with a generated
// decoder.
func fastDecodedTypes() []protoreflect.MessageType {
	var fast []protoreflect.MessageType
	messages := types.File_types_netcap_proto.Messages()
	for i := range messages.Len() {
		mt, err := protoregistry.GlobalTypes.FindMessageByName(messages.Get(i).FullName())
		if err == nil {
			if _, ok := mt.New().Interface().(types.FastUnmarshaler); ok {
				fast = append(fast, mt)
			}
		}
	}
	return fast
}

// TestFastUnmarshal: the per-packet records (the ones with a generated
// decoder) decode 2,000 random records as proto.Unmarshal does, into a
// new message and into one holding the record before (whose options it
// reuses); so do the messages nested in them.
func TestFastUnmarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	fast := fastDecodedTypes()
	if len(fast) != 6 {
		t.Fatalf("%d messages have a generated decoder, want Ethernet, IPv4, TCP, UDP and their options", len(fast))
	}
	for _, mt := range fast {
		reused := mt.New().Interface()
		for range 2000 {
			m := mt.New()
			prototest.Fill(r, m)
			b, err := proto.Marshal(m.Interface())
			if err != nil {
				t.Fatal(err)
			}
			fresh := mt.New().Interface()
			for _, into := range []proto.Message{fresh, reused} {
				if !into.(types.FastUnmarshaler).UnmarshalProto(b) || !proto.Equal(into, m.Interface()) {
					t.Fatalf("%T: fast decoding differs\n got %v\nwant %v", into, into, m.Interface())
				}
			}
		}
	}
}

// TestFastUnmarshalRefuses: what proto.Unmarshal must handle, as an error
// or an unknown field, the decoders refuse; what they take that proto.Marshal
// does not write (a field twice, a varint longer than needed, a field
// number of two bytes and of more) they decode as proto.Unmarshal does.
func TestFastUnmarshalRefuses(t *testing.T) {
	tag := func(b []byte, num protowire.Number, typ protowire.Type) []byte {
		return protowire.AppendTag(b, num, typ)
	}
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(tag(nil, num, protowire.VarintType), v)
	}
	bytesField := func(num protowire.Number, v string) []byte {
		return protowire.AppendString(tag(nil, num, protowire.BytesType), v)
	}
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	option := bytesField(20, string(cat(varint(1, 2), bytesField(3, "\x05\xb4"))))
	refused := map[string][]byte{
		"unknown field":             varint(99, 1),
		"unknown field in option":   bytesField(20, string(varint(9, 1))),
		"wrong wire type":           bytesField(2, "x"),
		"wrong wire type of string": varint(24, 1),
		"invalid UTF-8":             bytesField(24, "\xff"),
		"field number 0":            {0x00, 0x01},
		"truncated varint":          {0x10, 0x80},
		"truncated string":          {0xc2, 0x01, 0x05, 'a'},
		"truncated option":          option[:len(option)-1],
		"group":                     tag(nil, 2, protowire.StartGroupType),
	}
	for name, b := range refused {
		if (&types.TCP{}).UnmarshalProto(b) {
			t.Errorf("%s: accepted", name)
		}
	}
	taken := map[string][]byte{
		"a field twice":      cat(varint(2, 80), varint(2, 443), option, option),
		"a long varint":      {0x10, 0xd0, 0x80, 0x80, 0x00},
		"negative int32":     varint(2, uint64(1<<64-5)),
		"a three-byte tag":   {0x80, 0x81, 0x00, 0x07}, // field 16 (Window), padded
		"an empty record":    nil,
		"a present empty IP": bytesField(24, ""),
	}
	for name, b := range taken {
		want := &types.TCP{}
		if err := proto.Unmarshal(b, want); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := &types.TCP{SrcIP: "stale", Options: []*types.TCPOption{{OptionType: 9}}}
		if !got.UnmarshalProto(b) || !proto.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
}

// TestFastUnmarshalReusesOptions: options of an earlier record are reused,
// more are added, a nil in a list's spare capacity is replaced.
func TestFastUnmarshalReusesOptions(t *testing.T) {
	withOptions := func(n int) []byte {
		rec := &types.TCP{SYN: true}
		for i := range n {
			rec.Options = append(rec.Options, &types.TCPOption{OptionType: int32(i + 1), OptionData: []byte{byte(i)}})
		}
		b, _ := proto.Marshal(rec)
		return b
	}
	rec := &types.TCP{Options: make([]*types.TCPOption, 0, 4)}
	for _, n := range []int{2, 5, 1, 7, 0, 3} {
		before := rec.Options[:cap(rec.Options)]
		if !rec.UnmarshalProto(withOptions(n)) || len(rec.Options) != n {
			t.Fatalf("%d options: got %d", n, len(rec.Options))
		}
		for i, o := range rec.Options {
			if o.OptionType != int32(i+1) || len(o.OptionData) != 1 || o.OptionData[0] != byte(i) {
				t.Fatalf("option %d of %d: %v", i, n, o)
			}
			if i < len(before) && before[i] != nil && o != before[i] {
				t.Errorf("option %d of %d not reused", i, n)
			}
		}
	}
}

// BenchmarkUnmarshalProto decodes each per-packet record into a reused
// message, as the record reader does.
func BenchmarkUnmarshalProto(b *testing.B) {
	for _, rec := range packetRecords() {
		m := rec.(proto.Message)
		b.Run(string(m.ProtoReflect().Descriptor().Name()), func(b *testing.B) {
			raw, _ := proto.Marshal(m)
			into := m.ProtoReflect().New().Interface().(types.FastUnmarshaler)
			b.ReportAllocs()
			for b.Loop() {
				if !into.UnmarshalProto(raw) {
					b.Fatal("fast decoding refused")
				}
			}
		})
	}
}

// packetRecords are an Ethernet, IPv4 and TCP record as one TCP segment
// with the usual SYN options gives them, and a UDP record (a DNS query).
func packetRecords() []types.AppendMarshaler {
	const src, dst, cid = "192.168.1.20", "93.184.216.34", "1:LQU9qZlK+B5F3KDmev6m5PMibrg="
	return []types.AppendMarshaler{
		&types.Ethernet{Timestamp: 1_700_000_000_123_456_789, SrcMAC: "00:1a:2b:3c:4d:5e", DstMAC: "f0:9f:c2:11:22:33",
			EthernetType: 0x800, PayloadEntropy: 5.43, PayloadSize: 60},
		&types.IPv4{Timestamp: 1_700_000_000_123_456_789, Version: 4, IHL: 5, Length: 60, Id: 0x3e21, Flags: 2,
			TTL: 64, Protocol: 6, Checksum: 0xb1e6, SrcIP: src, DstIP: dst, PayloadEntropy: 4.9, PayloadSize: 40,
			SrcPort: 51234, DstPort: 443},
		&types.TCP{Timestamp: 1_700_000_000_123_456_789, SrcPort: 51234, DstPort: 443, SeqNum: 2_913_402_117,
			DataOffset: 10, SYN: true, Window: 64240, Checksum: 0x1c46, SrcIP: src, DstIP: dst, CommunityID: cid,
			Options: []*types.TCPOption{
				{OptionType: 2, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
				{OptionType: 4, OptionLength: 2},
				{OptionType: 8, OptionLength: 10, OptionData: []byte{0x9a, 0x3c, 0x21, 0x07, 0, 0, 0, 0}},
				{OptionType: 1},
				{OptionType: 3, OptionLength: 3, OptionData: []byte{7}},
			}},
		&types.UDP{Timestamp: 1_700_000_000_123_456_789, SrcPort: 53124, DstPort: 53, Length: 41, Checksum: 0x7d2a,
			PayloadEntropy: 4.1, PayloadSize: 33, Payload: make([]byte, 33), SrcIP: src, DstIP: "192.168.1.1",
			CommunityID: cid},
	}
}
