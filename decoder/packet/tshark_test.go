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

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
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
	f, err := collector.OpenFile(path)
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

// normalize brings tshark's and our renderings of a value to one form:
// booleans as 1/0, hex numbers in decimal.
func normalize(v string) string {
	switch v {
	case "True", "true":
		return "1"
	case "False", "false":
		return "0"
	}
	if strings.HasPrefix(v, "0x") {
		if n, err := strconv.ParseUint(v[2:], 16, 64); err == nil {
			return strconv.FormatUint(n, 10)
		}
	}
	return v
}

// epochNanos turns tshark's frame.time_epoch ("1795693921.078031000") into
// Unix nanoseconds without going through a float.
func epochNanos(s string) string {
	if s == "" {
		return "0" // a pcapng simple packet block has no time; we write 0
	}
	sec, frac, _ := strings.Cut(s, ".")
	frac = (frac + "000000000")[:9]
	n, err1 := strconv.ParseInt(sec, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return "bad time " + s
	}
	return strconv.FormatInt(n*1e9+f, 10)
}

// tsharkTuples returns tshark's tuples for c on pcap, one per occurrence of
// the layer in each selected packet.
func tsharkTuples(t *testing.T, pcap string, c tsharkCase) []string {
	t.Helper()
	bin := testutil.Tshark(t)
	args := []string{"-r", pcap, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
		"-Y", c.filter, "-T", "fields", "-E", "separator=/t", "-E", "aggregator=|", "-e", "frame.time_epoch"}
	if c.first {
		args = append(args, "-E", "occurrence=f")
	}
	for _, f := range c.fields {
		for _, name := range strings.Split(f.tshark, ",") {
			args = append(args, "-e", name)
		}
	}
	args = append(args, c.args...)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	var tuples []string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		raw := strings.Split(line, "\t")
		ts := epochNanos(raw[0])
		raw = raw[1:]
		vals := make([][]string, len(c.fields))
		n := 1
		col := 0
		for i, f := range c.fields {
			v := ""
			for range strings.Split(f.tshark, ",") {
				if col < len(raw) && v == "" {
					v = raw[col]
				}
				col++
			}
			vals[i] = strings.Split(v, "|")
			n = max(n, len(vals[i]))
		}
		for occ := range n {
			parts := []string{ts}
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
	typ, ok := types.TypeByName(c.typ)
	if !ok {
		t.Fatalf("no record type %s", c.typ)
	}
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
