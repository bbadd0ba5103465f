package io

import (
	"encoding/binary"
	"errors"
	"fmt"
	goio "io"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/types"
)

// Parquet files hold one record type each. The columns are the record's
// fields in types.Fields order, named as in netcap.proto (the CSV header),
// followed by the extra columns the caller asked for. Columns are typed so
// that pandas, DuckDB and Spark load them without conversion:
//
//	int32, sint32, sfixed32   INT32
//	int64, sint64, sfixed64   INT64 (TIMESTAMP(NANOS, UTC) for the fields
//	                          types.IsTimestampField names: Unix nanoseconds)
//	uint32, fixed32           INT32 annotated INT(32, unsigned)
//	uint64, fixed64           INT64 annotated INT(64, unsigned)
//	float / double            FLOAT / DOUBLE
//	bool                      BOOLEAN
//	string                    BYTE_ARRAY annotated STRING
//	bytes                     BYTE_ARRAY
//	enum                      BYTE_ARRAY annotated STRING: the value's name
//	message                   optional group (a struct; null when unset)
//	repeated field            required 3-level LIST of required elements
//	                          (an empty list when the field is empty)
//	map                       required MAP; message values are optional
//
// Scalar columns are required: proto3 has no null scalars. Messages nest at
// most parquetMaxDepth groups deep; a message field below that (only a
// recursive message type gets there) is a STRING column holding the
// message as JSON (types.Format.AppendJSON).
//
// Column chunks are zstd-compressed, strings dictionary-encoded (falling
// back to plain encoding when a column's dictionary grows past 1 MiB), and a
// row group is written every parquetRowGroupRows rows, so a writer holds at
// most one row group in memory however many records it is given.

// ParquetKind is the type of an extra column.
type ParquetKind int

const (
	// ParquetString is a BYTE_ARRAY column annotated STRING; values are Go strings.
	ParquetString ParquetKind = iota
	// ParquetInt64 is an INT64 column; values are Go int64s.
	ParquetInt64
)

func (k ParquetKind) String() string {
	switch k {
	case ParquetString:
		return "string"
	case ParquetInt64:
		return "int64"
	}
	return "ParquetKind(" + strconv.Itoa(int(k)) + ")"
}

// ParquetColumn is an extra column appended after a record's columns, such
// as the label, category, severity and alert_count columns of `net label`.
type ParquetColumn struct {
	Name string
	Kind ParquetKind
}

const (
	// parquetRowGroupRows bounds the rows of a row group, and so the memory
	// a writer holds before it writes the group out.
	parquetRowGroupRows = 64 << 10
	// parquetMaxDepth is how many message levels become nested groups;
	// deeper messages are written as JSON strings.
	parquetMaxDepth = 8
	// parquetDictMaxBytes is the dictionary size above which a string
	// column of a row group switches to plain encoding.
	parquetDictMaxBytes = 1 << 20
)

// ParquetWriter writes records of one type as Parquet rows, with optional
// extra columns appended after the record's columns. It is not safe for
// concurrent use.
type ParquetWriter struct {
	md     protoreflect.MessageDescriptor
	fields []*pqNode // the record's columns
	extra  []ParquetColumn
	extra0 int // leaf column index of the first extra column
	schema *parquet.Schema
	pw     *parquet.GenericWriter[any]
	cols   [][]parquet.Value // per leaf column: the values of the row being built
	row    parquet.Row
	rows   []parquet.Row
	json   types.Format
	closed bool
	err    error
}

// NewParquetWriter returns a writer of records described by md to w. extra
// columns follow the record's columns; their names must differ from the
// record's field names and from each other.
func NewParquetWriter(w goio.Writer, md protoreflect.MessageDescriptor, extra []ParquetColumn) (*ParquetWriter, error) {
	return newParquetWriter(w, md, extra, parquetRowGroupRows)
}

