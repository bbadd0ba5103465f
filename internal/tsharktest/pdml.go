package tsharktest

import (
	"bytes"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// PDML is tshark's full dissection of a packet (-T pdml): the tree of
// protocols and fields, each with its shown value, its bytes and where they
// are. Tests read it where -T fields cannot tell which of several DNS
// records, DHCP options, TLVs or AVPs a value belongs to.

// Node is a protocol (<proto>) or a field (<field>) of tshark's PDML.
type Node struct {
	Proto    bool   // a protocol, not a field
	Name     string // the field's name, "" for a text line
	Show     string // the value as tshark shows it
	ShowName string // the tree line
	Value    string // the bytes in hex (a bit field's: the bits)
	Unmasked string // a bit field's bytes in hex
	Hide     string // "yes" for a field tshark hides in its tree
	Pos      int    // offset of the bytes in the frame
	Size     int    // number of bytes
	Children []*Node
}

// Packet is one packet of tshark's PDML.
type Packet struct {
	Number int     // frame.number
	Time   string  // frame.time_epoch in Unix nanoseconds (EpochNanos)
	Protos []*Node // the top-level protocols, outermost first
}

// PDML runs tshark -T pdml on pcap and returns the packets filter selects
// (every packet for ""); args are more tshark arguments.
func PDML(t testing.TB, pcap, filter string, args ...string) []Packet {
	t.Helper()
	out := Run(t, append(append(readArgs(pcap, filter), "-T", "pdml"), args...)...)
	packets, err := parsePDML(out)
	if err != nil {
		t.Fatalf("tshark's PDML of %s: %v", pcap, err)
	}
	return packets
}

// parsePDML reads the <packet> elements of a PDML document.
func parsePDML(doc []byte) ([]Packet, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	// tshark writes no DTD: entities other than XML's own are left as text.
	dec.Strict = false
	var packets []Packet
	var open []*Node // the elements being read, innermost last
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return packets, nil
		}
		if err != nil {
			return packets, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "packet" {
				packets = append(packets, Packet{Time: EpochNanos("")})
				continue
			}
			if len(packets) == 0 || tok.Name.Local != "proto" && tok.Name.Local != "field" {
				continue
			}
			n := newNode(tok)
			p := &packets[len(packets)-1]
			if len(open) == 0 {
				p.Protos = append(p.Protos, n)
			} else {
				parent := open[len(open)-1]
				parent.Children = append(parent.Children, n)
			}
			open = append(open, n)
			p.noteIdentity(n)
		case xml.EndElement:
			if (tok.Name.Local == "proto" || tok.Name.Local == "field") && len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
}

// newNode reads a node's attributes.
func newNode(e xml.StartElement) *Node {
	n := &Node{Proto: e.Name.Local == "proto"}
	for _, a := range e.Attr {
		switch a.Name.Local {
		case "name":
			n.Name = a.Value
		case "show":
			n.Show = a.Value
		case "showname":
			n.ShowName = a.Value
		case "value":
			n.Value = a.Value
		case "unmaskedvalue":
			n.Unmasked = a.Value
		case "hide":
			n.Hide = a.Value
		case "pos":
			n.Pos, _ = strconv.Atoi(a.Value)
		case "size":
			n.Size, _ = strconv.Atoi(a.Value)
		}
	}
	return n
}

// noteIdentity takes the packet's number and time from their fields.
func (p *Packet) noteIdentity(n *Node) {
	switch n.Name {
	case "frame.number":
		p.Number, _ = strconv.Atoi(n.Show)
	case "frame.time_epoch":
		p.Time = EpochNanos(n.Show)
	}
}

// Walk calls fn on n and on every node below it, depth first, in the
// order tshark writes them.
func (n *Node) Walk(fn func(*Node)) {
	fn(n)
	for _, c := range n.Children {
		c.Walk(fn)
	}
}

// Find returns the first node below n named name, depth first, nested
// protocols included; nil when there is none.
func (n *Node) Find(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
		if f := c.Find(name); f != nil {
			return f
		}
	}
	return nil
}

// ShowOf returns the shown value of n.Find(name), or "".
func (n *Node) ShowOf(name string) string {
	if f := n.Find(name); f != nil {
		return f.Show
	}
	return ""
}

// ValueOf returns the bytes, in hex, of n.Find(name), or "".
func (n *Node) ValueOf(name string) string {
	if f := n.Find(name); f != nil {
		return f.Value
	}
	return ""
}

// Field returns the first of n's own fields named name, depth first: the
// fields of protocols nested in n are not n's. Nil when there is none.
func (n *Node) Field(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
		if c.Proto {
			continue
		}
		if f := c.Field(name); f != nil {
			return f
		}
	}
	return nil
}

// Fields returns all of n's own fields named name, depth first, without
// looking below a match (a TLV named like its parts).
func (n *Node) Fields(name string) []*Node {
	var out []*Node
	for _, c := range n.Children {
		switch {
		case c.Name == name:
			out = append(out, c)
		case !c.Proto:
			out = append(out, c.Fields(name)...)
		}
	}
	return out
}

// Val returns the shown value of n.Field(name) normalized (Normalize), or
// "": the form the tests compare.
func (n *Node) Val(name string) string {
	if f := n.Field(name); f != nil {
		return Normalize(f.Show)
	}
	return ""
}

