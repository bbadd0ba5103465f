package packet_test

// The comparison with tshark: every record type's test names captures, a
// display filter that selects the packets carrying its layer, and pairs of
// (record field, tshark field). The records of that type and tshark's
// values for the selected packets must be equal as multisets of tuples
// (timestamp, values...), so counts and values are both checked.

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// tf pairs a record field with the tshark field holding the same value.
type tf struct {
	ours string
	// tshark is a tshark field; "a,b" takes the first of a and b that has a
	// value (e.g. "ip.src,ipv6.src" for an address of either version).
	tshark string
	// conv, when set, rewrites tshark's value (after the default
	// normalisation) where the two write the same fact differently.
	conv func(string) string
	// oursConv does the same for our value.
	oursConv func(string) string
}

type tsharkCase struct {
	typ    string // record type name
	filter string // tshark display filter: the packets with this layer
	fields []tf
	// first compares only the first occurrence of each tshark field in a
	// packet, where tshark dissects a layer twice and the record is written
	// once (e.g. the IP header quoted inside an ICMP error).
	first bool
	// args are extra tshark arguments (e.g. -d decode-as rules).
	args []string
	// keep, when set, selects the records to compare (the counterpart of
	// filter on our side).
	keep func(proto.Message) bool
	// opts decodes with these options instead of the defaults.
	opts *packet.Options
}

var (
	decodedMu sync.Mutex
	decoded   = map[decodeKey]*ncio.MemorySink{}
)

type decodeKey struct {
	path string
	opts packet.Options
}

// decodeCapture runs the capture pipeline on path (once per test binary
// and options) with two workers and returns the records.
func decodeCapture(t *testing.T, path string) *ncio.MemorySink {
	t.Helper()
	return decodeCaptureWith(t, path, packet.Options{})
}

func decodeCaptureWith(t *testing.T, path string, opts packet.Options) *ncio.MemorySink {
	t.Helper()
	decodedMu.Lock()
	defer decodedMu.Unlock()
	key := decodeKey{path, opts}
	if s, ok := decoded[key]; ok {
		return s
	}
	f, err := source.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	sink := ncio.NewMemorySink()
	if _, err := collector.Run(context.Background(), f, path, collector.Config{Workers: 2, Sink: sink, Options: opts}); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	decoded[key] = sink
	return sink
}