func newParquetWriter(w goio.Writer, md protoreflect.MessageDescriptor, extra []ParquetColumn, rowGroupRows int64) (*ParquetWriter, error) {
	if md == nil {
		return nil, errors.New("parquet: no message descriptor")
	}
	b := &pqBuilder{}
	fields := types.Fields(md)
	names := types.FieldNames(fields)
	root := &pqGroupNode{Group: parquet.Group{}}
	plan := make([]*pqNode, 0, len(fields))
	seen := make(map[string]bool, len(fields)+len(extra))
	for i, fd := range fields {
		n, node := b.field(fd, 0, 0)
		n.name = names[i]
		root.add(names[i], node)
		plan = append(plan, n)
		seen[names[i]] = true
	}
	extra0 := b.col
	for _, c := range extra {
		if c.Name == "" {
			return nil, errors.New("parquet: extra column without a name")
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("parquet: extra column %q: %s already has a column of that name", c.Name, md.Name())
		}
		seen[c.Name] = true
		switch c.Kind {
		case ParquetString:
			root.add(c.Name, parquet.Required(stringLeaf()))
		case ParquetInt64:
			root.add(c.Name, parquet.Required(parquet.Leaf(parquet.Int64Type)))
		default:
			return nil, fmt.Errorf("parquet: extra column %q has unknown kind %d", c.Name, int(c.Kind))
		}
		b.col++
	}
	if b.col == 0 {
		return nil, fmt.Errorf("parquet: %s has no fields and no extra columns were given", md.Name())
	}
	if b.col > parquet.MaxColumnIndex+1 {
		return nil, fmt.Errorf("parquet: %s needs %d columns, more than Parquet allows", md.Name(), b.col)
	}
	schema := parquet.NewSchema(string(md.Name()), root)
	cfg, err := parquet.NewWriterConfig(
		schema,
		parquet.Compression(&parquet.Zstd),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.DictionaryMaxBytes(parquetDictMaxBytes),
		parquet.KeyValueMetadata("netcap.type", string(md.FullName())),
	)
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	pw, err := newGenericWriter(w, cfg)
	if err != nil {
		return nil, fmt.Errorf("parquet: %s: %w", md.Name(), err)
	}
	return &ParquetWriter{
		md:     md,
		fields: plan,
		extra:  slices.Clone(extra),
		extra0: extra0,
		schema: schema,
		pw:     pw,
		cols:   make([][]parquet.Value, b.col),
		rows:   make([]parquet.Row, 1),
	}, nil
}

// newGenericWriter returns parquet-go's writer, turning its panics on a
// schema it cannot write into an error. Rows are written with WriteRows, so
// the type parameter is never used to deconstruct Go values.
func newGenericWriter(w goio.Writer, cfg *parquet.WriterConfig) (pw *parquet.GenericWriter[any], err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return parquet.NewGenericWriter[any](w, cfg), nil
}

// Schema returns the Parquet schema of the file being written.
func (w *ParquetWriter) Schema() *parquet.Schema { return w.schema }

// Write appends m as one row. extra holds the values of the extra columns
// in their order: a string for a ParquetString column, an int64 (or int)
// for a ParquetInt64 column. Byte slices of m are copied before Write
// returns, so the caller may reuse m.
func (w *ParquetWriter) Write(m proto.Message, extra ...any) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errors.New("parquet: write to a closed writer")
	}
	if m == nil {
		return errors.New("parquet: nil record")
	}
	r := m.ProtoReflect()
	if got := r.Descriptor().FullName(); got != w.md.FullName() {
		return fmt.Errorf("parquet: record is a %s, the file holds %s", got, w.md.FullName())
	}
	if len(extra) != len(w.extra) {
		return fmt.Errorf("parquet: %d extra values for %d extra columns", len(extra), len(w.extra))
	}
	for i := range w.cols {
		w.cols[i] = w.cols[i][:0]
	}
	for i, c := range w.extra {
		var v parquet.Value
		switch c.Kind {
		case ParquetString:
			s, ok := extra[i].(string)
			if !ok {
				return fmt.Errorf("parquet: extra column %q takes a string, not %T", c.Name, extra[i])
			}
			v = parquet.ValueOf(s)
		case ParquetInt64:
			switch x := extra[i].(type) {
			case int64:
				v = parquet.Int64Value(x)
			case int:
				v = parquet.Int64Value(int64(x))
			default:
				return fmt.Errorf("parquet: extra column %q takes an int64, not %T", c.Name, extra[i])
			}
		}
		w.emit(w.extra0+i, v, 0, 0)
	}
	for _, n := range w.fields {
		w.writeField(n, r, 0, 0)
	}
	row := w.row[:0]
	for _, vs := range w.cols {
		row = append(row, vs...)
	}
	w.row = row
	w.rows[0] = row
	if _, err := w.pw.WriteRows(w.rows); err != nil {
		w.err = fmt.Errorf("parquet: writing a %s row: %w", w.md.Name(), err)
		return w.err
	}
	return nil
}

