package types

import (
	"encoding/hex"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Columns renders records of one message type as the text columns of
// Format.Row, into one byte slice instead of a string per column: what
// net dump does for every record of a file.
//
// Format.Row walks protobuf reflection for every field of every record
// (a descriptor switch, an interface value and often an allocation per
// value), which cost net dump most of its time. Columns decides once, per
// field, where its value lies in the Go struct of the generated message
// and how it is written, and then only reads fields and appends text. A
// message type the plan does not cover (a oneof, a proto2 optional
// scalar, a message that is not a generated struct) is rendered with
// Format.Row, so the output is Format.Row's either way; TestColumnsMatchRow
// compares the two on records of every type.
//
// A Columns is not safe for concurrent use (it remembers the text of the
// last second of each timestamp field).
type Columns struct {
	format Format
	fields []protoreflect.FieldDescriptor
	goType reflect.Type // *T of the records the plan reads
	plan   []column     // nil: render with Format.Row
	row    []string     // Format.Row's columns, without a plan
}

// TextRow holds the columns of one record one after another, Sep
// between them: a line of text as it is when no column needs quoting.
type TextRow struct {
	Text []byte
	Sep  string // between columns; set before the first Append
	ends []int  // column i ends at Text[ends[i]]
}

// Reset empties the row, keeping its memory.
func (r *TextRow) Reset() {
	r.Text = r.Text[:0]
	r.ends = r.ends[:0]
}

// Len is the number of columns.
func (r *TextRow) Len() int { return len(r.ends) }

// Column returns column i, valid until the row changes.
func (r *TextRow) Column(i int) []byte {
	start := 0
	if i > 0 {
		start = r.ends[i-1] + len(r.Sep)
	}
	return r.Text[start:r.ends[i]]
}

// AppendColumn appends a column of the given text.
func (r *TextRow) AppendColumn(text string) {
	r.startColumn()
	r.Text = append(r.Text, text...)
	r.endColumn()
}

// startColumn appends the separator in front of a column but the first.
func (r *TextRow) startColumn() {
	if len(r.ends) > 0 {
		r.Text = appendMark(r.Text, r.Sep)
	}
}

// endColumn marks the end of the column appended last.
func (r *TextRow) endColumn() { r.ends = append(r.ends, len(r.Text)) }

// appendMark appends a separator or bracket, most often one byte, which
// append copies with a call to memmove.
func appendMark(b []byte, s string) []byte {
	if len(s) == 1 {
		return append(b, s[0])
	}
	return append(b, s...)
}

// Columns returns the renderer of the given fields of records of m's type.
func (f *Format) Columns(m proto.Message, fields []protoreflect.FieldDescriptor) *Columns {
	c := &Columns{format: *f, fields: fields, goType: reflect.TypeOf(m)}
	p := planner{format: *f, messages: map[reflect.Type]*messagePlan{}}
	if plan, ok := p.columns(c.goType, m.ProtoReflect().Descriptor(), fields); ok {
		c.plan = plan
	}
	return c
}

// Append appends the columns of m, a record of the Columns' type, to row.
func (c *Columns) Append(row *TextRow, m proto.Message) {
	v := reflect.ValueOf(m)
	if c.plan == nil || v.Type() != c.goType || v.IsNil() {
		c.appendRow(row, m)
		return
	}
	record := v.UnsafePointer()
	for _, col := range c.plan {
		row.startColumn()
		row.Text = col.text(row.Text, unsafe.Add(record, col.offset))
		row.endColumn()
	}
}

// appendRow appends Format.Row's columns.
func (c *Columns) appendRow(row *TextRow, m proto.Message) {
	c.row = c.format.Row(c.row[:0], m, c.fields)
	for _, s := range c.row {
		row.AppendColumn(s)
	}
}

// The plan reads a value where it lies in memory, as the protobuf
// runtime's own fast paths do: reflect gives a struct field's type and
// offset once, and the plan is only made for fields whose Go type has the
// layout it reads (an int32 field is read as an int32, a list of messages
// as a slice of pointers), so reading costs a load instead of a
// reflect.Value per field.

// appendText appends the text of the Go value at p (a struct field, a list
// item or a map value) to b.
type appendText func(b []byte, p unsafe.Pointer) []byte

// column is a field of a planned message: where its Go struct field lies
// and how its value is written.
type column struct {
	offset uintptr
	text   appendText
}

// messagePlan is the columns of a nested message type; it is created
// before its columns are planned, so that a message type may contain
// itself.
type messagePlan struct {
	columns []column
	empty   unsafe.Pointer // an empty struct, for a nil item of a list
}

// planner builds the plan of one Columns.
type planner struct {
	format   Format
	messages map[reflect.Type]*messagePlan
}

// columns plans fields of md, read from Go values of type goType (*T);
// false when a field cannot be read from T's struct fields.
func (p *planner) columns(goType reflect.Type, md protoreflect.MessageDescriptor, fields []protoreflect.FieldDescriptor) ([]column, bool) {
	if goType.Kind() != reflect.Pointer || goType.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	byNumber := structFields(goType.Elem())
	out := make([]column, 0, len(fields))
	for _, fd := range fields {
		sf, ok := byNumber[fd.Number()]
		if !ok || fd.ContainingMessage().FullName() != md.FullName() || fd.ContainingOneof() != nil {
			return nil, false
		}
		text, ok := p.field(fd, sf.Type)
		if !ok {
			return nil, false
		}
		out = append(out, column{offset: sf.Offset, text: text})
	}
	return out, true
}

// structFields maps field numbers to the struct fields of a generated
// message, by their protobuf tags ("varint,1,opt,name=Timestamp,proto3").
func structFields(t reflect.Type) map[protoreflect.FieldNumber]reflect.StructField {
	out := map[protoreflect.FieldNumber]reflect.StructField{}
	for i := range t.NumField() {
		sf := t.Field(i)
		parts := strings.Split(sf.Tag.Get("protobuf"), ",")
		if len(parts) < 2 || !sf.IsExported() {
			continue
		}
		if n, err := strconv.ParseInt(parts[1], 10, 32); err == nil {
			out[protoreflect.FieldNumber(n)] = sf
		}
	}
	return out
}

// field plans one field (a column, or a field of a nested message) held
// in a struct field of type t, as Format.appendField writes it.
func (p *planner) field(fd protoreflect.FieldDescriptor, t reflect.Type) (appendText, bool) {
	switch {
	case fd.IsMap():
		return p.mapField(fd, t)
	case fd.IsList():
		if t.Kind() != reflect.Slice {
			return nil, false
		}
		item, ok := p.value(fd, t.Elem())
		if !ok {
			return nil, false
		}
		return listText(t.Elem(), item)
	case fd.Message() != nil:
		msg, ok := p.value(fd, t)
		if !ok {
			return nil, false
		}
		return func(b []byte, ptr unsafe.Pointer) []byte {
			if *(*unsafe.Pointer)(ptr) == nil {
				return b // unset: an empty column
			}
			return msg(b, ptr)
		}, true
	}
	return p.value(fd, t)
}

// listText writes a list as its items joined by "|", for the item types
// that value plans: a list is read as a slice of a type of the same
// layout as the item's (named integer types as their integer type,
// pointers to messages as pointers).
func listText(t reflect.Type, item appendText) (appendText, bool) {
	list, ok := listsOf[t.Kind()]
	if !ok {
		return nil, false
	}
	return list(item), true
}

var listsOf = map[reflect.Kind]func(appendText) appendText{
	reflect.Bool: listOf[bool], reflect.Int32: listOf[int32], reflect.Int64: listOf[int64],
	reflect.Uint32: listOf[uint32], reflect.Uint64: listOf[uint64],
	reflect.Float32: listOf[float32], reflect.Float64: listOf[float64],
	reflect.String: listOf[string], reflect.Slice: listOf[[]byte], reflect.Pointer: listOf[unsafe.Pointer],
}

// listOf writes a list read as a []T.
func listOf[T any](item appendText) appendText {
	return func(b []byte, p unsafe.Pointer) []byte {
		list := *(*[]T)(p)
		for i := range list {
			if i > 0 {
				b = append(b, '|')
			}
			b = item(b, unsafe.Pointer(&list[i]))
		}
		return b
	}
}

// mapField plans a map as key=value items sorted by key, joined by "|".
// Maps are few and small; they are read with reflect.
func (p *planner) mapField(fd protoreflect.FieldDescriptor, t reflect.Type) (appendText, bool) {
	if t.Kind() != reflect.Map {
		return nil, false
	}
	key, ok := mapKeyText(fd.MapKey().Kind(), t.Key().Kind())
	if !ok {
		return nil, false
	}
	value, ok := p.value(fd.MapValue(), t.Elem())
	if !ok {
		return nil, false
	}
	type entry struct {
		key   string
		value reflect.Value
	}
	return func(b []byte, ptr unsafe.Pointer) []byte {
		m := reflect.NewAt(t, ptr).Elem()
		if m.Len() == 0 {
			return b
		}
		entries := make([]entry, 0, m.Len())
		for it := m.MapRange(); it.Next(); {
			entries = append(entries, entry{key(it.Key()), it.Value()})
		}
		slices.SortFunc(entries, func(x, y entry) int { return strings.Compare(x.key, y.key) })
		v := reflect.New(t.Elem()) // where value reads each entry's value
		for i, it := range entries {
			if i > 0 {
				b = append(b, '|')
			}
			b = appendControlsEscaped(b, it.key)
			b = append(b, '=')
			v.Elem().Set(it.value)
			b = value(b, v.UnsafePointer())
		}
		return b
	}, true
}

// mapKeyText returns the text of a map key, as protoreflect.MapKey's
// String gives it (Format.Row sorts and writes keys by it).
func mapKeyText(k protoreflect.Kind, goKind reflect.Kind) (func(reflect.Value) string, bool) {
	switch {
	case k == protoreflect.StringKind && goKind == reflect.String:
		return reflect.Value.String, true
	case k == protoreflect.BoolKind && goKind == reflect.Bool:
		return func(v reflect.Value) string { return strconv.FormatBool(v.Bool()) }, true
	case isSigned(k) && (goKind == reflect.Int32 || goKind == reflect.Int64):
		return func(v reflect.Value) string { return strconv.FormatInt(v.Int(), 10) }, true
	case isUnsigned(k) && (goKind == reflect.Uint32 || goKind == reflect.Uint64):
		return func(v reflect.Value) string { return strconv.FormatUint(v.Uint(), 10) }, true
	}
	return nil, false
}

func isSigned(k protoreflect.Kind) bool {
	switch k {
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return true
	}
	return false
}

func isUnsigned(k protoreflect.Kind) bool {
	switch k {
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return true
	}
	return false
}

// value plans one value of fd's kind held in a Go value of type t, as
// Format.appendValue writes it; false when t is not the Go type
// generated for that kind.
func (p *planner) value(fd protoreflect.FieldDescriptor, t reflect.Type) (appendText, bool) {
	k, goKind := fd.Kind(), t.Kind()
	switch {
	case k == protoreflect.MessageKind || k == protoreflect.GroupKind:
		return p.message(fd.Message(), t)
	case k == protoreflect.EnumKind && goKind == reflect.Int32:
		return enumText(fd.Enum().Values()), true
	case k == protoreflect.Int64Kind && IsTimestampField(fd) && goKind == reflect.Int64:
		// Each timestamp field has a text of its own: a flow's first and
		// last packet are seconds apart.
		t := &timeText{mode: p.format.Time, loc: timeZone(p.format.Time)}
		return func(b []byte, v unsafe.Pointer) []byte { return t.append(b, *(*int64)(v)) }, true
	}
	if text, ok := scalarText[goKind]; ok && kindOfGo[k] == goKind {
		return text, true
	}
	if k == protoreflect.BytesKind && goKind == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		return func(b []byte, v unsafe.Pointer) []byte { return hex.AppendEncode(b, *(*[]byte)(v)) }, true
	}
	return nil, false
}

