package types

//go:generate go run ./internal/gen

import (
	"math"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// AppendMarshaler is implemented by the records written for nearly every
// packet (Ethernet, IPv4, TCP, UDP): they append their wire encoding
// without the reflection-driven marshaller, which costs several times as
// much. The bytes are exactly proto.Marshal's (fields in number order,
// proto3 zero values left out; TestFastMarshal compares them on random
// records). ok is false, and out to be dropped, when the record needs the
// general marshaller (invalid UTF-8 in a string, which it reports as an
// error, unknown fields or a nil option). The encoders and the list of records that have one are
// generated (zz_generated.go, from types/internal/gen); wire below is what
// they call.
type AppendMarshaler interface {
	AppendProto(b []byte) (out []byte, ok bool)
}

// wire is an encoding under way: the bytes so far, and false once the
// record turned out to need the general marshaller.
type wire struct {
	b  []byte
	ok bool
}

func (w *wire) varint(num protowire.Number, v uint64) {
	if v != 0 {
		w.b = protowire.AppendTag(w.b, num, protowire.VarintType)
		w.b = protowire.AppendVarint(w.b, v)
	}
}

func (w *wire) int32(num protowire.Number, v int32) { w.varint(num, uint64(int64(v))) }
func (w *wire) int64(num protowire.Number, v int64) { w.varint(num, uint64(v)) }
func (w *wire) uint32(num protowire.Number, v uint32) {
	w.varint(num, uint64(v))
}

func (w *wire) bool(num protowire.Number, v bool) {
	if v {
		w.varint(num, 1)
	}
}

func (w *wire) double(num protowire.Number, v float64) {
	if bits := math.Float64bits(v); bits != 0 {
		w.b = protowire.AppendTag(w.b, num, protowire.Fixed64Type)
		w.b = protowire.AppendFixed64(w.b, bits)
	}
}

func (w *wire) bytes(num protowire.Number, v []byte) {
	if len(v) > 0 {
		w.b = protowire.AppendTag(w.b, num, protowire.BytesType)
		w.b = protowire.AppendBytes(w.b, v)
	}
}

func (w *wire) string(num protowire.Number, v string) {
	if v == "" {
		return
	}
	if !utf8.ValidString(v) {
		w.ok = false
		return
	}
	w.b = protowire.AppendTag(w.b, num, protowire.BytesType)
	w.b = protowire.AppendString(w.b, v)
}

// openMessage appends the tag of message field num and one byte for its
// length, which closeMessage fills in: the messages nested in fast records
// (IPv4 and TCP options) are short, so they are encoded in one pass and
// moved only when longer than 127 bytes.
func (w *wire) openMessage(num protowire.Number) (start int) {
	w.b = protowire.AppendTag(w.b, num, protowire.BytesType)
	w.b = append(w.b, 0)
	return len(w.b)
}

// closeMessage writes the length of the message encoded since start.
func (w *wire) closeMessage(start int) {
	n := len(w.b) - start
	if n < 0x80 {
		w.b[start-1] = byte(n)
		return
	}
	extra := protowire.SizeVarint(uint64(n)) - 1
	w.b = append(w.b, make([]byte, extra)...)
	copy(w.b[start+extra:], w.b[start:start+n])
	protowire.AppendVarint(w.b[:start-1], uint64(n))
}