// Close writes the last row group and the file footer. It does not close
// the underlying writer.
func (w *ParquetWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if err := w.pw.Close(); err != nil && w.err == nil {
		w.err = fmt.Errorf("parquet: closing the %s file: %w", w.md.Name(), err)
	}
	return w.err
}

// pqShape says how a field maps onto Parquet.
type pqShape uint8

const (
	pqScalar pqShape = iota // one leaf
	pqStruct                // a group of the message's fields
	pqJSON                  // a message as a JSON string leaf
	pqList                  // LIST of elem
	pqMap                   // MAP of key to elem
)

// pqNode is the writer's plan for one field (or a list element or map
// value): where its leaf columns are and how to fill them.
type pqNode struct {
	name   string
	fd     protoreflect.FieldDescriptor
	shape  pqShape
	col    int       // index of the first leaf column
	ncol   int       // number of leaf columns
	rep    int       // repetition level of a list's or map's entries
	fields []*pqNode // pqStruct: the message's fields
	key    *pqNode   // pqMap: the key
	elem   *pqNode   // pqList: the element; pqMap: the value
	md     protoreflect.MessageDescriptor
}

// pqBuilder turns descriptors into a schema and a plan, numbering leaf
// columns in the order Parquet does (depth first, in field order).
type pqBuilder struct{ col int }

// field plans fd as a field of a message nested depth groups deep under
// rep repeated ancestors.
func (b *pqBuilder) field(fd protoreflect.FieldDescriptor, depth, rep int) (*pqNode, parquet.Node) {
	start := b.col
	var n *pqNode
	var node parquet.Node
	switch {
	case fd.IsMap():
		n = &pqNode{fd: fd, shape: pqMap, rep: rep + 1}
		var key parquet.Node
		n.key, key = b.value(fd.MapKey(), depth, rep+1, false)
		var val parquet.Node
		n.elem, val = b.value(fd.MapValue(), depth, rep+1, true)
		node = parquet.Required(parquet.Map(key, val))
	case fd.IsList():
		n = &pqNode{fd: fd, shape: pqList, rep: rep + 1}
		var elem parquet.Node
		n.elem, elem = b.value(fd, depth, rep+1, false)
		node = parquet.Required(parquet.List(elem))
	default:
		n, node = b.value(fd, depth, rep, true)
	}
	n.fd = fd
	n.col, n.ncol = start, b.col-start
	return n, node
}

// value plans one value of fd (the field itself, a list element or a map
// key or value). Messages are optional groups when optional is set,
// required groups otherwise.
func (b *pqBuilder) value(fd protoreflect.FieldDescriptor, depth, rep int, optional bool) (*pqNode, parquet.Node) {
	start := b.col
	n := &pqNode{fd: fd, shape: pqScalar}
	var node parquet.Node
	if md := fd.Message(); md != nil {
		n.md = md
		if depth >= parquetMaxDepth {
			n.shape = pqJSON
			node = stringLeaf()
			b.col++
		} else {
			n.shape = pqStruct
			g := &pqGroupNode{Group: parquet.Group{}}
			fields := types.Fields(md)
			for i, name := range types.FieldNames(fields) {
				sub, subNode := b.field(fields[i], depth+1, rep)
				sub.name = name
				n.fields = append(n.fields, sub)
				g.add(name, subNode)
			}
			node = g
		}
		if optional {
			node = parquet.Optional(node)
		} else {
			node = parquet.Required(node)
		}
	} else {
		node = parquet.Required(scalarLeaf(fd))
		b.col++
	}
	n.col, n.ncol = start, b.col-start
	return n, node
}

