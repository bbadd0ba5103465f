// Package wire holds what the generated encoders of package types
// (AppendProto, written by types/internal/gen) call: appends of protobuf
// values without their tags, which the encoders write as constants, and
// the UTF-8 check proto.Marshal makes of strings. All but the slow paths
// are small enough for the compiler to inline into the encoders.
package wire

import (
	"cmp"
	"encoding/binary"
	"slices"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// AppendVarint appends v as a varint; values below 128, most lengths and
// small numbers, take one byte without a call.
func AppendVarint(b []byte, v uint64) []byte {
	if v < 0x80 {
		return append(b, byte(v))
	}
	return protowire.AppendVarint(b, v)
}

// AppendFixed32 appends v as 4 bytes, little-endian.
func AppendFixed32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// AppendFixed64 appends v as 8 bytes, little-endian.
func AppendFixed64(b []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(b, v) }

// AppendBool appends v as a one-byte varint.
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// AppendString appends s behind its length; ValidUTF8 checks it first.
func AppendString(b []byte, s string) []byte {
	return append(AppendVarint(b, uint64(len(s))), s...)
}

// AppendBytes appends v behind its length.
func AppendBytes(b []byte, v []byte) []byte {
	return append(AppendVarint(b, uint64(len(v))), v...)
}

// ValidUTF8 reports whether s is valid UTF-8, as proto.Marshal requires
// of proto3 strings. Record strings are mostly short and ASCII
// (addresses, MACs, Community IDs, names), which a byte loop inlined in
// the encoder confirms faster than a call to utf8.ValidString (Ethernet,
// IPv4 and TCP records encode 20 to 30% faster so); a byte above ASCII,
// or a string longer than 32 bytes, for which utf8.ValidString's 8 bytes
// a step win, goes to utf8.ValidString.
func ValidUTF8(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf || i == 32 {
			return utf8.ValidString(s)
		}
	}
	return true
}

// SetLength writes the length of the message encoded since start into
// the byte before start, which the encoder reserved for it, unless the
// message is 128 bytes or longer: then it reports false, and the encoder
// calls WidenLength. (One function doing both would be too costly for the
// compiler to inline.)
func SetLength(b []byte, start int) bool {
	n := len(b) - start
	if n >= 0x80 {
		return false
	}
	b[start-1] = byte(n)
	return true
}

// WidenLength writes the length of the message encoded since start, of
// 128 bytes or more, before it, where the encoder reserved one byte: the
// message moves up to make room.
func WidenLength(b []byte, start int) []byte {
	n := len(b) - start
	extra := protowire.SizeVarint(uint64(n)) - 1
	b = append(b, make([]byte, extra)...)
	copy(b[start+extra:], b[start:start+n])
	protowire.AppendVarint(b[:start-1], uint64(n))
	return b
}

// SortedKeys returns the keys of m in the order proto.Marshal writes map
// entries with MarshalOptions.Deterministic.
func SortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	if len(m) == 0 {
		return nil
	}
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// SortedBoolKeys is SortedKeys for bool keys: false first.
func SortedBoolKeys[V any](m map[bool]V) []bool {
	var keys []bool
	for _, k := range []bool{false, true} {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	return keys
}
