package types_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/netcap-go/netcap/types"
)

// fill sets every field of m to a random value (zero values too, often),
// nested and repeated messages included.
func fill(r *rand.Rand, m protoreflect.Message) {
	fields := m.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if r.IntN(4) == 0 {
			continue // zero value
		}
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			for range r.IntN(4) {
				if fd.Kind() == protoreflect.MessageKind {
					e := l.NewElement()
					fill(r, e.Message())
					l.Append(e)
				} else {
					l.Append(scalar(r, fd))
				}
			}
		case fd.IsMap():
		case fd.Kind() == protoreflect.MessageKind:
			fill(r, m.Mutable(fd).Message())
		default:
			m.Set(fd, scalar(r, fd))
		}
	}
}

func scalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.IntN(2) == 1)
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(r.Uint32()) >> r.IntN(32))
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(int64(r.Uint64()) >> r.IntN(64))
	case protoreflect.Uint32Kind:
		return protoreflect.ValueOfUint32(r.Uint32() >> r.IntN(32))
	case protoreflect.Uint64Kind:
		return protoreflect.ValueOfUint64(r.Uint64() >> r.IntN(64))
	case protoreflect.DoubleKind:
		switch r.IntN(4) {
		case 0:
			return protoreflect.ValueOfFloat64(math.Copysign(0, -1))
		case 1:
			return protoreflect.ValueOfFloat64(math.NaN())
		}
		return protoreflect.ValueOfFloat64(r.NormFloat64() * 1e3)
	case protoreflect.StringKind:
		b := make([]rune, r.IntN(20))
		for i := range b {
			b[i] = rune(32 + r.IntN(0x3000))
		}
		return protoreflect.ValueOfString(string(b))
	case protoreflect.BytesKind:
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return protoreflect.ValueOfBytes(b)
	}
	return fd.Default()
}

// TestFastMarshal: every record with a generated encoder gives
// proto.Marshal's bytes on 2,000 random records, behind whatever the
// buffer already holds; a field the encoder misses makes it fail.
func TestFastMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast := fastRecordTypes(t)
	if len(fast) == 0 {
		t.Fatal("no record has a fast encoder")
	}
	for _, mt := range fast {
		for i := range 2000 {
			m := mt.New().Interface()
			fill(r, m.ProtoReflect())
			want, err := proto.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			prefix := []byte("framed")[:i%7]
			got, ok := m.(types.AppendMarshaler).AppendProto(prefix)
			if !ok || !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
				t.Fatalf("%T: fast encoding differs (ok %v)\n got %x\nwant %x", m, ok, got, want)
			}
		}
	}
}

// fastRecordTypes returns the message types that implement AppendMarshaler.
func fastRecordTypes(t *testing.T) []protoreflect.MessageType {
	var fast []protoreflect.MessageType
	messages := types.File_types_netcap_proto.Messages()
	for i := range messages.Len() {
		mt, err := protoregistry.GlobalTypes.FindMessageByName(messages.Get(i).FullName())
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := mt.New().Interface().(types.AppendMarshaler); ok {
			fast = append(fast, mt)
		}
	}
	return fast
}

// TestFastMarshalEdges: a nested message longer than one length byte
// holds, and what proto.Marshal must handle (invalid UTF-8, which it
// reports; unknown fields; nil options) is refused.
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
	} {
		if _, ok := m.AppendProto(nil); ok {
			t.Errorf("%s: accepted", name)
		}
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

// BenchmarkAppendProto encodes each per-packet record into a reused
// buffer, as the record writer does.
func BenchmarkAppendProto(b *testing.B) {
	for _, rec := range packetRecords() {
		b.Run(fmt.Sprintf("%T", rec)[len("*types."):], func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 512)
			for b.Loop() {
				var ok bool
				if buf, ok = rec.AppendProto(buf[:0]); !ok {
					b.Fatal("fast encoding refused")
				}
			}
		})
	}
}