// scalarLeaf returns the Parquet leaf of a non-message field.
func scalarLeaf(fd protoreflect.FieldDescriptor) parquet.Node {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return parquet.Leaf(parquet.BooleanType)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return parquet.Leaf(parquet.Int32Type)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if types.IsTimestampField(fd) {
			return parquet.Timestamp(parquet.Nanosecond)
		}
		return parquet.Leaf(parquet.Int64Type)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return parquet.Uint(32)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return parquet.Uint(64)
	case protoreflect.FloatKind:
		return parquet.Leaf(parquet.FloatType)
	case protoreflect.DoubleKind:
		return parquet.Leaf(parquet.DoubleType)
	case protoreflect.StringKind, protoreflect.EnumKind:
		return stringLeaf()
	default: // BytesKind
		return parquet.Leaf(parquet.ByteArrayType)
	}
}

func stringLeaf() parquet.Node { return parquet.Encoded(parquet.String(), &parquet.RLEDictionary) }

// pqGroupNode is a Parquet group whose fields keep the order they were
// added in (parquet.Group sorts them by name), so columns follow the
// record's field order.
type pqGroupNode struct {
	parquet.Group
	names  []string
	fields []parquet.Field
}

func (g *pqGroupNode) add(name string, n parquet.Node) {
	g.Group[name] = n
	g.names = append(g.names, name)
	g.fields = nil
}

// Fields returns the group's fields in the order they were added.
func (g *pqGroupNode) Fields() []parquet.Field {
	if g.fields == nil {
		byName := make(map[string]parquet.Field, len(g.names))
		for _, f := range g.Group.Fields() {
			byName[f.Name()] = f
		}
		fields := make([]parquet.Field, len(g.names))
		for i, name := range g.names {
			fields[i] = byName[name]
		}
		g.fields = fields
	}
	return g.fields
}

func (g *pqGroupNode) String() string {
	var sb strings.Builder
	if err := parquet.PrintSchema(&sb, "", g); err != nil {
		return "group"
	}
	return sb.String()
}

// emit appends v to column col with the given levels.
func (w *ParquetWriter) emit(col int, v parquet.Value, rep, def int) {
	w.cols[col] = append(w.cols[col], v.Level(rep, def, col))
}

// nulls appends a null to every leaf column of n: n (or the list or map
// it is) is absent at definition level def.
func (w *ParquetWriter) nulls(n *pqNode, rep, def int) {
	for c := n.col; c < n.col+n.ncol; c++ {
		w.emit(c, parquet.Value{}, rep, def)
	}
}

// writeField shreds field n of message m into its columns; rep is the
// repetition level of the first value, def the definition level reached
// by m.
func (w *ParquetWriter) writeField(n *pqNode, m protoreflect.Message, rep, def int) {
	switch n.shape {
	case pqList:
		l := m.Get(n.fd).List()
		if l.Len() == 0 {
			w.nulls(n, rep, def)
			return
		}
		for i := range l.Len() {
			r := rep
			if i > 0 {
				r = n.rep
			}
			w.writeValue(n.elem, l.Get(i), r, def+1)
		}
	case pqMap:
		mp := m.Get(n.fd).Map()
		if mp.Len() == 0 {
			w.nulls(n, rep, def)
			return
		}
		keys := make([]protoreflect.MapKey, 0, mp.Len())
		mp.Range(func(k protoreflect.MapKey, _ protoreflect.Value) bool {
			keys = append(keys, k)
			return true
		})
		slices.SortFunc(keys, compareMapKeys)
		for i, k := range keys {
			r := rep
			if i > 0 {
				r = n.rep
			}
			w.emit(n.key.col, w.scalar(n.key.fd, k.Value()), r, def+1)
			w.writeOptional(n.elem, mp.Get(k), r, def+1)
		}
	case pqStruct, pqJSON:
		if !m.Has(n.fd) {
			w.nulls(n, rep, def)
			return
		}
		w.writeOptional(n, m.Get(n.fd), rep, def)
	default:
		w.emit(n.col, w.scalar(n.fd, m.Get(n.fd)), rep, def)
	}
}

