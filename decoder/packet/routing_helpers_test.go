package packet_test

// Helpers for the tests of the routing, industrial and tunnelled protocols
// (Modbus, ENIP, CIP, LCM, BFD, VRRP, OSPF, Diameter): tshark's PDML
// output, which keeps each protocol's fields together (the flat -T fields
// output cannot tell which of several ENIP messages in a segment, which
// OSPF LSA or which Diameter AVP a value belongs to), and frame builders.

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
)

// rtNode is a proto or field element of tshark's PDML output.
type rtNode struct {
	XMLName       xml.Name
	Name          string    `xml:"name,attr"`
	ShowName      string    `xml:"showname,attr"`
	Show          string    `xml:"show,attr"`
	Value         string    `xml:"value,attr"`
	UnmaskedValue string    `xml:"unmaskedvalue,attr"`
	Pos           int       `xml:"pos,attr"`
	Size          int       `xml:"size,attr"`
	Children      []*rtNode `xml:",any"`
}

// rtPacket is one packet of tshark's PDML output.
type rtPacket struct {
	ts     string    // Unix nanoseconds
	protos []*rtNode // the top-level protocols, in order
}

// rtPDML runs tshark on pcap and returns the packets filter selects as PDML
// trees (args are extra tshark arguments).
func rtPDML(t *testing.T, pcap, filter string, args ...string) []rtPacket {
	t.Helper()
	out := runTshark(t, pcap, filter, append([]string{"-T", "pdml"}, args...)...)
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	var pkts []rtPacket
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "packet" {
			continue
		}
		var p struct {
			Protos []*rtNode `xml:"proto"`
		}
		if err := dec.DecodeElement(&p, &se); err != nil {
			t.Fatalf("tshark PDML of %s: %v", pcap, err)
		}
		pkt := rtPacket{protos: p.Protos}
		for _, pr := range p.Protos {
			if pr.Name == "frame" {
				pkt.ts = epochNanos(pr.val("frame.time_epoch"))
			}
		}
		pkts = append(pkts, pkt)
	}
	return pkts
}

// named returns the packet's top-level protocols named name.
func (p rtPacket) named(name string) []*rtNode {
	var out []*rtNode
	for _, pr := range p.protos {
		if pr.Name == name {
			out = append(out, pr)
		}
	}
	return out
}

// next returns the top-level protocol after n, or nil.
func (p rtPacket) next(n *rtNode) *rtNode {
	for i, pr := range p.protos {
		if pr == n && i+1 < len(p.protos) {
			return p.protos[i+1]
		}
	}
	return nil
}

// each returns the descendants of n named name, depth first, without
// looking into a match's descendants nor into nested protocols.
func (n *rtNode) each(name string) []*rtNode {
	var out []*rtNode
	for _, c := range n.Children {
		switch {
		case c.Name == name:
			out = append(out, c)
		case c.XMLName.Local != "proto":
			out = append(out, c.each(name)...)
		}
	}
	return out
}

// first returns the first of n.each(name), or nil.
func (n *rtNode) first(name string) *rtNode {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
		if c.XMLName.Local == "proto" {
			continue
		}
		if f := c.first(name); f != nil {
			return f
		}
	}
	return nil
}

// child returns the first child of n named name, or nil.
func (n *rtNode) child(name string) *rtNode {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// val returns the show attribute of n.first(name), normalized, or "".
func (n *rtNode) val(name string) string {
	if f := n.first(name); f != nil {
		return normalize(f.Show)
	}
	return ""
}

// raw returns the bytes of n.first(name) (its value attribute), or nil.
func (n *rtNode) raw(name string) []byte {
	f := n.first(name)
	if f == nil {
		return nil
	}
	b, err := hex.DecodeString(f.Value)
	if err != nil {
		return []byte("bad hex " + f.Value)
	}
	return b
}

// rtCase compares the records of typ with rows computed from tshark's
// PDML of the packets filter selects: rows returns a packet's expected
// rows (one per record), ours renders a record the same way, cols names
// the columns in messages.
type rtCase struct {
	typ    string
	filter string
	args   []string
	cols   []string
	rows   func(p rtPacket) [][]string
	ours   func(m proto.Message) []string
	opts   *packet.Options
}

// compareRT checks c on every capture.
func compareRT(t *testing.T, c rtCase, pcaps ...string) {
	t.Helper()
	head := tsharkCase{typ: c.typ}
	for _, col := range c.cols {
		head.fields = append(head.fields, tf{ours: col, tshark: "pdml"})
	}
	opts := packet.Options{}
	if c.opts != nil {
		opts = *c.opts
	}
	for _, pcap := range pcaps {
		var theirs []string
		for _, p := range rtPDML(t, pcap, c.filter, c.args...) {
			for _, row := range c.rows(p) {
				theirs = append(theirs, p.ts+"\t"+strings.Join(row, "\t"))
			}
		}
		if len(theirs) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.typ, pcap, c.filter)
			continue
		}
		var ours []string
		for _, m := range decodeCaptureWith(t, pcap, opts).Records(recordType(t, c.typ)) {
			ours = append(ours, recordTimestamp(m)+"\t"+strings.Join(c.ours(m), "\t"))
		}
		diffTuples(t, head, pcap, ours, theirs)
	}
}

