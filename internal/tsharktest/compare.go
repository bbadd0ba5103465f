package tsharktest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// Field pairs a record field with the tshark field holding the same value.
type Field struct {
	Ours string // the record field, as types.SelectFields names it
	// Tshark is a tshark field; "a,b" takes the first of a and b that has
	// a value (e.g. "ip.src,ipv6.src" for an address of either version).
	Tshark string
	// Conv, when set, rewrites tshark's value (after Normalize) where the
	// two write the same fact differently.
	Conv func(string) string
	// OursConv does the same for our value.
	OursConv func(string) string
}

// Case compares the records of one type with tshark's dissection of the
// packets Filter selects. Both sides become tuples (timestamp, values...)
// that must be equal as multisets, so counts and values are both checked.
//
// tshark's side comes from one of: Fields, a table with a tuple per
// occurrence of the layer in a packet; FrameRows, tuples derived from
// several -T fields values (fields Read); PacketRows, tuples derived from
// the PDML tree.
type Case struct {
	Type   string   // the record type's name
	Filter string   // display filter: the packets that carry the layer
	Args   []string // more tshark arguments (-d decode-as, -o preferences)

	Fields []Field
	First  bool // with Fields: read each field's first occurrence only (Query.First)

	// Columns names the values of FrameRows and PacketRows: the record
	// fields rendered for our side unless OursRow renders the record.
	Columns []string
	Read    []string // the tshark fields FrameRows reads
	// FrameRows returns the rows of the records a packet yields; their
	// values are normalized (Normalize), as the table's are.
	FrameRows func(f Frame) [][]string
	// PacketRows does the same from PDML; the test renders PDML's values
	// itself, so they are compared as it writes them.
	PacketRows func(p Packet) [][]string

	// OursRow renders a record's values (without the timestamp), then
	// normalized unless PacketRows gives tshark's side.
	OursRow func(m proto.Message) []string
	// Keep, when set, selects the records compared (the counterpart of
	// Filter on our side).
	Keep func(m proto.Message) bool
	// Set compares sets instead of multisets: for values of the packet
	// context, the same in every record a packet yields.
	Set bool
}

// Records are a capture's records by type (an io.MemorySink).
type Records interface {
	Records(types.Type) []proto.Message
}

// Compare checks c on every capture; decode returns our records of one.
// A capture where tshark selects no packet fails: it does not test the
// type.
func Compare(t testing.TB, c Case, decode func(pcap string) Records, pcaps ...string) {
	t.Helper()
	for _, pcap := range pcaps {
		theirs := c.theirs(t, pcap)
		if len(theirs.tuples) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.Type, pcap, c.Filter)
			continue
		}
		ours := c.ours(t, decode(pcap))
		if c.Set {
			theirs.tuples, ours = dedupSorted(theirs.tuples), dedupSorted(ours)
		}
		c.report(t, pcap, ours, theirs)
	}
}

// expected are tshark's tuples and, for messages, the frames each
// timestamp comes from.
type expected struct {
	tuples []string
	frames map[string][]int
}

func (e *expected) add(frame int, ts string, row []string) {
	e.tuples = append(e.tuples, ts+"\t"+strings.Join(row, "\t"))
	if !slices.Contains(e.frames[ts], frame) {
		e.frames[ts] = append(e.frames[ts], frame)
	}
}

// theirs returns tshark's tuples for c on pcap.
func (c Case) theirs(t testing.TB, pcap string) expected {
	t.Helper()
	e := expected{frames: map[string][]int{}}
	switch {
	case c.PacketRows != nil:
		// The tests render PDML's values themselves: compared as they are.
		for _, p := range PDML(t, pcap, c.Filter, c.Args...) {
			for _, row := range c.PacketRows(p) {
				e.add(p.Number, p.Time, row)
			}
		}
	case c.FrameRows != nil:
		for _, f := range Fields(t, pcap, Query{Filter: c.Filter, Fields: c.Read, Args: c.Args}) {
			for _, row := range c.FrameRows(f) {
				e.add(f.Number, f.Time, normalizeAll(row))
			}
		}
	default:
		for _, f := range Fields(t, pcap, c.query()) {
			for _, row := range c.tableRows(f) {
				e.add(f.Number, f.Time, row)
			}
		}
	}
	return e
}

// query asks for the tshark fields of the table, each alternative of a
// "a,b" field included.
func (c Case) query() Query {
	q := Query{Filter: c.Filter, First: c.First, Args: c.Args}
	for _, f := range c.Fields {
		q.Fields = append(q.Fields, strings.Split(f.Tshark, ",")...)
	}
	return q
}

// tableRows returns the table's rows for a packet: one per occurrence of
// the layer, where a field with one value has it in every row.
func (c Case) tableRows(f Frame) [][]string {
	vals := make([][]string, len(c.Fields))
	n := 1
	for i, fl := range c.Fields {
		vals[i] = fl.values(f)
		n = max(n, len(vals[i]))
	}
	rows := make([][]string, n)
	for occ := range rows {
		rows[occ] = make([]string, len(c.Fields))
		for i, fl := range c.Fields {
			rows[occ][i] = fl.theirs(occurrence(vals[i], occ, n))
		}
	}
	return rows
}

// values returns the occurrences of the first of the field's tshark fields
// that has a value, or one empty value.
func (fl Field) values(f Frame) []string {
	for _, name := range strings.Split(fl.Tshark, ",") {
		if v := f.All(name); v != nil {
			return v
		}
	}
	return []string{""}
}