// writeOptional writes v for n, where n is optional if it is a message
// (a singular message field or a map value): a nil message is a null.
func (w *ParquetWriter) writeOptional(n *pqNode, v protoreflect.Value, rep, def int) {
	if n.shape == pqScalar {
		w.emit(n.col, w.scalar(n.fd, v), rep, def)
		return
	}
	if !v.Message().IsValid() {
		w.nulls(n, rep, def)
		return
	}
	w.writeValue(n, v, rep, def+1)
}

// writeValue writes present value v of n at definition level def.
func (w *ParquetWriter) writeValue(n *pqNode, v protoreflect.Value, rep, def int) {
	switch n.shape {
	case pqStruct:
		m := v.Message()
		for _, f := range n.fields {
			w.writeField(f, m, rep, def)
		}
	case pqJSON:
		m := v.Message()
		b := w.json.AppendJSON(nil, m.Interface(), types.Fields(n.md))
		w.emit(n.col, parquet.ByteArrayValue(b), rep, def)
	default:
		w.emit(n.col, w.scalar(n.fd, v), rep, def)
	}
}

// scalar converts a non-message value of fd.
func (w *ParquetWriter) scalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) parquet.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return parquet.BooleanValue(v.Bool())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return parquet.Int32Value(int32(v.Int()))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return parquet.Int64Value(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return parquet.Int32Value(int32(uint32(v.Uint())))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return parquet.Int64Value(int64(v.Uint()))
	case protoreflect.FloatKind:
		return parquet.FloatValue(float32(v.Float()))
	case protoreflect.DoubleKind:
		return parquet.DoubleValue(v.Float())
	case protoreflect.StringKind:
		return parquet.ValueOf(v.String())
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return parquet.ValueOf(string(ev.Name()))
		}
		return parquet.ValueOf(strconv.Itoa(int(v.Enum())))
	default: // BytesKind
		return parquet.ByteArrayValue(v.Bytes())
	}
}

// compareMapKeys orders map keys: numbers by value, strings bytewise,
// false before true.
func compareMapKeys(a, b protoreflect.MapKey) int {
	switch x := a.Interface().(type) {
	case string:
		return strings.Compare(x, b.String())
	case bool:
		y := b.Bool()
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int32, int64:
		return cmpOrdered(a.Int(), b.Int())
	default:
		return cmpOrdered(a.Uint(), b.Uint())
	}
}

func cmpOrdered[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ReadParquetRows reads a Parquet file back as one map per row, from
// column name to Go value: nil for a null; bool, int32, int64, float32
// (FLOAT), float64 (DOUBLE); uint32 and uint64 for columns annotated as
// unsigned integers; string for STRING, ENUM and JSON columns, []byte for
// other byte arrays; []any for LIST columns and other repeated fields;
// map[string]any for groups (structs); and map[string]any for MAP columns,
// with non-string keys formatted in decimal (or true/false). Timestamps
// stay int64 Unix nanoseconds. It reads whole files into memory and is
// meant for files netcap wrote (tests, checks): parquet-go trusts the
// sizes a file states (a damaged page header can make it allocate up to
// 2 GB). The footer size is checked first, and a parquet-go panic on a
// damaged file is returned as an error.
func ReadParquetRows(r goio.ReaderAt, size int64) (rows []map[string]any, err error) {
	defer func() {
		if p := recover(); p != nil {
			rows, err = nil, fmt.Errorf("parquet: damaged file: %v", p)
		}
	}()
	// parquet-go allocates the footer size the file states before it
	// checks it against the file: check first.
	if size < 12 {
		return nil, errors.New("parquet: file too short")
	}
	var tail [8]byte
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	if footer := int64(binary.LittleEndian.Uint32(tail[:4])); footer > size-12 {
		return nil, fmt.Errorf("parquet: damaged file: footer of %d bytes in a file of %d", footer, size)
	}
	// The page indexes and bloom filters are not needed to read rows, and
	// their sizes come from the file: reading them from a damaged file
	// could allocate without bound.
	f, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	schema := f.Schema()
	rd := &pqReader{}
	root := rd.plan(schema.Name(), schema)
	rd.cols = make([][]parquet.Value, rd.ncol)
	rd.pos = make([]int, rd.ncol)
	// the row count comes from the file: trust it for the capacity only up to a bound
	out := make([]map[string]any, 0, max(0, min(f.NumRows(), 1<<16)))
	buf := make([]parquet.Row, 64)
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				m, err := rd.assemble(root, row)
				if err != nil {
					rows.Close()
					return nil, err
				}
				out = append(out, m)
			}
			if errors.Is(err, goio.EOF) {
				break
			}
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("parquet: reading rows: %w", err)
			}
			if n == 0 {
				rows.Close()
				return nil, errors.New("parquet: reading rows: no progress")
			}
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("parquet: %w", err)
		}
	}
	return out, nil
}

