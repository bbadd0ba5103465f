package types

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// TimeMode says how text output renders timestamp fields.
type TimeMode int

const (
	// TimeLocal renders RFC 3339 with nanoseconds in the local time zone.
	TimeLocal TimeMode = iota
	// TimeUTC renders RFC 3339 with nanoseconds in UTC.
	TimeUTC
	// TimeEpoch renders Unix nanoseconds, as stored.
	TimeEpoch
)

// Format renders records as text columns (CSV, TSV, tables) and JSON.
//
// Text columns are the record's fields in field-number order, named as in
// netcap.proto. A column holds one value:
//   - integers in decimal, booleans as true/false, floats in shortest form;
//   - strings as the record holds them (wire values escaped, see
//     WireString), control characters that remain (TAB, CR and LF of a
//     text field, or any in a record not written by a decoder) as \xNN too,
//     so that a row is one line;
//   - bytes in lower-case hex;
//   - timestamps (see IsTimestampField) per Time;
//   - a nested message as Begin + its fields joined by Sep + End, e.g.
//     "(2;4;05b4)" for a TCP option;
//   - a repeated field as its items joined by "|";
//   - a map as key=value items sorted by key, joined by "|".
//
// JSON has one object per record: every field present under its proto
// name (zero values too), 64-bit integers as numbers, bytes in base64,
// nested messages as objects, repeated fields as arrays, timestamps as
// Unix nanoseconds.
type Format struct {
	Time  TimeMode
	Begin string // default "("
	End   string // default ")"
	Sep   string // default ";"
}

// DefaultFormat is the format `net dump` uses without flags.
var DefaultFormat = Format{Time: TimeLocal, Begin: "(", End: ")", Sep: ";"}

// Fields returns the fields of a record type in column order.
func Fields(md protoreflect.MessageDescriptor) []protoreflect.FieldDescriptor {
	fds := md.Fields()
	out := make([]protoreflect.FieldDescriptor, fds.Len())
	for i := range fds.Len() {
		out[i] = fds.Get(i)
	}
	slices.SortFunc(out, func(a, b protoreflect.FieldDescriptor) int { return int(a.Number() - b.Number()) })
	return out
}

// FieldNames returns the column names of fields.
func FieldNames(fields []protoreflect.FieldDescriptor) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = string(f.Name())
	}
	return out
}

// SelectFields picks fields by name (case-insensitive), in the given order.
func SelectFields(md protoreflect.MessageDescriptor, names []string) ([]protoreflect.FieldDescriptor, error) {
	all := Fields(md)
	var out []protoreflect.FieldDescriptor
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		i := slices.IndexFunc(all, func(f protoreflect.FieldDescriptor) bool { return strings.EqualFold(string(f.Name()), n) })
		if i < 0 {
			return nil, fmt.Errorf("%s has no field %q; its fields are: %s", md.Name(), n, strings.Join(FieldNames(all), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// Row renders the given fields of m as text columns, appended to dst.
func (f *Format) Row(dst []string, m proto.Message, fields []protoreflect.FieldDescriptor) []string {
	r := m.ProtoReflect()
	var sb strings.Builder
	for _, fd := range fields {
		sb.Reset()
		f.appendField(&sb, r, fd)
		dst = append(dst, sb.String())
	}
	return dst
}

func (f *Format) appendField(sb *strings.Builder, r protoreflect.Message, fd protoreflect.FieldDescriptor) {
	switch {
	case fd.IsMap():
		mp := r.Get(fd).Map()
		keys := make([]protoreflect.MapKey, 0, mp.Len())
		mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			keys = append(keys, k)
			return true
		})
		slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return strings.Compare(a.String(), b.String()) })
		for i, k := range keys {
			if i > 0 {
				sb.WriteByte('|')
			}
			sb.WriteString(EscapeControls(k.String(), false))
			sb.WriteByte('=')
			f.appendValue(sb, fd.MapValue(), mp.Get(k))
		}
	case fd.IsList():
		l := r.Get(fd).List()
		for i := range l.Len() {
			if i > 0 {
				sb.WriteByte('|')
			}
			f.appendValue(sb, fd, l.Get(i))
		}
	case fd.Message() != nil:
		if !r.Has(fd) {
			return
		}
		f.appendValue(sb, fd, r.Get(fd))
	default:
		f.appendValue(sb, fd, r.Get(fd))
	}
}

