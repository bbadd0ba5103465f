// Package prototest checks generated protobuf encoders against
// proto.Marshal on random messages, for the tests of package types and of
// the generator.
package prototest

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// filler makes random records: every field set or left zero, values of
// every size (negative numbers, the varint length edges, negative zero
// and NaN, empty and long strings and bytes, lists and maps of 0 to 3
// elements), and, when bad is set, now and then a string that is not
// valid UTF-8.
type filler struct {
	r   *rand.Rand
	bad bool
}

// fill sets the fields of m, nested messages to depth 4.
func (f *filler) fill(m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if f.r.IntN(4) == 0 || (fd.Message() != nil && depth >= 4) {
			continue // zero value
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for range f.r.IntN(4) {
				v := mp.NewValue()
				if fd.MapValue().Message() != nil {
					f.fill(v.Message(), depth+1)
				} else {
					v = f.scalar(fd.MapValue())
				}
				mp.Set(f.scalar(fd.MapKey()).MapKey(), v)
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for range f.r.IntN(4) {
				if fd.Message() != nil {
					e := l.NewElement()
					f.fill(e.Message(), depth+1)
					l.Append(e)
				} else {
					l.Append(f.scalar(fd))
				}
			}
		case fd.Message() != nil:
			f.fill(m.Mutable(fd).Message(), depth+1) // set, so written even when empty
		default:
			m.Set(fd, f.scalar(fd))
		}
	}
}

// edges are the integers around the varint and sign boundaries.
var edges = []int64{0, 1, -1, 127, 128, 255, 16383, 16384, 1<<21 - 1, 1 << 21, 1<<28 - 1,
	math.MaxInt32, math.MinInt32, math.MaxUint32, math.MaxInt64, math.MinInt64}

func (f *filler) scalar(fd protoreflect.FieldDescriptor) protoreflect.Value {
	r := f.r
	i := int64(r.Uint64()) >> r.IntN(64)
	if r.IntN(3) == 0 {
		i = edges[r.IntN(len(edges))]
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(r.IntN(2) == 1)
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(i))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(i))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(i)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(i))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(i))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(f.float()))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(f.float())
	case protoreflect.StringKind:
		n, repeat := f.length()
		b := make([]rune, n)
		for i := range b {
			b[i] = rune(32 + r.IntN(95))
			if r.IntN(10) == 0 {
				b[i] = rune(128 + r.IntN(0x3000))
			}
		}
		s := strings.Repeat(string(b), repeat)
		if f.bad && r.IntN(8) == 0 {
			at := r.IntN(len(s) + 1)
			s = s[:at] + "\xff" + s[at:] // invalid, wherever it is
		}
		return protoreflect.ValueOfString(s)
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes(f.bytes())
	}
	panic(fmt.Sprintf("%s: no random %s", fd.FullName(), fd.Kind()))
}

func (f *filler) float() float64 {
	switch f.r.IntN(5) {
	case 0:
		return math.Copysign(0, -1)
	case 1:
		return math.NaN()
	case 2:
		return math.Inf(1 - 2*f.r.IntN(2))
	}
	return f.r.NormFloat64() * 1e3
}

// length returns that of a string or bytes as n random elements
// repeated: mostly short, sometimes past one and two varint bytes.
func (f *filler) length() (n, repeat int) {
	switch f.r.IntN(50) {
	case 0:
		n = 1 + f.r.IntN(20)
		return n, 16384/n + 1
	case 1, 2, 3:
		return 100 + f.r.IntN(200), 1
	}
	return f.r.IntN(20), 1
}

func (f *filler) bytes() []byte {
	n, repeat := f.length()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(f.r.Uint32())
	}
	return bytes.Repeat(b, repeat)
}

// deterministic is how the encoders are compared: with Deterministic set
// proto.Marshal writes map entries in key order, as they do (without, in
// Go's random map order).
var deterministic = proto.MarshalOptions{Deterministic: true}

// appendMarshaler is types.AppendMarshaler.
type appendMarshaler interface {
	AppendProto(b []byte) (out []byte, ok bool)
}

// CheckAppendProto checks that every message of file (nested ones too)
// has a generated encoder (AppendProto) that gives proto.Marshal's bytes
// on n random records each, behind whatever the buffer already holds, and
// refuses what proto.Marshal reports (invalid UTF-8). A field an encoder
// misses or encodes differently fails here.
func CheckAppendProto(t *testing.T, file protoreflect.FileDescriptor, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for _, mt := range messageTypes(t, file.Messages()) {
		refused := 0
		for i := range n {
			m := mt.New().Interface()
			f := &filler{r: r, bad: i%4 == 3}
			f.fill(m.ProtoReflect(), 0)
			want, err := deterministic.Marshal(m)
			prefix := []byte("framed")[:i%7]
			am, ok := m.(appendMarshaler)
			if !ok {
				t.Fatalf("%T has no AppendProto: run go generate ./types/", m)
			}
			got, ok := am.AppendProto(prefix)
			if err != nil {
				if ok {
					t.Fatalf("%T: encoded a record proto.Marshal refuses (%v)", m, err)
				}
				refused++
				continue
			}
			if !ok || !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
				t.Fatalf("%T: fast encoding differs (ok %v)\n got %x\nwant %x", m, ok, got[min(len(prefix), len(got)):], want)
			}
		}
		if refused == 0 && hasString(mt.Descriptor(), 0) {
			t.Errorf("%s: no record with invalid UTF-8 was tried", mt.Descriptor().Name())
		}
	}
}

// messageTypes returns the types of messages and of the messages nested
// in them, but map entries, which have no Go type of their own.
func messageTypes(t *testing.T, messages protoreflect.MessageDescriptors) []protoreflect.MessageType {
	var all []protoreflect.MessageType
	for i := range messages.Len() {
		md := messages.Get(i)
		if md.IsMapEntry() {
			continue
		}
		mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, mt)
		all = append(all, messageTypes(t, md.Messages())...)
	}
	return all
}

// hasString reports whether filler can put a string into a message of
// type md.
func hasString(md protoreflect.MessageDescriptor, depth int) bool {
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if fd.Kind() == protoreflect.StringKind {
			return true
		}
		if fd.Message() != nil && depth < 4 && hasString(fd.Message(), depth+1) {
			return true
		}
	}
	return false
}

// Scalar returns a random value of the scalar field fd, as the records
// CheckAppendProto encodes have (valid UTF-8 strings).
func Scalar(r *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	return (&filler{r: r}).scalar(fd)
}

// Fill sets every field of m to random values (nested messages to a
// bounded depth), as the records CheckAppendProto encodes have.
func Fill(r *rand.Rand, m protoreflect.Message) {
	(&filler{r: r}).fill(m, 0)
}