// pqReadKind says how a schema node reads back.
type pqReadKind uint8

const (
	pqReadLeaf pqReadKind = iota
	pqReadGroup
	pqReadList
	pqReadMap
)

// pqReadNode is one node of a file's schema, with its leaf column range.
type pqReadNode struct {
	name     string
	node     parquet.Node
	kind     pqReadKind
	col      int // first leaf column
	ncol     int
	children []*pqReadNode
	// pqReadList: the element; pqReadMap: key and value. Both hang under
	// the repeated child (children[0]).
	elem, key *pqReadNode
}

type pqReader struct {
	ncol int
	cols [][]parquet.Value // the current row's values per column
	pos  []int             // next value per column
}

func (rd *pqReader) plan(name string, node parquet.Node) *pqReadNode {
	n := &pqReadNode{name: name, node: node, col: rd.ncol}
	if node.Leaf() {
		n.kind = pqReadLeaf
		rd.ncol++
		n.ncol = 1
		return n
	}
	n.kind = pqReadGroup
	for _, f := range node.Fields() {
		n.children = append(n.children, rd.plan(f.Name(), f))
	}
	n.ncol = rd.ncol - n.col
	lt := node.Type().LogicalType()
	ct := node.Type().ConvertedType()
	switch {
	case lt != nil && isLogical[*format.ListType](lt) || ct != nil && *ct == deprecated.List:
		// A LIST is a group with one repeated child; the child is the
		// element, or (3-level form) a group holding the element.
		if len(n.children) == 1 && n.children[0].node.Repeated() {
			n.kind = pqReadList
			rc := n.children[0]
			n.elem = rc
			if rc.kind == pqReadGroup && len(rc.children) == 1 {
				n.elem = rc.children[0]
			}
		}
	case lt != nil && isLogical[*format.MapType](lt) || ct != nil && (*ct == deprecated.Map || *ct == deprecated.MapKeyValue):
		if len(n.children) == 1 && n.children[0].node.Repeated() && len(n.children[0].children) == 2 {
			n.kind = pqReadMap
			kv := n.children[0]
			n.key, n.elem = kv.children[0], kv.children[1]
		}
	}
	return n
}

func isLogical[T format.LogicalTypeValue](lt *format.LogicalType) bool {
	_, ok := lt.Value.(T)
	return ok
}

// assemble rebuilds one row from its leaf values (Dremel record assembly).
func (rd *pqReader) assemble(root *pqReadNode, row parquet.Row) (map[string]any, error) {
	for i := range rd.cols {
		rd.cols[i] = rd.cols[i][:0]
		rd.pos[i] = 0
	}
	for _, v := range row {
		c := v.Column()
		if c < 0 || c >= len(rd.cols) {
			return nil, fmt.Errorf("parquet: value of column %d, the schema has %d", c, len(rd.cols))
		}
		rd.cols[c] = append(rd.cols[c], v)
	}
	for c, vs := range rd.cols {
		if len(vs) == 0 {
			return nil, fmt.Errorf("parquet: row has no value in column %d", c)
		}
	}
	out := make(map[string]any, len(root.children))
	for _, ch := range root.children {
		v, err := rd.field(ch, 0, 0)
		if err != nil {
			return nil, err
		}
		out[ch.name] = v
	}
	return out, nil
}

// peek returns the next value of n's first leaf column.
func (rd *pqReader) peek(n *pqReadNode) (parquet.Value, bool) {
	c := n.col
	if rd.pos[c] >= len(rd.cols[c]) {
		return parquet.Value{}, false
	}
	return rd.cols[c][rd.pos[c]], true
}