// runTshark runs tshark on pcap for the packets display filter selects,
// without IP reassembly (a fragment is a packet of its own, as for us),
// and returns what it writes.
func runTshark(t *testing.T, pcap, filter string, args ...string) []byte {
	t.Helper()
	// IP defragmentation stays on, as in the capture pipeline: the
	// transport layers of a fragmented datagram are in the frame of its
	// last fragment.
	args = append([]string{"-r", pcap, "-n", "-Y", filter}, args...)
	var stderr bytes.Buffer
	cmd := exec.Command(testutil.Tshark(t), args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// tsharkFrame is one packet as tshark dissects it.
type tsharkFrame struct {
	ts        string              // frame.time_epoch in Unix nanoseconds
	protocols []string            // frame.protocols, split at ':'
	vals      map[string][]string // the values of each field, in order of occurrence
}

// tsharkFrames runs tshark on pcap and returns the packets filter selects
// with the values of fields (args are extra tshark arguments).
func tsharkFrames(t *testing.T, pcap, filter string, fields []string, args ...string) []tsharkFrame {
	t.Helper()
	// tshark prints a field once however often -e names it.
	names := []string{"frame.time_epoch", "frame.protocols"}
	for _, f := range fields {
		if !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	a := []string{"-T", "fields", "-E", "separator=/t", "-E", "aggregator=|"}
	for _, name := range names {
		a = append(a, "-e", name)
	}
	out := runTshark(t, pcap, filter, append(a, args...)...)
	var frames []tsharkFrame
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		f := tsharkFrame{vals: map[string][]string{}}
		for i, name := range names {
			if i < len(cols) && cols[i] != "" {
				f.vals[name] = strings.Split(cols[i], "|")
			}
		}
		f.ts = epochNanos(f.at("frame.time_epoch", 0))
		f.protocols = strings.Split(f.at("frame.protocols", 0), ":")
		frames = append(frames, f)
	}
	return frames
}

// all returns the values of a field.
func (f tsharkFrame) all(field string) []string { return f.vals[field] }

// at returns the i-th value of a field, or "" when it has fewer.
func (f tsharkFrame) at(field string, i int) string {
	if v := f.vals[field]; i < len(v) {
		return v[i]
	}
	return ""
}

// count returns how often layer occurs in frame.protocols before the first
// of the stop layers (all of them without stop layers).
func (f tsharkFrame) count(layer string, stop ...string) int {
	n := 0
	for _, p := range f.protocols {
		if slices.Contains(stop, p) {
			return n
		}
		if p == layer {
			n++
		}
	}
	return n
}

// contextAddrFields are the tshark fields contextAddrs reads.
var contextAddrFields = []string{"ip.src", "ip.dst", "ipv6.src", "ipv6.dst"}

// contextAddrs returns the addresses of the frame's first IP header of
// either version, which records copy from the packet context. tshark's
// first occurrence of its src/dst is that header even when tunnels repeat
// it.
func (f tsharkFrame) contextAddrs() (string, string) {
	for _, p := range f.protocols {
		switch p {
		case "ip":
			return f.at("ip.src", 0), f.at("ip.dst", 0)
		case "ipv6":
			return f.at("ipv6.src", 0), f.at("ipv6.dst", 0)
		}
	}
	return "", ""
}

// tsharkTuples returns tshark's tuples for c on pcap, one per occurrence of
// the layer in each selected packet.
func tsharkTuples(t *testing.T, pcap string, c tsharkCase) []string {
	t.Helper()
	var names []string
	for _, f := range c.fields {
		names = append(names, strings.Split(f.tshark, ",")...)
	}
	args := c.args
	if c.first {
		args = append([]string{"-E", "occurrence=f"}, args...)
	}
	var tuples []string
	for _, fr := range tsharkFrames(t, pcap, c.filter, names, args...) {
		vals := make([][]string, len(c.fields))
		n := 1
		for i, f := range c.fields {
			vals[i] = []string{""}
			for _, name := range strings.Split(f.tshark, ",") {
				if v := fr.all(name); v != nil {
					vals[i] = v
					break
				}
			}
			n = max(n, len(vals[i]))
		}
		for occ := range n {
			parts := []string{fr.ts}
			for i, f := range c.fields {
				var v string
				switch {
				case len(vals[i]) == n:
					v = vals[i][occ]
				case len(vals[i]) == 1:
					v = vals[i][0]
				default:
					v = fmt.Sprintf("<%d values for %d occurrences>", len(vals[i]), n)
				}
				v = normalize(v)
				if f.conv != nil {
					v = f.conv(v)
				}
				parts = append(parts, v)
			}
			tuples = append(tuples, strings.Join(parts, "\t"))
		}
	}
	return tuples
}

// recordTuples returns our tuples for c: every record of its type.
func recordTuples(t *testing.T, sink *ncio.MemorySink, c tsharkCase) []string {
	t.Helper()
	typ := recordType(t, c.typ)
	rec, _ := types.NewRecord(typ)
	names := []string{"Timestamp"}
	for _, f := range c.fields {
		names = append(names, f.ours)
	}
	fields, err := types.SelectFields(rec.ProtoReflect().Descriptor(), names)
	if err != nil {
		t.Fatal(err)
	}
	format := types.Format{Time: types.TimeEpoch, Begin: "(", End: ")", Sep: ";"}
	var tuples []string
	var row []string
	for _, m := range sink.Records(typ) {
		if c.keep != nil && !c.keep(m) {
			continue
		}
		row = format.Row(row[:0], m, fields)
		for i := range row {
			row[i] = normalize(row[i])
			if i > 0 && c.fields[i-1].oursConv != nil {
				row[i] = c.fields[i-1].oursConv(row[i])
			}
		}
		tuples = append(tuples, strings.Join(row, "\t"))
	}
	return tuples
}

// compareWithTshark checks c on every capture.
func compareWithTshark(t *testing.T, c tsharkCase, pcaps ...string) {
	t.Helper()
	for _, pcap := range pcaps {
		theirs := tsharkTuples(t, pcap, c)
		opts := packet.Options{}
		if c.opts != nil {
			opts = *c.opts
		}
		ours := recordTuples(t, decodeCaptureWith(t, pcap, opts), c)
		if len(theirs) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.typ, pcap, c.filter)
			continue
		}
		diffTuples(t, c, pcap, ours, theirs)
	}
}

func diffTuples(t *testing.T, c tsharkCase, pcap string, ours, theirs []string) {
	t.Helper()
	count := map[string]int{}
	for _, s := range ours {
		count[s]++
	}
	for _, s := range theirs {
		count[s]--
	}
	var missing, extra []string
	for s, n := range count {
		for ; n > 0; n-- {
			extra = append(extra, s)
		}
		for ; n < 0; n++ {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		t.Logf("%s on %s: %d records agree with tshark", c.typ, pcap, len(ours))
		return
	}
	slices.Sort(missing)
	slices.Sort(extra)
	head := []string{"Timestamp"}
	for _, f := range c.fields {
		head = append(head, f.ours+"/"+f.tshark)
	}
	t.Errorf("%s on %s: %d records, tshark %d; columns %s\nonly tshark (%d):\n  %s\nonly ours (%d):\n  %s",
		c.typ, pcap, len(ours), len(theirs), strings.Join(head, " "),
		len(missing), strings.Join(firstN(missing, 8), "\n  "), len(extra), strings.Join(firstN(extra, 8), "\n  "))
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("... %d more", len(s)-n))
	}
	return s
}

// recordType returns the record type named name.
func recordType(t *testing.T, name string) types.Type {
	t.Helper()
	typ, ok := types.TypeByName(name)
	if !ok {
		t.Fatalf("no record type %s", name)
	}
	return typ
}

// recordTimestamp renders a record's Timestamp as recordTuples does.
func recordTimestamp(m proto.Message) string {
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName(protoreflect.Name("Timestamp"))
	if fd == nil {
		return ""
	}
	return strconv.FormatInt(r.Get(fd).Int(), 10)
}

