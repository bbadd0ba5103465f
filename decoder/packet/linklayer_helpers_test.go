package packet_test

// Helpers of the link-layer discovery, 802.1X, 802.11, FDDI and USB tests.

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/types"
)

// l2esc writes the bytes a record string stands for (types.UnescapeWire)
// the way tshark prints a string field with -T fields: backslash, tab, CR
// and LF escaped, other control characters as \xNN.
func l2esc(s string) string {
	b, err := types.UnescapeWire(s)
	if err != nil {
		return fmt.Sprintf("%q: %v", s, err)
	}
	var sb strings.Builder
	for _, r := range string(b) {
		switch {
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, r)
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// l2unesc undoes l2esc, for string fields whose bytes are
// compared.
func l2unesc(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			sb.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			sb.WriteByte('\n')
		case 'r':
			sb.WriteByte('\r')
		case 't':
			sb.WriteByte('\t')
		case 'x':
			if i+2 < len(s) {
				if b, err := hex.DecodeString(s[i+1 : i+3]); err == nil {
					sb.Write(b)
					i += 2
					continue
				}
			}
			sb.WriteString(`\x`)
		default:
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}

// l2macHex is the hex of a MAC address as tshark prints it ("00:11:22:..").
func l2macHex(s string) string { return strings.ReplaceAll(s, ":", "") }

// l2ipHex is the hex of an IP address's bytes (4 for IPv4, 16 for IPv6).
func l2ipHex(s string) string {
	ip := net.ParseIP(s)
	if ip == nil {
		return "bad address " + s
	}
	if v4 := ip.To4(); v4 != nil {
		return hex.EncodeToString(v4)
	}
	return hex.EncodeToString(ip)
}

// l2num writes an integer in decimal.
func l2num[T ~int | ~int32 | ~uint8 | ~uint16 | ~uint32 | ~int64 | ~uint64](v T) string {
	return fmt.Sprint(v)
}

// l2bool writes a boolean as normalize does.
func l2bool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// bits makes a number of booleans, the first the lowest bit.
func l2bits(bs ...bool) string {
	n := 0
	for i, b := range bs {
		if b {
			n |= 1 << i
		}
	}
	return strconv.Itoa(n)
}

// PDML: where -T fields is not enough (fields whose text and value differ,
// values whose bytes matter, TLVs whose fields must be told apart by the
// TLV they are in), the tests read tshark's PDML, which has every field of
// the tree in order with its shown value and its bytes.

// l2Field is a field (or protocol) of tshark's PDML output.
type l2Field struct {
	Name     string
	Show     string // the value as tshark shows it
	ShowName string // the tree line
	Value    string // the field's bytes in hex
	Unmasked string // a bit field's bytes in hex (its Value is the bits)
	Pos      int
	Size     int
}

// l2Frame is one packet of tshark's PDML output.
type l2Frame struct {
	ts     string // frame.time_epoch in Unix nanoseconds
	fields []l2Field
}

// all returns the fields named name, in order.
func (f l2Frame) all(name string) []l2Field {
	var out []l2Field
	for _, fl := range f.fields {
		if fl.Name == name {
			out = append(out, fl)
		}
	}
	return out
}

// show returns the shown value of the first field named name, or "".
func (f l2Frame) show(name string) string {
	for _, fl := range f.fields {
		if fl.Name == name {
			return fl.Show
		}
	}
	return ""
}

// l2PDML runs tshark on pcap and returns the PDML of the packets filter
// selects.
func l2PDML(t *testing.T, pcap, filter string, args ...string) []l2Frame {
	t.Helper()
	out := runTshark(t, pcap, filter, append([]string{"-T", "pdml"}, args...)...)
	dec := xml.NewDecoder(bytes.NewReader(out))
	var frames []l2Frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("PDML of %s: %v", pcap, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "packet":
			frames = append(frames, l2Frame{})
		case "field", "proto":
			if len(frames) == 0 {
				continue
			}
			var fl l2Field
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "name":
					fl.Name = a.Value
				case "show":
					fl.Show = a.Value
				case "showname":
					fl.ShowName = a.Value
				case "value":
					fl.Value = a.Value
				case "unmaskedvalue":
					fl.Unmasked = a.Value
				case "pos":
					fl.Pos, _ = strconv.Atoi(a.Value)
				case "size":
					fl.Size, _ = strconv.Atoi(a.Value)
				}
			}
			fr := &frames[len(frames)-1]
			if fl.Name == "frame.time_epoch" {
				fr.ts = epochNanos(fl.Show)
			}
			fr.fields = append(fr.fields, fl)
		}
	}
	return frames
}