func (f *Format) appendValue(sb *strings.Builder, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		m := v.Message()
		sb.WriteString(f.Begin)
		for i, sub := range Fields(m.Descriptor()) {
			if i > 0 {
				sb.WriteString(f.Sep)
			}
			f.appendField(sb, m, sub)
		}
		sb.WriteString(f.End)
	case protoreflect.BoolKind:
		sb.WriteString(strconv.FormatBool(v.Bool()))
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		sb.WriteString(strconv.FormatInt(v.Int(), 10))
	case protoreflect.Int64Kind:
		if IsTimestampField(fd) {
			sb.WriteString(f.Timestamp(v.Int()))
		} else {
			sb.WriteString(strconv.FormatInt(v.Int(), 10))
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		sb.WriteString(strconv.FormatUint(v.Uint(), 10))
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		sb.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, 64))
	case protoreflect.StringKind:
		sb.WriteString(EscapeControls(v.String(), false))
	case protoreflect.BytesKind:
		sb.WriteString(hex.EncodeToString(v.Bytes()))
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			sb.WriteString(string(ev.Name()))
		} else {
			sb.WriteString(strconv.Itoa(int(v.Enum())))
		}
	}
}

// timeLayout is RFC 3339 with all nine fractional digits, so columns of
// timestamps line up and sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Timestamp renders Unix nanoseconds per f.Time.
func (f *Format) Timestamp(ns int64) string {
	switch f.Time {
	case TimeEpoch:
		return strconv.FormatInt(ns, 10)
	case TimeUTC:
		return time.Unix(0, ns).UTC().Format(timeLayout)
	default:
		return time.Unix(0, ns).Format(timeLayout)
	}
}

// AppendJSON appends m's given fields as one JSON object to b.
func (f *Format) AppendJSON(b []byte, m proto.Message, fields []protoreflect.FieldDescriptor) []byte {
	return appendJSONMessage(b, m.ProtoReflect(), fields)
}

func appendJSONMessage(b []byte, r protoreflect.Message, fields []protoreflect.FieldDescriptor) []byte {
	b = append(b, '{')
	for i, fd := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(fd.Name()))
		b = append(b, ':')
		switch {
		case fd.IsMap():
			mp := r.Get(fd).Map()
			keys := make([]protoreflect.MapKey, 0, mp.Len())
			mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
				keys = append(keys, k)
				return true
			})
			slices.SortFunc(keys, func(a, b protoreflect.MapKey) int { return strings.Compare(a.String(), b.String()) })
			b = append(b, '{')
			for j, k := range keys {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, k.String())
				b = append(b, ':')
				b = appendJSONValue(b, fd.MapValue(), mp.Get(k))
			}
			b = append(b, '}')
		case fd.IsList():
			l := r.Get(fd).List()
			b = append(b, '[')
			for j := range l.Len() {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONValue(b, fd, l.Get(j))
			}
			b = append(b, ']')
		case fd.Message() != nil && !r.Has(fd):
			b = append(b, "null"...)
		default:
			b = appendJSONValue(b, fd, r.Get(fd))
		}
	}
	return append(b, '}')
}

func appendJSONValue(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) []byte {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		m := v.Message()
		return appendJSONMessage(b, m, Fields(m.Descriptor()))
	case protoreflect.BoolKind:
		return strconv.AppendBool(b, v.Bool())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return strconv.AppendInt(b, v.Int(), 10)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.AppendUint(b, v.Uint(), 10)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		x := v.Float()
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case protoreflect.StringKind:
		return appendJSONString(b, v.String())
	case protoreflect.BytesKind:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"')
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return appendJSONString(b, string(ev.Name()))
		}
		return strconv.AppendInt(b, int64(v.Enum()), 10)
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; a byte of invalid UTF-8
// (which no record read from a file holds) becomes \xNN, as in WireString.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, '\\', '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