// FieldBytes returns the bytes of n.Field(name), or nil.
func (n *Node) FieldBytes(name string) []byte {
	if f := n.Field(name); f != nil {
		return f.Bytes()
	}
	return nil
}

// Child returns n's first child named name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Labelled returns n's unnamed child that shows show: a subtree tshark
// labels with text only (the "Queries" and "Answers" of DNS).
func (n *Node) Labelled(show string) *Node {
	for _, c := range n.Children {
		if c.Name == "" && c.Show == show {
			return c
		}
	}
	return nil
}

// HasShow reports whether n or a node below it shows show.
func (n *Node) HasShow(show string) bool {
	if n.Show == show {
		return true
	}
	for _, c := range n.Children {
		if c.HasShow(show) {
			return true
		}
	}
	return false
}

// Bytes returns n's bytes (its value attribute); a value that is not hex
// gives bytes that say so, which then show as a mismatch.
func (n *Node) Bytes() []byte {
	b, err := hex.DecodeString(n.Value)
	if err != nil {
		return []byte("bad hex " + n.Value)
	}
	return b
}

// Protocols returns the packet's top-level protocols named name.
func (p Packet) Protocols(name string) []*Node {
	var out []*Node
	for _, pr := range p.Protos {
		if pr.Name == name {
			out = append(out, pr)
		}
	}
	return out
}

// Outer returns the packet's top-level protocols named name that come
// before an ICMP message: PDML lists the datagram an ICMP error quotes
// after the message, as protocols of the packet, and gopacket does not
// decode the quote.
func (p Packet) Outer(name string) []*Node {
	var out []*Node
	for _, pr := range p.Protos {
		if pr.Name == "icmp" || pr.Name == "icmpv6" {
			break
		}
		if pr.Name == name {
			out = append(out, pr)
		}
	}
	return out
}

// Next returns the top-level protocol after n, or nil.
func (p Packet) Next(n *Node) *Node {
	for i, pr := range p.Protos {
		if pr == n && i+1 < len(p.Protos) {
			return p.Protos[i+1]
		}
	}
	return nil
}

// Malformed reports whether tshark found the top-level protocol n
// malformed: it adds "_ws.malformed" after it.
func (p Packet) Malformed(n *Node) bool {
	next := p.Next(n)
	return next != nil && next.Name == "_ws.malformed"
}

// Nodes returns every protocol and field of the packet in the order tshark
// writes them (depth first), for tests that read a packet as a sequence:
// the TLVs of a link-layer protocol, the bytes of a span.
func (p Packet) Nodes() []*Node {
	var out []*Node
	for _, pr := range p.Protos {
		pr.Walk(func(n *Node) { out = append(out, n) })
	}
	return out
}

// All returns every node of the packet named name, protocols and fields,
// in the order tshark writes them.
func (p Packet) All(name string) []*Node {
	var out []*Node
	for _, n := range p.Nodes() {
		if n.Name == name {
			out = append(out, n)
		}
	}
	return out
}

// ShowOf returns the shown value of the packet's first node named name,
// or "".
func (p Packet) ShowOf(name string) string {
	if all := p.All(name); len(all) > 0 {
		return all[0].Show
	}
	return ""
}

// Addrs returns the addresses of the packet's first IP header of either
// version, which records copy from the packet context.
func (p Packet) Addrs() (src, dst string) {
	for _, pr := range p.Protos {
		switch pr.Name {
		case "ip":
			return pr.Val("ip.src"), pr.Val("ip.dst")
		case "ipv6":
			return pr.Val("ipv6.src"), pr.Val("ipv6.dst")
		}
	}
	return "", ""
}

// Ports returns the ports of the packet's first transport protocol (TCP
// or UDP), "0" and "0" without one.
func (p Packet) Ports() (src, dst string) {
	for _, pr := range p.Protos {
		switch pr.Name {
		case "tcp", "udp":
			return pr.Val(pr.Name + ".srcport"), pr.Val(pr.Name + ".dstport")
		}
	}
	return "0", "0"
}

// BytesAt returns size bytes at frame offset pos, cut from the first
// transport payload (tcp.payload or udp.payload) holding them; at the end
// of the payload the bytes are cut short. ok is false when no payload
// holds pos.
func (p Packet) BytesAt(pos, size int) (b []byte, ok bool) {
	for _, pr := range p.Protos {
		if pr.Name != "tcp" && pr.Name != "udp" {
			continue
		}
		pl := pr.Field(pr.Name + ".payload")
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

// Span returns the bytes from start to end of the frame, in hex, as the
// fields lying within them have them (a field's value is its bytes, a bit
// field's unmasked value); a byte no such field covers is "??".
func (p Packet) Span(start, end int) string {
	if end < start {
		return fmt.Sprintf("bad span %d-%d", start, end)
	}
	b := make([]string, end-start)
	for _, n := range p.Nodes() {
		v := n.Value
		if n.Unmasked != "" {
			v = n.Unmasked
		}
		if n.Size == 0 || len(v) != 2*n.Size || n.Pos < start || n.Pos+n.Size > end {
			continue
		}
		for i := range n.Size {
			b[n.Pos-start+i] = v[2*i : 2*i+2]
		}
	}
	for i := range b {
		if b[i] == "" {
			b[i] = "??"
		}
	}
	return strings.Join(b, "")
}