// sharedCaptures returns the paths of captures in the shared folder.
func sharedCaptures(t *testing.T, rel ...string) []string {
	t.Helper()
	var pcaps []string
	for _, r := range rel {
		pcaps = append(pcaps, testutil.Shared(t, r))
	}
	return pcaps
}

// Derived comparisons, for checks the harness's one tshark field per record
// field cannot express: a value built from several tshark fields or
// occurrences, repeated sub-records, or picking which of a packet's
// occurrences of a layer we decode.

// derivedCase compares the records of type typ with values derived from
// the tshark fields of each packet filter selects.
type derivedCase struct {
	typ    string
	filter string
	tshark []string // tshark fields read per packet
	// ours names the record fields compared, rendered as by the harness;
	// when oursRow is set it renders a record's values instead and ours only
	// names the columns in messages.
	ours    []string
	oursRow func(m proto.Message) []string
	// rows returns the expected values of the records a packet yields, one
	// slice per record, in the order of ours.
	rows func(f tsharkFrame) [][]string
	// set compares sets instead of multisets (packet context fields, the
	// same in every record of a packet).
	set  bool
	args []string // extra tshark arguments
}

// compareDerived checks c on every capture.
func compareDerived(t *testing.T, c derivedCase, pcaps ...string) {
	t.Helper()
	head := tsharkCase{typ: c.typ}
	for _, name := range c.ours {
		head.fields = append(head.fields, tf{ours: name, tshark: "derived"})
	}
	for _, pcap := range pcaps {
		var theirs []string
		for _, f := range tsharkFrames(t, pcap, c.filter, c.tshark, c.args...) {
			for _, row := range c.rows(f) {
				for i := range row {
					row[i] = normalize(row[i])
				}
				theirs = append(theirs, f.ts+"\t"+strings.Join(row, "\t"))
			}
		}
		if len(theirs) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.typ, pcap, c.filter)
			continue
		}
		sink := decodeCapture(t, pcap)
		var ours []string
		if c.oursRow == nil {
			ours = recordTuples(t, sink, head)
		} else {
			for _, m := range sink.Records(recordType(t, c.typ)) {
				row := c.oursRow(m)
				for i := range row {
					row[i] = normalize(row[i])
				}
				ours = append(ours, recordTimestamp(m)+"\t"+strings.Join(row, "\t"))
			}
		}
		if c.set {
			theirs, ours = dedupSorted(theirs), dedupSorted(ours)
		}
		diffTuples(t, head, pcap, ours, theirs)
	}
}

func dedupSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// derivedFromCase turns a harness case into a derivedCase that expects one
// record per occurrence of the layer among the first keep(frame)
// occurrences, with the case's fields (a "a,b" field and conv work as in the
// harness). The record fields named in context copy the packet context (the
// first IP layer's addresses): they take tshark's first occurrence in every
// record.
func derivedFromCase(c tsharkCase, keep func(f tsharkFrame) int, context ...string) derivedCase {
	out := derivedCase{typ: c.typ, filter: c.filter, args: c.args}
	for _, fl := range c.fields {
		out.ours = append(out.ours, fl.ours)
		out.tshark = append(out.tshark, strings.Split(fl.tshark, ",")...)
	}
	out.rows = func(f tsharkFrame) [][]string {
		var rows [][]string
		for occ := range keep(f) {
			row := make([]string, len(c.fields))
			for i, fl := range c.fields {
				at := occ
				if slices.Contains(context, fl.ours) {
					at = 0
				}
				for _, name := range strings.Split(fl.tshark, ",") {
					if v := f.at(name, at); v != "" {
						row[i] = v
						break
					}
				}
				row[i] = normalize(row[i])
				if fl.conv != nil {
					row[i] = fl.conv(row[i])
				}
			}
			rows = append(rows, row)
		}
		return rows
	}
	return out
}

// withColumn adds the record field ours to c, whose expected values in the
// n records a frame yields are values(f, n); tshark names the fields values
// reads beyond c's.
func withColumn(c derivedCase, ours string, tshark []string, values func(f tsharkFrame, n int) []string) derivedCase {
	rows := c.rows
	c.ours = append(slices.Clip(c.ours), ours)
	c.tshark = append(slices.Clip(c.tshark), tshark...)
	c.rows = func(f tsharkFrame) [][]string {
		out := rows(f)
		for i, v := range values(f, len(out)) {
			out[i] = append(out[i], v)
		}
		return out
	}
	return c
}

// compareContextAddrs checks SrcIP/DstIP of the records of typ: the
// packet context's addresses (see contextAddrs), in every record of the
// packet.
func compareContextAddrs(t *testing.T, typ, filter string, pcaps ...string) {
	t.Helper()
	compareDerived(t, derivedCase{
		typ:    typ,
		filter: filter,
		ours:   []string{"SrcIP", "DstIP"},
		tshark: contextAddrFields,
		rows: func(f tsharkFrame) [][]string {
			src, dst := f.contextAddrs()
			return [][]string{{src, dst}}
		},
		set: true,
	}, pcaps...)
}
