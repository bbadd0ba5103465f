package packet_test

// The comparison with tshark: every record type's test names captures and
// a tsharktest.Case (a display filter that selects the packets carrying
// its layer, and pairs of record field and tshark field, or rows derived
// from tshark's fields or PDML). The records of that type and tshark's
// values for the selected packets must be equal as multisets of tuples
// (timestamp, values...), so counts and values are both checked.

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
)

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

// compare checks c against tshark on every capture, our records decoded
// with the default options. IP defragmentation stays on in tshark, as in
// the capture pipeline: the transport layers of a fragmented datagram are
// in the frame of its last fragment.
func compare(t *testing.T, c tsharktest.Case, pcaps ...string) {
	t.Helper()
	compareWith(t, packet.Options{}, c, pcaps...)
}

// compareWith is compare with our records decoded with opts.
func compareWith(t *testing.T, opts packet.Options, c tsharktest.Case, pcaps ...string) {
	t.Helper()
	decode := func(pcap string) tsharktest.Records { return decodeCaptureWith(t, pcap, opts) }
	tsharktest.Compare(t, c, decode, pcaps...)
}

// withPayloads decodes with the payload bytes kept, for the cases that
// compare them.
var withPayloads = packet.Options{Payloads: true}

// noDesegment makes tshark read each TCP segment on its own, as our
// decoders do (no reassembly yet): without TCP reassembly, so that a
// segment's messages are dissected in that segment rather than in the one
// that completes them, and without sequence analysis, whose PDU tracking
// would otherwise take the segments after one announcing a long message
// for its continuation and not dissect them, where we (keeping no flow
// state) decode a segment that starts like a message.
var noDesegment = []string{"-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE"}

// sharedCaptures returns the paths of captures in the shared folder.
func sharedCaptures(t *testing.T, rel ...string) []string {
	t.Helper()
	var pcaps []string
	for _, r := range rel {
		pcaps = append(pcaps, testutil.Shared(t, r))
	}
	return pcaps
}

// Derived comparisons, for checks the table's one tshark field per record
// field cannot express: a value built from several tshark fields or
// occurrences, repeated sub-records, or picking which of a packet's
// occurrences of a layer we decode.

// derivedFromCase turns a table case into one that expects one record per
// occurrence of the layer among the first keep(frame) occurrences, with
// the case's fields (a "a,b" field and Conv work as in the table). The
// record fields named in context copy the packet context (the first IP
// layer's addresses): they take tshark's first occurrence in every record.
func derivedFromCase(c tsharktest.Case, keep func(f tsharktest.Frame) int, context ...string) tsharktest.Case {
	out := tsharktest.Case{Type: c.Type, Filter: c.Filter, Args: c.Args}
	for _, fl := range c.Fields {
		out.Columns = append(out.Columns, fl.Ours)
		out.Read = append(out.Read, strings.Split(fl.Tshark, ",")...)
	}
	out.FrameRows = func(f tsharktest.Frame) [][]string {
		var rows [][]string
		for occ := range keep(f) {
			row := make([]string, len(c.Fields))
			for i, fl := range c.Fields {
				at := occ
				if slices.Contains(context, fl.Ours) {
					at = 0
				}
				row[i] = firstValueAt(f, fl.Tshark, at)
				if fl.Conv != nil {
					row[i] = fl.Conv(row[i])
				}
			}
			rows = append(rows, row)
		}
		return rows
	}
	return out
}

// firstValueAt returns the occurrence at of the first of the tshark fields
// ("a,b") that has one there, normalized.
func firstValueAt(f tsharktest.Frame, fields string, at int) string {
	for _, name := range strings.Split(fields, ",") {
		if v := f.At(name, at); v != "" {
			return tsharktest.Normalize(v)
		}
	}
	return ""
}

// withColumn adds the record field ours to a derived case c, whose
// expected values in the n records a frame yields are values(f, n);
// tshark names the fields values reads beyond c's.
func withColumn(c tsharktest.Case, ours string, tshark []string, values func(f tsharktest.Frame, n int) []string) tsharktest.Case {
	rows := c.FrameRows
	c.Columns = append(slices.Clip(c.Columns), ours)
	c.Read = append(slices.Clip(c.Read), tshark...)
	c.FrameRows = func(f tsharktest.Frame) [][]string {
		out := rows(f)
		for i, v := range values(f, len(out)) {
			out[i] = append(out[i], v)
		}
		return out
	}
	return c
}

// compareContextAddrs checks SrcIP/DstIP of the records of typ: the
// packet context's addresses (see tsharktest.Frame.Addrs), in every record
// of the packet.
func compareContextAddrs(t *testing.T, typ, filter string, pcaps ...string) {
	t.Helper()
	compare(t, tsharktest.Case{
		Type:    typ,
		Filter:  filter,
		Columns: []string{"SrcIP", "DstIP"},
		Read:    tsharktest.AddrFields,
		FrameRows: func(f tsharktest.Frame) [][]string {
			src, dst := f.Addrs()
			return [][]string{{src, dst}}
		},
		Set: true,
	}, pcaps...)
}

// sameTimestamps checks that the records of types a and b come from the
// same packets, one of each per packet (a layer and its Info layer).
func sameTimestamps(t *testing.T, a, b string, pcaps ...string) {
	t.Helper()
	for _, pcap := range pcaps {
		sink := decodeCapture(t, pcap)
		var ta, tb []string
		for _, m := range sink.Records(tsharktest.RecordType(t, a)) {
			ta = append(ta, tsharktest.RecordTime(m))
		}
		for _, m := range sink.Records(tsharktest.RecordType(t, b)) {
			tb = append(tb, tsharktest.RecordTime(m))
		}
		slices.Sort(ta)
		slices.Sort(tb)
		if len(ta) == 0 || !slices.Equal(ta, tb) {
			t.Errorf("%s: %d %s records and %d %s records, not one of each per packet", pcap, len(ta), a, len(tb), b)
		}
	}
}
