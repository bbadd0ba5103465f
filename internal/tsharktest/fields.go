package tsharktest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
)

// Query says which packets tshark selects and which fields it prints.
type Query struct {
	Filter string   // display filter (-Y); "" selects every packet
	Fields []string // the fields printed (-e)
	// First prints only the first occurrence of each field in a packet
	// (-E occurrence=f), where tshark dissects a layer twice and a record
	// holds it once (e.g. the IP header quoted inside an ICMP error).
	First bool
	Args  []string // more tshark arguments: preferences (-o), decode-as (-d)
}

// Frame is one packet of tshark's -T fields output.
type Frame struct {
	Number    int      // frame.number
	Time      string   // frame.time_epoch in Unix nanoseconds (EpochNanos)
	Protocols []string // frame.protocols: the layers, outermost first
	asked     []string // the query's fields, for Values and Row
	values    map[string][]string
}

// identity are the fields every query prints first: what Frame holds
// beyond the query's own fields.
var identity = []string{"frame.number", "frame.time_epoch", "frame.protocols"}

// aggregator separates the occurrences of a field. tshark's default, a
// comma, occurs in values (lists, JA3 strings); this byte does not.
const aggregator = "\x1f"

// Fields runs tshark -T fields for q on pcap and returns the packets the
// filter selects, in order.
func Fields(t testing.TB, pcap string, q Query) []Frame {
	t.Helper()
	frames, err := ReadFields(testutil.Tshark(t), pcap, q)
	if err != nil {
		t.Fatal(err)
	}
	return frames
}

// ReadFields is Fields for the tshark at path, for goroutines, which may
// not end a test. When tshark fails it returns the frames it printed
// before failing with the error.
func ReadFields(path, pcap string, q Query) ([]Frame, error) {
	names := printedFields(q.Fields)
	args := append(readArgs(pcap, q.Filter), "-T", "fields", "-E", "separator=/t", "-E", "aggregator="+aggregator)
	if q.First {
		args = append(args, "-E", "occurrence=f")
	}
	for _, name := range names {
		args = append(args, "-e", name)
	}
	out, err := output(path, append(args, q.Args...))
	return parseFields(string(out), names, q.Fields), err
}

// printedFields returns identity and then the fields, each once: tshark
// prints a field once however often -e names it.
func printedFields(fields []string) []string {
	names := slices.Clone(identity)
	for _, f := range fields {
		if !slices.Contains(names, f) {
			names = append(names, f)
		}
	}
	return names
}

// parseFields splits tshark's output, one line per packet and a column per
// name, into frames; asked are the fields the caller asked for.
func parseFields(out string, names, asked []string) []Frame {
	var frames []Frame
	for line := range strings.SplitSeq(strings.TrimRight(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		f := Frame{asked: asked, values: map[string][]string{}}
		for i, name := range names {
			if i < len(cols) && cols[i] != "" {
				f.values[name] = strings.Split(cols[i], aggregator)
			}
		}
		f.Number, _ = strconv.Atoi(f.At("frame.number", 0))
		f.Time = EpochNanos(f.At("frame.time_epoch", 0))
		f.Protocols = strings.Split(f.At("frame.protocols", 0), ":")
		frames = append(frames, f)
	}
	return frames
}

// All returns the occurrences of a field in the packet, in tshark's order
// (outer layers first); nil when it has none.
func (f Frame) All(field string) []string { return f.values[field] }

// At returns the i-th occurrence of a field, or "" when it has fewer.
func (f Frame) At(field string, i int) string {
	if v := f.values[field]; i < len(v) {
		return v[i]
	}
	return ""
}

// String writes the frame's number and fields, for messages about a frame
// a test cannot read.
func (f Frame) String() string {
	return fmt.Sprintf("frame %d %v", f.Number, f.values)
}

// Values returns the occurrences of each field the query asked for, in the
// query's order; a field without value has one empty occurrence, as tshark
// prints it.
func (f Frame) Values() [][]string {
	out := make([][]string, len(f.asked))
	for i, name := range f.asked {
		out[i] = f.values[name]
		if out[i] == nil {
			out[i] = []string{""}
		}
	}
	return out
}

// Row returns the fields the query asked for as tshark prints them by
// default: the occurrences of each joined with commas.
func (f Frame) Row() []string {
	out := make([]string, len(f.asked))
	for i, name := range f.asked {
		out[i] = strings.Join(f.values[name], ",")
	}
	return out
}

// Count returns how often layer occurs in frame.protocols before the first
// of the stop layers (in all of it without stop layers).
func (f Frame) Count(layer string, stop ...string) int {
	n := 0
	for _, p := range f.Protocols {
		if slices.Contains(stop, p) {
			return n
		}
		if p == layer {
			n++
		}
	}
	return n
}

// AddrFields are the tshark fields Addrs reads: a query that uses Addrs
// asks for them.
var AddrFields = []string{"ip.src", "ip.dst", "ipv6.src", "ipv6.dst"}

// Addrs returns the addresses of the frame's first IP header of either
// version, which records copy from the packet context. tshark's first
// occurrence of its src/dst is that header even when tunnels repeat it.
func (f Frame) Addrs() (src, dst string) {
	for _, p := range f.Protocols {
		switch p {
		case "ip":
			return f.At("ip.src", 0), f.At("ip.dst", 0)
		case "ipv6":
			return f.At("ipv6.src", 0), f.At("ipv6.dst", 0)
		}
	}
	return "", ""
}

// JSONFields runs tshark -T json for q on pcap (q.First aside) and returns
// each selected packet's fields with their values. Unlike -T fields, JSON
// keeps a string's bytes as they are (CR, LF, TAB unescaped).
func JSONFields(t testing.TB, pcap string, q Query) []map[string][]string {
	t.Helper()
	args := append(readArgs(pcap, q.Filter), "-T", "json")
	for _, name := range q.Fields {
		args = append(args, "-e", name)
	}
	out := Run(t, append(args, q.Args...)...)
	var packets []struct {
		Source struct {
			Layers map[string][]string `json:"layers"`
		} `json:"_source"`
	}
	if len(strings.TrimSpace(string(out))) > 0 {
		if err := json.Unmarshal(out, &packets); err != nil {
			t.Fatalf("tshark -T json on %s: %v", pcap, err)
		}
	}
	layers := make([]map[string][]string, len(packets))
	for i, p := range packets {
		layers[i] = p.Source.Layers
	}
	return layers
}