// noDesegment makes tshark read each TCP segment on its own, as our
// decoders do (no reassembly yet): without TCP reassembly, so that a
// segment's messages are dissected in that segment rather than in the one
// that completes them, and without sequence analysis, whose PDU tracking
// would otherwise take the segments after one announcing a long message
// for its continuation and not dissect them, where we (keeping no flow
// state) decode a segment that starts like a message.
var noDesegment = []string{"-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE"}

// Value renderings shared by the tests.

func rtInt[T ~int32 | ~uint32 | ~int64 | ~uint64 | ~uint16 | ~uint8 | ~int](v T) string {
	return strconv.FormatInt(int64(v), 10)
}

func rtBool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// rtU32 renders a 32-bit value tshark shows as a number or an IPv4
// address (router IDs, area IDs) as an IPv4 address.
func rtU32(v uint32) string {
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).String()
}

// rtHexInt renders hex bytes of a PDML value attribute as a number.
func rtHexInt(h string) string {
	n, err := strconv.ParseUint(h, 16, 64)
	if err != nil {
		return "bad number " + h
	}
	return strconv.FormatUint(n, 10)
}

// rtJoin joins rendered items the way the tests compare lists.
func rtJoin(items []string) string { return strings.Join(items, "|") }

// Frame builders.

// tcpFrame puts a TCP segment from port src to port dst with sequence
// number seq in IPv4 in Ethernet.
func tcpFrame(tb testing.TB, src, dst int, seq uint32, payload []byte) []byte {
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src), DstPort: layers.TCPPort(dst), Seq: seq, Ack: 1, ACK: true, PSH: true, Window: 8192}
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv4), ipv4Layer(layers.IPProtocolTCP, "192.0.2.1", "192.0.2.2"), tcp, gopacket.Payload(payload))
}

// ipv4To puts a payload of protocol p in IPv4 from src to dst (a multicast
// destination gets the matching Ethernet address) in Ethernet.
func ipv4To(tb testing.TB, p layers.IPProtocol, src, dst string, ttl uint8, payload []byte) []byte {
	ip := ipv4Layer(p, src, dst)
	ip.TTL = ttl
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv4), ip, gopacket.Payload(payload))
}

// ipv6To is ipv4To for IPv6.
func ipv6To(tb testing.TB, p layers.IPProtocol, src, dst string, payload []byte) []byte {
	ip := ipv6Layer(p, src, dst)
	ip.HopLimit = 255
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv6), ip, gopacket.Payload(payload))
}

// ipChecksumAt writes the Internet checksum of b, computed with zeroes at
// b[at:at+2], there.
func ipChecksumAt(b []byte, at int) []byte {
	b[at], b[at+1] = 0, 0
	c := internetChecksum(b)
	b[at], b[at+1] = byte(c>>8), byte(c)
	return b
}

// transport returns the packet's first transport protocol (tcp or udp)
// and its ports.
func (p rtPacket) transport() (src, dst string) {
	for _, pr := range p.protos {
		switch pr.Name {
		case "tcp", "udp":
			return pr.val(pr.Name + ".srcport"), pr.val(pr.Name + ".dstport")
		}
	}
	return "0", "0"
}

// addrs returns the addresses of the packet's first IP header, which
// records copy from the packet context.
func (p rtPacket) addrs() (src, dst string) {
	for _, pr := range p.protos {
		switch pr.Name {
		case "ip":
			return pr.val("ip.src"), pr.val("ip.dst")
		case "ipv6":
			return pr.val("ipv6.src"), pr.val("ipv6.dst")
		}
	}
	return "", ""
}

// bytesAt returns size bytes at frame offset pos, cut from the first
// transport payload (tcp.payload or udp.payload) holding them; at the end
// of the payload the bytes are cut short. ok is false when no payload
// holds pos.
func (p rtPacket) bytesAt(pos, size int) (b []byte, ok bool) {
	for _, pr := range p.protos {
		if pr.Name != "tcp" && pr.Name != "udp" {
			continue
		}
		pl := pr.first(pr.Name + ".payload")
		if pl == nil {
			continue
		}
		data, err := hex.DecodeString(pl.Value)
		if err != nil || pos < pl.Pos || pos > pl.Pos+len(data) {
			continue
		}
		from := pos - pl.Pos
		return data[from:min(len(data), from+max(size, 0))], true
	}
	return nil, false
}