// kindOfGo is the Go kind protoc-gen-go gives a proto3 scalar field.
var kindOfGo = map[protoreflect.Kind]reflect.Kind{
	protoreflect.BoolKind:  reflect.Bool,
	protoreflect.Int32Kind: reflect.Int32, protoreflect.Sint32Kind: reflect.Int32, protoreflect.Sfixed32Kind: reflect.Int32,
	protoreflect.Int64Kind: reflect.Int64, protoreflect.Sint64Kind: reflect.Int64, protoreflect.Sfixed64Kind: reflect.Int64,
	protoreflect.Uint32Kind: reflect.Uint32, protoreflect.Fixed32Kind: reflect.Uint32,
	protoreflect.Uint64Kind: reflect.Uint64, protoreflect.Fixed64Kind: reflect.Uint64,
	protoreflect.FloatKind: reflect.Float32, protoreflect.DoubleKind: reflect.Float64,
	protoreflect.StringKind: reflect.String,
}

// scalarText writes a scalar by its Go kind as Format.appendValue does.
var scalarText = map[reflect.Kind]appendText{
	reflect.Bool:   func(b []byte, v unsafe.Pointer) []byte { return strconv.AppendBool(b, *(*bool)(v)) },
	reflect.Int32:  func(b []byte, v unsafe.Pointer) []byte { return strconv.AppendInt(b, int64(*(*int32)(v)), 10) },
	reflect.Int64:  func(b []byte, v unsafe.Pointer) []byte { return strconv.AppendInt(b, *(*int64)(v), 10) },
	reflect.Uint32: func(b []byte, v unsafe.Pointer) []byte { return strconv.AppendUint(b, uint64(*(*uint32)(v)), 10) },
	reflect.Uint64: func(b []byte, v unsafe.Pointer) []byte { return strconv.AppendUint(b, *(*uint64)(v), 10) },
	reflect.Float32: func(b []byte, v unsafe.Pointer) []byte {
		return strconv.AppendFloat(b, float64(*(*float32)(v)), 'f', -1, 64)
	},
	reflect.Float64: func(b []byte, v unsafe.Pointer) []byte { return strconv.AppendFloat(b, *(*float64)(v), 'f', -1, 64) },
	reflect.String:  func(b []byte, v unsafe.Pointer) []byte { return appendControlsEscaped(b, *(*string)(v)) },
}