// occurrence returns the occ-th of n occurrences of a field's values: a
// single value stands for all, another count is a mismatch to report.
func occurrence(vals []string, occ, n int) string {
	switch len(vals) {
	case n:
		return vals[occ]
	case 1:
		return vals[0]
	}
	return fmt.Sprintf("<%d values for %d occurrences>", len(vals), n)
}

// theirs brings a tshark value to the form compared.
func (fl Field) theirs(v string) string {
	v = Normalize(v)
	if fl.Conv != nil {
		v = fl.Conv(v)
	}
	return v
}

// ours returns our tuples for c: the records of its type that it keeps.
func (c Case) ours(t testing.TB, recs Records) []string {
	t.Helper()
	render := c.OursRow
	if render == nil {
		render = c.fieldRenderer(t)
	} else if c.PacketRows == nil {
		render = func(m proto.Message) []string { return normalizeAll(c.OursRow(m)) }
	}
	var tuples []string
	for _, m := range recs.Records(RecordType(t, c.Type)) {
		if c.Keep == nil || c.Keep(m) {
			tuples = append(tuples, RecordTime(m)+"\t"+strings.Join(render(m), "\t"))
		}
	}
	return tuples
}

// fieldRenderer renders the record fields the table or Columns names as
// types.Format writes them, normalized and converted by OursConv.
func (c Case) fieldRenderer(t testing.TB) func(m proto.Message) []string {
	t.Helper()
	names, convs := c.Columns, make([]func(string) string, len(c.Columns))
	if c.Fields != nil {
		names, convs = nil, nil
		for _, f := range c.Fields {
			names, convs = append(names, f.Ours), append(convs, f.OursConv)
		}
	}
	rec, _ := types.NewRecord(RecordType(t, c.Type))
	fields, err := types.SelectFields(rec.ProtoReflect().Descriptor(), names)
	if err != nil {
		t.Fatal(err)
	}
	format := types.Format{Time: types.TimeEpoch, Begin: "(", End: ")", Sep: ";"}
	return func(m proto.Message) []string {
		row := format.Row(nil, m, fields)
		for i := range row {
			row[i] = Normalize(row[i])
			if convs[i] != nil {
				row[i] = convs[i](row[i])
			}
		}
		return row
	}
}

// report fails the test with the tuples only one side has, or logs the
// agreement.
func (c Case) report(t testing.TB, pcap string, ours []string, theirs expected) {
	t.Helper()
	onlyOurs, onlyTheirs := MultisetDiff(ours, theirs.tuples)
	if len(onlyOurs) == 0 && len(onlyTheirs) == 0 {
		t.Logf("%s on %s: %d records agree with tshark", c.Type, pcap, len(ours))
		return
	}
	t.Errorf("%s on %s: %d records, tshark %d; columns Timestamp %s\nonly tshark (%d):\n  %s\nonly ours (%d):\n  %s",
		c.Type, pcap, len(ours), len(theirs.tuples), strings.Join(c.columns(), " "),
		len(onlyTheirs), theirs.describe(onlyTheirs), len(onlyOurs), theirs.describe(onlyOurs))
}

// columns names the compared values for messages: "ours/tshark".
func (c Case) columns() []string {
	var out []string
	for _, f := range c.Fields {
		out = append(out, f.Ours+"/"+f.Tshark)
	}
	source := "derived"
	if c.PacketRows != nil {
		source = "pdml"
	}
	for _, col := range c.Columns {
		out = append(out, col+"/"+source)
	}
	return out
}

// describe writes the first tuples of a difference, each after the
// numbers of tshark's frames with its timestamp, so that a mismatch can be
// looked up in Wireshark.
func (e expected) describe(tuples []string) string {
	const most = 8
	var lines []string
	for i, tu := range tuples {
		if i == most {
			lines = append(lines, fmt.Sprintf("... %d more", len(tuples)-most))
			break
		}
		ts, _, _ := strings.Cut(tu, "\t")
		lines = append(lines, frameLabel(e.frames[ts])+tu)
	}
	return strings.Join(lines, "\n  ")
}

func frameLabel(frames []int) string {
	switch len(frames) {
	case 0:
		return "no tshark frame: "
	case 1:
		return fmt.Sprintf("frame %d: ", frames[0])
	}
	return fmt.Sprintf("frames %s: ", strings.Trim(fmt.Sprint(frames), "[]"))
}

// MultisetDiff returns, sorted, what only a holds and what only b holds,
// counting repeats.
func MultisetDiff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for s, n := range count {
		for ; n > 0; n-- {
			onlyA = append(onlyA, s)
		}
		for ; n < 0; n++ {
			onlyB = append(onlyB, s)
		}
	}
	slices.Sort(onlyA)
	slices.Sort(onlyB)
	return onlyA, onlyB
}

// RecordType returns the record type named name.
func RecordType(t testing.TB, name string) types.Type {
	t.Helper()
	typ, ok := types.TypeByName(name)
	if !ok {
		t.Fatalf("no record type %s", name)
	}
	return typ
}

// RecordTime renders a record's Timestamp as Frame.Time writes tshark's.
func RecordTime(m proto.Message) string {
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName("Timestamp")
	if fd == nil {
		return ""
	}
	return strconv.FormatInt(r.Get(fd).Int(), 10)
}

func normalizeAll(row []string) []string {
	for i := range row {
		row[i] = Normalize(row[i])
	}
	return row
}

func dedupSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}
