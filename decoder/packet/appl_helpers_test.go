package packet_test

// Helpers for the application-protocol tests (DNS, DHCPv4, DHCPv6, NTP,
// SIP): tshark's PDML output, which keeps the tree of a packet's
// dissection, so that the fields of one DNS resource record, one DHCP
// option or one SIP header stay together (the flat -T fields output
// cannot tell which record a dns.a value belongs to).

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// pdmlNode is a proto or field element of tshark's PDML output.
type pdmlNode struct {
	XMLName  xml.Name
	Name     string      `xml:"name,attr"`
	ShowName string      `xml:"showname,attr"`
	Show     string      `xml:"show,attr"`
	Value    string      `xml:"value,attr"`
	Size     int         `xml:"size,attr"`
	Pos      int         `xml:"pos,attr"`
	Hide     string      `xml:"hide,attr"`
	Children []*pdmlNode `xml:",any"`
}

// pdmlPacket is one packet of tshark's PDML output.
type pdmlPacket struct {
	ts     string      // frame.time_epoch in Unix nanoseconds
	protos []*pdmlNode // the top-level protocols, in order
}

// tsharkPDML runs tshark on pcap and returns the packets filter selects,
// as PDML trees (args are extra tshark arguments).
func tsharkPDML(t *testing.T, pcap, filter string, args ...string) []pdmlPacket {
	t.Helper()
	out := runTshark(t, pcap, filter, append([]string{"-T", "pdml"}, args...)...)
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	var pkts []pdmlPacket
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
			Protos []*pdmlNode `xml:"proto"`
		}
		if err := dec.DecodeElement(&p, &se); err != nil {
			t.Fatalf("tshark PDML of %s: %v", pcap, err)
		}
		pkt := pdmlPacket{protos: p.Protos, ts: epochNanos("")}
		for _, pr := range p.Protos {
			if pr.Name == "frame" {
				if f := pr.find("frame.time_epoch"); f != nil {
					pkt.ts = epochNanos(f.Show)
				}
			}
		}
		pkts = append(pkts, pkt)
	}
	return pkts
}

// top returns the packet's protocols named name, leaving out those in
// the datagram an ICMP error quotes (which PDML lists after the ICMP
// message, as protocols of the packet): gopacket does not decode the
// quote.
func (p pdmlPacket) top(name string) []*pdmlNode {
	var out []*pdmlNode
	for _, pr := range p.protos {
		if pr.Name == "icmp" || pr.Name == "icmpv6" {
			break
		}
		if pr.Name == name {
			out = append(out, pr)
		}
	}
	return out
}

// after reports whether the protocol that follows n in the packet is
// named name (tshark adds "_ws.malformed" after a malformed one).
func (p pdmlPacket) after(n *pdmlNode, name string) bool {
	for i, pr := range p.protos {
		if pr == n {
			return i+1 < len(p.protos) && p.protos[i+1].Name == name
		}
	}
	return false
}

// hasShow reports whether n or a descendant shows show.
func (n *pdmlNode) hasShow(show string) bool {
	if n.Show == show {
		return true
	}
	for _, c := range n.Children {
		if c.hasShow(show) {
			return true
		}
	}
	return false
}

// find returns the first descendant of n named name (depth first), or nil.
func (n *pdmlNode) find(name string) *pdmlNode {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
		if f := c.find(name); f != nil {
			return f
		}
	}
	return nil
}

// all returns every descendant of n named name, depth first, without
// looking into the descendants of a match nor into nested protocols.
func (n *pdmlNode) all(name string) []*pdmlNode {
	var out []*pdmlNode
	for _, c := range n.Children {
		if c.Name == name {
			out = append(out, c)
			continue
		}
		if c.XMLName.Local == "proto" {
			continue
		}
		out = append(out, c.all(name)...)
	}
	return out
}

// child returns the first child of n named name, or nil.
func (n *pdmlNode) child(name string) *pdmlNode {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// show returns the show attribute of the first descendant named name, or
// "" when there is none.
func (n *pdmlNode) show(name string) string {
	if f := n.find(name); f != nil {
		return f.Show
	}
	return ""
}

// value returns the value attribute (the bytes, in hex) of the first
// descendant named name, or "" when there is none.
func (n *pdmlNode) value(name string) string {
	if f := n.find(name); f != nil {
		return f.Value
	}
	return ""
}

// bytes returns the bytes of n (its value attribute).
func (n *pdmlNode) bytes() []byte {
	b, err := hex.DecodeString(n.Value)
	if err != nil {
		return []byte("bad hex " + n.Value)
	}
	return b
}

// textChild returns the unnamed child of n that tshark labels show (the
// "Queries", "Answers" subtrees of DNS).
func (n *pdmlNode) textChild(show string) *pdmlNode {
	for _, c := range n.Children {
		if c.Name == "" && c.Show == show {
			return c
		}
	}
	return nil
}

// pdmlCase compares the records of typ with rows computed from tshark's
// PDML of the packets filter selects: rows returns the expected rows of a
// packet (one per record), oursRow renders a record the same way. cols
// names the columns in messages.
type pdmlCase struct {
	typ     string
	filter  string
	args    []string
	cols    []string
	rows    func(p pdmlPacket) [][]string
	oursRow func(m proto.Message) []string
}

// comparePDML checks c on every capture.
func comparePDML(t *testing.T, c pdmlCase, pcaps ...string) {
	t.Helper()
	head := tsharkCase{typ: c.typ}
	for _, col := range c.cols {
		head.fields = append(head.fields, tf{ours: col, tshark: "pdml"})
	}
	for _, pcap := range pcaps {
		var theirs []string
		for _, p := range tsharkPDML(t, pcap, c.filter, c.args...) {
			for _, row := range c.rows(p) {
				theirs = append(theirs, p.ts+"\t"+strings.Join(row, "\t"))
			}
		}
		if len(theirs) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.typ, pcap, c.filter)
			continue
		}
		var ours []string
		for _, m := range decodeCapture(t, pcap).Records(recordType(t, c.typ)) {
			ours = append(ours, recordTimestamp(m)+"\t"+strings.Join(c.oursRow(m), "\t"))
		}
		diffTuples(t, head, pcap, ours, theirs)
	}
}

// Value helpers shared by the application-protocol tests.

func decStr[T ~int32 | ~int | ~uint32 | ~int64 | ~uint64 | ~uint16 | ~uint8](v T) string {
	return strconv.FormatInt(int64(v), 10)
}

func bitStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// num brings a number tshark shows in decimal or hex ("0x0001") to
// decimal; "" stays "".
func tsNum(s string) string { return normalize(s) }

// hexOf renders bytes as lower-case hex, "" for none.
func hexOf(b []byte) string { return hex.EncodeToString(b) }

// tsharkText is how tshark shows the bytes a record string stands for
// (types.UnescapeWire): each byte that is not part of UTF-8 as U+FFFD.
func tsharkText(s string) string {
	b, err := types.UnescapeWire(s)
	if err != nil {
		return fmt.Sprintf("%q: %v", s, err)
	}
	var sb strings.Builder
	for _, r := range string(b) { // U+FFFD for each such byte
		sb.WriteRune(r)
	}
	return sb.String()
}
