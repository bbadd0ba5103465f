package types

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// FuzzRecordStrings: every string field of every message of netcap.proto
// (singular, repeated, map keys and values, in nested messages too) takes
// the escaped form of arbitrary bytes, marshals (the hand-written encoders
// as well), unmarshals (the generated decoders as well) to an equal
// record, and gives the bytes back.
func FuzzRecordStrings(f *testing.F) {
	for _, s := range []string{"", "www.example.com", "\x82\xfc", "\x00\n\\x41\xe9", "\u0085\xed\xa0\x80"} {
		f.Add([]byte(s))
	}
	msgs := File_types_netcap_proto.Messages()
	f.Fuzz(func(t *testing.T, wire []byte) {
		for i := range msgs.Len() {
			recordStringsRoundTrip(t, msgs.Get(i), wire)
		}
	})
}

func recordStringsRoundTrip(t *testing.T, md protoreflect.MessageDescriptor, wire []byte) {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
	if err != nil {
		t.Fatal(err)
	}
	m := mt.New()
	n := fillStrings(m, wire, 0)
	b, err := proto.Marshal(m.Interface())
	if err != nil {
		t.Fatalf("%s with %q does not marshal: %v", md.Name(), wire, err)
	}
	if am, ok := m.Interface().(AppendMarshaler); ok {
		if fast, ok := am.AppendProto(nil); !ok || !bytes.Equal(fast, b) {
			t.Fatalf("%s: AppendProto %v, bytes differ from proto.Marshal: %v", md.Name(), ok, !bytes.Equal(fast, b))
		}
	}
	back := mt.New()
	if err := proto.Unmarshal(b, back.Interface()); err != nil {
		t.Fatalf("%s: %v", md.Name(), err)
	}
	if !proto.Equal(m.Interface(), back.Interface()) {
		t.Fatalf("%s changed in the round trip", md.Name())
	}
	if fu, ok := mt.New().Interface().(FastUnmarshaler); ok {
		if !fu.UnmarshalProto(b) || !proto.Equal(fu.(proto.Message), back.Interface()) {
			t.Fatalf("%s: UnmarshalProto differs from proto.Unmarshal", md.Name())
		}
	}
	if err := CheckStrings(back.Interface()); err != nil {
		t.Fatal(err)
	}
	// Empty strings are not on the wire, so not counted back.
	if got := unescapeAll(t, back, wire); got != n && len(wire) > 0 {
		t.Fatalf("%s: %d of %d strings came back", md.Name(), got, n)
	}
}

// fillStrings sets every string field of m (recursing into messages, to
// a depth that covers every nesting netcap.proto has) to the escaped form
// of wire, and returns how many strings it set.
func fillStrings(m protoreflect.Message, wire []byte, depth int) int {
	n := 0
	fds := m.Descriptor().Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		s := protoreflect.ValueOfString(escapeFor(fd, wire))
		switch {
		case fd.IsMap():
			n += fillMap(m.Mutable(fd).Map(), fd, wire, depth)
		case fd.IsList() && fd.Kind() == protoreflect.StringKind:
			m.Mutable(fd).List().Append(s)
			n++
		case fd.IsList() && fd.Message() != nil && depth < 4:
			l := m.Mutable(fd).List()
			e := l.NewElement()
			n += fillStrings(e.Message(), wire, depth+1)
			l.Append(e)
		case fd.Kind() == protoreflect.StringKind:
			m.Set(fd, s)
			n++
		case !fd.IsList() && fd.Message() != nil && depth < 4:
			n += fillStrings(m.Mutable(fd).Message(), wire, depth+1)
		}
	}
	return n
}

func fillMap(mp protoreflect.Map, fd protoreflect.FieldDescriptor, wire []byte, depth int) int {
	n := 0
	key := protoreflect.ValueOfInt32(1).MapKey()
	if fd.MapKey().Kind() == protoreflect.StringKind {
		key = protoreflect.ValueOfString(escapeFor(fd.MapKey(), wire)).MapKey()
		n++
	}
	e := mp.NewValue()
	switch v := fd.MapValue(); {
	case v.Kind() == protoreflect.StringKind:
		e = protoreflect.ValueOfString(escapeFor(v, wire))
		n++
	case v.Message() != nil && depth < 4:
		n += fillStrings(e.Message(), wire, depth+1)
	}
	mp.Set(key, e)
	return n
}

func escapeFor(fd protoreflect.FieldDescriptor, wire []byte) string {
	if TextFields[fd.FullName()] {
		return WireText(string(wire))
	}
	return WireBytes(wire)
}

// unescapeAll counts the strings of m that unescape to wire.
func unescapeAll(t *testing.T, m protoreflect.Message, wire []byte) int {
	n := 0
	check := func(fd protoreflect.FieldDescriptor, s string) {
		if b, err := UnescapeWire(s); err != nil || !bytes.Equal(b, wire) {
			t.Errorf("%s: %q unescapes to %q, %v; want %q", fd.FullName(), s, b, err, wire)
		}
		n++
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				if fd.MapKey().Kind() == protoreflect.StringKind {
					check(fd.MapKey(), k.String())
				}
				if fd.MapValue().Kind() == protoreflect.StringKind {
					check(fd.MapValue(), mv.String())
				} else if fd.MapValue().Message() != nil {
					n += unescapeAll(t, mv.Message(), wire)
				}
				return true
			})
		case fd.IsList():
			for i := range v.List().Len() {
				if fd.Kind() == protoreflect.StringKind {
					check(fd, v.List().Get(i).String())
				} else if fd.Message() != nil {
					n += unescapeAll(t, v.List().Get(i).Message(), wire)
				}
			}
		case fd.Kind() == protoreflect.StringKind:
			check(fd, v.String())
		case fd.Message() != nil:
			n += unescapeAll(t, v.Message(), wire)
		}
		return true
	})
	return n
}
