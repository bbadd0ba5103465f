package types

import (
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// FastUnmarshaler is implemented by the records that have an
// AppendMarshaler (and the messages nested in them): they decode their
// wire encoding without the reflection-driven unmarshaller, which costs
// several times as much, for net dump and the other readers of record
// files.
//
// UnmarshalProto resets x and decodes b into it, with proto.Unmarshal's
// result (TestFastUnmarshal compares them on random records), except that
// it reuses the messages of x's lists (TCP and IPv4 options) for the new
// record's: net dump decodes every record into the same message, and
// allocating the options costs more than decoding them. A caller that
// keeps an option past the next decoding into the same record copies it
// or resets the record (proto.Reset) first.
//
// ok is false, and x to be reset and decoded by proto.Unmarshal, when b
// needs more: a field that x's type does not define or of another wire
// type (which proto.Unmarshal keeps as an unknown field), invalid UTF-8
// in a string, or damage. So a record that UnmarshalProto accepts has no
// unknown fields. The decoders are generated with the encoders
// (zz_generated.go); wireReader below is what they call.
type FastUnmarshaler interface {
	UnmarshalProto(b []byte) (ok bool)
}

// wireReader is a decoding under way: the bytes left, the number and wire
// type of the field being read, and false once the record turned out to
// need proto.Unmarshal.
type wireReader struct {
	b   []byte
	num protowire.Number
	typ protowire.Type
	ok  bool
}

// next reads the tag of the next field; false at the end or on an error.
// Tags of fields up to 2047 (one or two bytes) are read here: the call
// to protowire for every field would cost a fifth of the decoding.
func (r *wireReader) next() bool {
	b := r.b
	if !r.ok || len(b) == 0 {
		return false
	}
	var tag uint64
	switch {
	case b[0] < 0x80:
		tag, r.b = uint64(b[0]), b[1:]
	case len(b) > 1 && b[1] < 0x80:
		tag, r.b = uint64(b[0]&0x7f)|uint64(b[1])<<7, b[2:]
	default:
		return r.longTag()
	}
	r.num, r.typ = protowire.Number(tag>>3), protowire.Type(tag&7)
	if r.num == 0 {
		r.ok = false
	}
	return r.ok
}

func (r *wireReader) longTag() bool {
	var n int
	r.num, r.typ, n = protowire.ConsumeTag(r.b)
	return r.consumed(n)
}

// consumed moves past the n bytes a protowire function read; false, and
// the record left to proto.Unmarshal, when it found damage (n < 0).
func (r *wireReader) consumed(n int) bool {
	if n < 0 {
		r.ok = false
		return false
	}
	r.b = r.b[n:]
	return true
}

// is reports whether the field being read has wire type typ. When not, the
// record is left to proto.Unmarshal, which keeps the field as unknown.
func (r *wireReader) is(typ protowire.Type) bool {
	if r.typ != typ {
		r.ok = false
	}
	return r.ok
}

// varint reads the value of a varint field; values below 128 (most
// ports, flags, lengths, booleans) are read here.
func (r *wireReader) varint() uint64 {
	if b := r.b; len(b) > 0 && b[0] < 0x80 && r.typ == protowire.VarintType {
		r.b = b[1:]
		return uint64(b[0])
	}
	return r.longVarint()
}

func (r *wireReader) longVarint() uint64 {
	if !r.is(protowire.VarintType) {
		return 0
	}
	v, n := protowire.ConsumeVarint(r.b)
	r.consumed(n)
	return v
}

// The integer conversions are protobuf's: an int32 keeps the low 32 bits
// of its varint, a bool is any non-zero varint.
func (r *wireReader) int32() int32   { return int32(r.varint()) }
func (r *wireReader) int64() int64   { return int64(r.varint()) }
func (r *wireReader) uint32() uint32 { return uint32(r.varint()) }
func (r *wireReader) bool() bool     { return r.varint() != 0 }

func (r *wireReader) double() float64 {
	if !r.is(protowire.Fixed64Type) {
		return 0
	}
	v, n := protowire.ConsumeFixed64(r.b)
	r.consumed(n)
	return math.Float64frombits(v)
}

// lengthDelimited reads the value of a string, bytes or message field,
// in place.
func (r *wireReader) lengthDelimited() []byte {
	if !r.is(protowire.BytesType) {
		return nil
	}
	v, n := protowire.ConsumeBytes(r.b)
	r.consumed(n)
	return v
}

// string reads a string field, which proto3 requires to be valid UTF-8.
// It returns last, the field's value in the record decoded before, when
// the value is the same: consecutive records often name the same
// addresses and flow, and the string need not be allocated again.
func (r *wireReader) string(last string) string {
	v := r.lengthDelimited()
	switch {
	case !utf8.Valid(v):
		r.ok = false
		return ""
	case string(v) == last:
		return last
	}
	return string(v)
}

// bytes reads a bytes field into a slice of its own: empty but not nil
// when the field is present and empty, as proto.Unmarshal leaves it.
func (r *wireReader) bytes() []byte { return append([]byte{}, r.lengthDelimited()...) }

// message reads a message field into m.
func (r *wireReader) message(m FastUnmarshaler) {
	v := r.lengthDelimited()
	if r.ok && !m.UnmarshalProto(v) {
		r.ok = false
	}
}

// appendMessage reads an item of a repeated message field into the next
// message of list, one that list holds beyond its length from an earlier
// record or a new one. New ones are allocated in one block for all the
// field's occurrences left in the record.
func appendMessage[T any, P interface {
	*T
	FastUnmarshaler
}](r *wireReader, list []P) []P {
	if len(list) == cap(list) {
		n := r.occurrences()
		block := make([]T, n)
		grown := make([]P, len(list), len(list)+n)
		copy(grown, list)
		for i := range block {
			grown = append(grown, &block[i])
		}
		list = grown[:len(list)]
	}
	list = list[:len(list)+1]
	item := &list[len(list)-1]
	if *item == nil { // spare capacity of a list not made here
		*item = new(T)
	}
	r.message(*item)
	return list
}

// occurrences counts the fields numbered as the current one from here
// to the end of the record, the current one included (at least 1; the
// count stops at damage, which the decoding then finds).
func (r *wireReader) occurrences() int {
	count := 1
	b := r.b
	num, typ := r.num, r.typ
	for {
		n := protowire.ConsumeFieldValue(num, typ, b)
		if n < 0 {
			return count
		}
		if b = b[n:]; len(b) == 0 {
			return count
		}
		if num, typ, n = protowire.ConsumeTag(b); n < 0 {
			return count
		}
		b = b[n:]
		if num == r.num {
			count++
		}
	}
}
