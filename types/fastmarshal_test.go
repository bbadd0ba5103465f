package types_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

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

// TestFastMarshal: the hand-written encoders give proto.Marshal's bytes
// on 2,000 random records of each type; a field added to the schema and
// not to the encoder makes it fail.
func TestFastMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, newMsg := range []func() proto.Message{
		func() proto.Message { return &types.Ethernet{} },
		func() proto.Message { return &types.IPv4{} },
		func() proto.Message { return &types.TCP{} },
		func() proto.Message { return &types.UDP{} },
	} {
		for range 2000 {
			m := newMsg()
			fill(r, m.ProtoReflect())
			want, err := proto.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := m.(types.AppendMarshaler).AppendProto(nil)
			if !ok || !bytes.Equal(got, want) {
				t.Fatalf("%T: fast encoding differs (ok %v)\n got %x\nwant %x", m, ok, got, want)
			}
		}
	}
	// Invalid UTF-8 goes to the general marshaller, which reports it.
	if _, ok := (&types.TCP{SrcIP: "\xff"}).AppendProto(nil); ok {
		t.Fatal("invalid UTF-8 accepted")
	}
}