// enumText writes an enum by its value's name, or its number when the
// enum has no such value.
func enumText(values protoreflect.EnumValueDescriptors) appendText {
	return func(b []byte, v unsafe.Pointer) []byte {
		n := protoreflect.EnumNumber(*(*int32)(v))
		if ev := values.ByNumber(n); ev != nil {
			return append(b, ev.Name()...)
		}
		return strconv.AppendInt(b, int64(n), 10)
	}
}

// message plans a nested message held as *T: Begin, its fields in
// column order joined by Sep, End. A nil *T (only possible as a list
// item or map value; an unset field is an empty column) is written as
// the empty message, as protobuf reflection reads it.
func (p *planner) message(md protoreflect.MessageDescriptor, t reflect.Type) (appendText, bool) {
	mp, ok := p.messages[t]
	if !ok {
		if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
			return nil, false
		}
		mp = &messagePlan{empty: reflect.New(t.Elem()).UnsafePointer()}
		p.messages[t] = mp
		if mp.columns, ok = p.columns(t, md, Fields(md)); !ok {
			delete(p.messages, t)
			return nil, false
		}
	}
	f := p.format
	return func(b []byte, v unsafe.Pointer) []byte {
		msg := *(*unsafe.Pointer)(v)
		if msg == nil {
			msg = mp.empty
		}
		b = appendMark(b, f.Begin)
		for i, col := range mp.columns {
			if i > 0 {
				b = appendMark(b, f.Sep)
			}
			b = col.text(b, unsafe.Add(msg, col.offset))
		}
		return appendMark(b, f.End)
	}, true
}