// skip consumes the one value each leaf of n holds for an absent n.
func (rd *pqReader) skip(n *pqReadNode) {
	for c := n.col; c < n.col+n.ncol; c++ {
		rd.pos[c]++
	}
}

// field reads node n given its parent's definition level def and
// repetition depth rep, applying n's own repetition.
func (rd *pqReader) field(n *pqReadNode, def, rep int) (any, error) {
	switch {
	case n.node.Optional():
		v, ok := rd.peek(n)
		if !ok {
			return nil, errors.New("parquet: column ended early")
		}
		if v.DefinitionLevel() <= def {
			rd.skip(n)
			return nil, nil
		}
		return rd.content(n, def+1, rep)
	case n.node.Repeated():
		v, ok := rd.peek(n)
		if !ok {
			return nil, errors.New("parquet: column ended early")
		}
		list := []any{}
		if v.DefinitionLevel() <= def {
			rd.skip(n)
			return list, nil
		}
		for {
			x, err := rd.content(n, def+1, rep+1)
			if err != nil {
				return nil, err
			}
			list = append(list, x)
			v, ok := rd.peek(n)
			if !ok || v.RepetitionLevel() <= rep {
				return list, nil
			}
		}
	default:
		return rd.content(n, def, rep)
	}
}

// content reads a present n.
func (rd *pqReader) content(n *pqReadNode, def, rep int) (any, error) {
	switch n.kind {
	case pqReadLeaf:
		c := n.col
		if rd.pos[c] >= len(rd.cols[c]) {
			return nil, errors.New("parquet: column ended early")
		}
		v := rd.cols[c][rd.pos[c]]
		rd.pos[c]++
		return leafValue(n.node, v), nil
	case pqReadList, pqReadMap:
		raw, err := rd.field(n.children[0], def, rep)
		if err != nil {
			return nil, err
		}
		entries, _ := raw.([]any)
		if n.kind == pqReadList {
			if n.elem == n.children[0] {
				return entries, nil
			}
			list := make([]any, len(entries))
			for i, e := range entries {
				if g, ok := e.(map[string]any); ok {
					list[i] = g[n.elem.name]
				}
			}
			return list, nil
		}
		m := make(map[string]any, len(entries))
		for _, e := range entries {
			if g, ok := e.(map[string]any); ok {
				m[mapKeyString(g[n.key.name])] = g[n.elem.name]
			}
		}
		return m, nil
	default:
		g := make(map[string]any, len(n.children))
		for _, ch := range n.children {
			v, err := rd.field(ch, def, rep)
			if err != nil {
				return nil, err
			}
			g[ch.name] = v
		}
		return g, nil
	}
}

func mapKeyString(k any) string {
	switch x := k.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

// leafValue converts a non-null value of a leaf column to Go.
func leafValue(node parquet.Node, v parquet.Value) any {
	if v.IsNull() {
		return nil
	}
	t := node.Type()
	lt := t.LogicalType()
	ct := t.ConvertedType()
	switch v.Kind() {
	case parquet.Boolean:
		return v.Boolean()
	case parquet.Int32:
		if isUnsigned(lt, ct) {
			return v.Uint32()
		}
		return v.Int32()
	case parquet.Int64:
		if isUnsigned(lt, ct) {
			return v.Uint64()
		}
		return v.Int64()
	case parquet.Float:
		return v.Float()
	case parquet.Double:
		return v.Double()
	case parquet.ByteArray:
		if lt != nil && (isLogical[*format.StringType](lt) || isLogical[*format.EnumType](lt) || isLogical[*format.JsonType](lt)) ||
			ct != nil && (*ct == deprecated.UTF8 || *ct == deprecated.Enum || *ct == deprecated.Json) {
			return string(v.ByteArray())
		}
		return append([]byte{}, v.ByteArray()...)
	case parquet.FixedLenByteArray:
		return append([]byte{}, v.ByteArray()...)
	case parquet.Int96:
		return v.Int96()
	}
	return nil
}

func isUnsigned(lt *format.LogicalType, ct *deprecated.ConvertedType) bool {
	if lt != nil {
		if it, ok := lt.Value.(*format.IntType); ok {
			return !it.IsSigned
		}
	}
	if ct != nil {
		switch *ct {
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
			return true
		}
	}
	return false
}