// l2Case compares the records of type typ with rows built from tshark's
// PDML of the packets filter selects: one row per record, both sides
// rendered by row.
type l2Case struct {
	typ    string
	filter string
	args   []string
	cols   []string // column names, for messages
	// ours renders a record.
	ours func(m proto.Message) []string
	// theirs returns the rows of the records a packet yields.
	theirs func(f l2Frame) [][]string
	// keep, when set, selects the records compared.
	keep func(m proto.Message) bool
	opts *packet.Options
}

func compareL2(t *testing.T, c l2Case, pcaps ...string) {
	t.Helper()
	head := tsharkCase{typ: c.typ}
	for _, col := range c.cols {
		head.fields = append(head.fields, tf{ours: col, tshark: "pdml"})
	}
	for _, pcap := range pcaps {
		var theirs, ours []string
		for _, f := range l2PDML(t, pcap, c.filter, c.args...) {
			for _, row := range c.theirs(f) {
				theirs = append(theirs, f.ts+"\t"+strings.Join(row, "\t"))
			}
		}
		if len(theirs) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.typ, pcap, c.filter)
			continue
		}
		opts := packet.Options{}
		if c.opts != nil {
			opts = *c.opts
		}
		for _, m := range decodeCaptureWith(t, pcap, opts).Records(recordType(t, c.typ)) {
			if c.keep != nil && !c.keep(m) {
				continue
			}
			ours = append(ours, recordTimestamp(m)+"\t"+strings.Join(c.ours(m), "\t"))
		}
		diffTuples(t, head, pcap, ours, theirs)
	}
}

// l2sameTS checks that the records of types a and b come from the
// same packets, one of each per packet (a layer and its Info layer).
func l2sameTS(t *testing.T, a, b string, pcaps ...string) {
	t.Helper()
	for _, pcap := range pcaps {
		sink := decodeCapture(t, pcap)
		var ta, tb []string
		for _, m := range sink.Records(recordType(t, a)) {
			ta = append(ta, recordTimestamp(m))
		}
		for _, m := range sink.Records(recordType(t, b)) {
			tb = append(tb, recordTimestamp(m))
		}
		slices.Sort(ta)
		slices.Sort(tb)
		if len(ta) == 0 || !slices.Equal(ta, tb) {
			t.Errorf("%s: %d %s records and %d %s records, not one of each per packet", pcap, len(ta), a, len(tb), b)
		}
	}
}

// 802.11 frames.

// l2Radiotap puts an 802.11 frame behind a radiotap header whose Flags
// field says the frame ends with an FCS, and appends the FCS (CRC-32 of the
// frame, little-endian).
func l2Radiotap(frame []byte) []byte {
	hdr := []byte{0, 0, 9, 0, 0x02, 0, 0, 0, 0x10}
	return binary.LittleEndian.AppendUint32(slices.Concat(hdr, frame), crc32.ChecksumIEEE(frame))
}

// l2Dot11 is an 802.11 MAC header: frame control (first byte type and
// subtype, second flags, as on the wire), duration, the addresses given,
// and the sequence control when seq is not negative.
func l2Dot11(fc0, flags byte, duration uint16, seq int, addrs ...net.HardwareAddr) []byte {
	h := []byte{fc0, flags}
	h = binary.LittleEndian.AppendUint16(h, duration)
	for i, a := range addrs {
		h = append(h, a...)
		if i == 2 && seq >= 0 {
			h = binary.LittleEndian.AppendUint16(h, uint16(seq))
		}
	}
	return h
}

// l2RadiotapData is a data frame from an access point (FromDS) carrying
// payload (LLC/SNAP and what follows), behind radiotap.
func l2RadiotapData(payload []byte) []byte {
	return l2Radiotap(slices.Concat(l2Dot11(0x08, 0x02, 44, 0x1230, macA, macB, macBroadcast), payload))
}

// l2Span returns the bytes from start to end of the packet as the fields
// of tshark's PDML that lie within them have them (a field's value is its
// bytes), in hex; a byte no field covers is "??".
func l2Span(f l2Frame, start, end int) string {
	if end < start {
		return "bad span"
	}
	b := make([]string, end-start)
	for _, fl := range f.fields {
		v := fl.Value
		if fl.Unmasked != "" {
			v = fl.Unmasked
		}
		if fl.Size == 0 || len(v) != 2*fl.Size || fl.Pos < start || fl.Pos+fl.Size > end {
			continue
		}
		for i := range fl.Size {
			b[fl.Pos-start+i] = v[2*i : 2*i+2]
		}
	}
	for i := range b {
		if b[i] == "" {
			b[i] = "??"
		}
	}
	return strings.Join(b, "")
}

// l2ip4 is the 4 bytes of an IPv4 address.
func l2ip4(s string) []byte { return net.ParseIP(s).To4() }
