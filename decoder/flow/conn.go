package flow

import (
	"bytes"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket"

	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/tlshello"
	"github.com/netcap-go/netcap/types"
)

// maxDetectPackets is how many payload-carrying packets of a connection
// the application protocol detection looks at before giving up.
const maxDetectPackets = 10

// TCP flag counter indexes.
const (
	fFIN = iota
	fSYN
	fRST
	fPSH
	fACK
	fURG
	fECE
	fCWR
	fNS
	numFlags
)

// dirStats are one direction's counters.
type dirStats struct {
	packets, bytes, payload int64
	first, last             int64
	flags                   [numFlags]int32
	winSum                  int64
	minSize, maxSize        int32
	sizeSq                  float64
	iatMin, iatMax          int64
	iatSq                   float64
	mac                     [6]byte
	hasMAC                  bool
}

// Conn is one connection in the table. Its fields are read by OnClose.
type Conn struct {
	k          key
	prev, next *Conn
	list       uint8
	onList     bool
	clientIsA  bool // the client is the key's first endpoint
	closed     bool

	CommunityID string
	ServerName  string // TLS SNI or HTTP Host, escaped (types.WireString)
	app         string
	reason      uint8 // why it was written, an index of reasons
	tries       uint8
	link        gopacket.LayerType

	first, last, lastNow int64
	dir                  [2]dirStats // 0: client to server, 1: server to client

	// TCP handshake and teardown, per direction (0: client).
	syn, synAck, fin, rst [2]bool
	isn                   uint32 // the client's initial sequence number (seen or inferred)
	hasISN                bool
}

// First and Last return the connection's first and last packet times.
func (c *Conn) First() int64 { return c.first }

// Last returns the time of the connection's last packet.
func (c *Conn) Last() int64 { return c.last }

// Packets returns the packets and frame bytes sent by the client (dir 0)
// or the server (dir 1).
func (c *Conn) Packets(dir int) (packets, bytes int64) {
	return c.dir[dir].packets, c.dir[dir].bytes
}

// MAC returns the source MAC address of a direction's packets, if any.
func (c *Conn) MAC(dir int) (net.HardwareAddr, bool) {
	if !c.dir[dir].hasMAC {
		return nil, false
	}
	return net.HardwareAddr(c.dir[dir].mac[:]), true
}

// AppProto returns the application protocol found in the content, or
// "unknown".
func (c *Conn) AppProto() string {
	if c.app == "" {
		return "unknown"
	}
	return c.app
}

// Tuple returns the connection's tuple, client first. For ICMP the ports
// are the message type and its counterpart's (see ICMPPorts).
func (c *Conn) Tuple() Tuple {
	a, b := netip.AddrFrom16(c.k.a), netip.AddrFrom16(c.k.b)
	if c.k.v4 {
		a, b = a.Unmap(), b.Unmap()
	}
	if c.clientIsA {
		return Tuple{Src: a, Dst: b, Proto: c.k.proto, SrcPort: c.k.ap, DstPort: c.k.bp}
	}
	return Tuple{Src: b, Dst: a, Proto: c.k.proto, SrcPort: c.k.bp, DstPort: c.k.ap}
}

// Reason returns why the connection was written.
func (c *Conn) Reason() string { return reasons[c.reason] }

// TransportName returns the transport protocol's name ("TCP", "UDP",
// "ICMPv4", ...).
func (c *Conn) TransportName() string { return transportName(c.k.proto) }

// HasPorts reports whether the transport has ports (TCP, UDP, SCTP).
func (c *Conn) HasPorts() bool { return c.hasPorts() }

func (c *Conn) hasPorts() bool {
	switch c.k.proto {
	case protoTCP, protoUDP, protoSCTP:
		return true
	}
	return false
}

func (c *Conn) macString(d int) string {
	if !c.dir[d].hasMAC {
		return ""
	}
	return net.HardwareAddr(c.dir[d].mac[:]).String()
}

// add accounts packet p, sent by the client when fromClient.
func (c *Conn) add(p *packet.Packet, now int64, fromClient bool) {
	d := 1
	if fromClient {
		d = 0
	}
	s := &c.dir[d]
	ts := p.Timestamp
	size := int64(p.Length)
	if s.packets == 0 {
		s.first, s.last = ts, ts
		s.minSize, s.maxSize = int32(size), int32(size)
		if p.Ethernet != nil && len(p.Ethernet.SrcMAC) == 6 {
			copy(s.mac[:], p.Ethernet.SrcMAC)
			s.hasMAC = true
		}
	} else {
		// Inter-arrival time in capture order; a packet stamped earlier
		// than the one before counts as 0.
		iat := max(ts-s.last, 0)
		if s.packets == 1 || iat < s.iatMin {
			s.iatMin = iat
		}
		s.iatMax = max(s.iatMax, iat)
		s.iatSq += float64(iat) * float64(iat)
		s.last = max(s.last, ts)
		s.minSize = min(s.minSize, int32(size))
		s.maxSize = max(s.maxSize, int32(size))
	}
	s.packets++
	s.bytes += size
	s.sizeSq += float64(size) * float64(size)
	if c.first == 0 || ts < c.first {
		c.first = ts
	}
	c.last = max(c.last, ts)
	c.lastNow = now

	var payload []byte
	switch {
	case p.TCP != nil && c.k.proto == protoTCP:
		t := p.TCP
		payload = t.Payload
		s.winSum += int64(t.Window)
		count := func(on bool, i int) {
			if on {
				s.flags[i]++
			}
		}
		count(t.FIN, fFIN)
		count(t.SYN, fSYN)
		count(t.RST, fRST)
		count(t.PSH, fPSH)
		count(t.ACK, fACK)
		count(t.URG, fURG)
		count(t.ECE, fECE)
		count(t.CWR, fCWR)
		count(t.NS, fNS)
		if d == 0 && !c.hasISN {
			// As tshark's base sequence number: the SYN's, or one before
			// the first segment's when the SYN was not seen.
			c.isn, c.hasISN = t.Seq, true
			if !t.SYN {
				c.isn--
			}
		}
		if t.SYN && !t.ACK {
			c.syn[d] = true
		}
		if t.SYN && t.ACK {
			c.synAck[d] = true
		}
		c.fin[d] = c.fin[d] || t.FIN
		c.rst[d] = c.rst[d] || t.RST
		if (c.fin[0] && c.fin[1]) || t.RST {
			c.closed = true
		}
	case p.UDP != nil && c.k.proto == protoUDP:
		payload = p.UDP.Payload
	case p.SCTP != nil && c.k.proto == protoSCTP:
		payload = p.SCTP.Payload
	}
	s.payload += int64(len(payload))
	if len(payload) > 0 && c.app == "" && c.tries < maxDetectPackets && (c.k.proto == protoTCP || c.k.proto == protoUDP) {
		c.tries++
		c.detect(payload, d == 0)
	}
}

// detect runs the content classifier on a payload, and notes the server
// name a TLS ClientHello or an HTTP request gives.
func (c *Conn) detect(payload []byte, fromClient bool) {
	tr := dpi.TCP
	if c.k.proto == protoUDP {
		tr = dpi.UDP
	}
	tu := c.Tuple()
	sp, dp := tu.SrcPort, tu.DstPort
	if !fromClient {
		sp, dp = dp, sp
	}
	c.app = dpi.Detect(tr, sp, dp, fromClient, payload)
	if !fromClient {
		return
	}
	switch c.app {
	case "TLS":
		if ch, err := tlshello.ParseClientHello(payload); err == nil && ch.HasServerName {
			c.ServerName = types.WireString(ch.ServerName)
		}
	case "HTTP":
		c.ServerName = httpHost(payload)
	}
}

// httpHost returns the Host header of an HTTP request, if in payload.
func httpHost(b []byte) string {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return ""
		}
		line := bytes.TrimRight(b[:i], "\r")
		b = b[i+1:]
		if len(line) == 0 {
			return ""
		}
		if len(line) > 5 && bytes.EqualFold(line[:5], []byte("host:")) {
			return types.WireBytes(bytes.TrimSpace(line[5:]))
		}
	}
	return ""
}

// ConnState returns Zeek's conn_state for a TCP connection ("" for other
// protocols): S0 attempt without reply, REJ rejected, S1 established,
// SF closed normally, S2/S3 closed by one side only, RSTO/RSTR reset by
// the client/server, RSTOS0 and RSTRH resets without an established
// connection, SH/SHR a half-open side that closed, OTH no SYN seen.
func (c *Conn) ConnState() string {
	if c.k.proto != protoTCP {
		return ""
	}
	origSyn := c.syn[0]
	respSynAck := c.synAck[1]
	established := origSyn && respSynAck
	switch {
	case !origSyn && !respSynAck:
		return "OTH"
	case c.rst[0] && !c.rst[1]:
		switch {
		case established:
			return "RSTO"
		case origSyn && !respSynAck:
			return "RSTOS0"
		}
		return "OTH"
	case c.rst[1]:
		switch {
		case established:
			return "RSTR"
		case origSyn && !respSynAck && c.dir[1].packets > 0:
			return "REJ"
		case !origSyn && respSynAck:
			return "RSTRH"
		}
		return "RSTR"
	case established && c.fin[0] && c.fin[1]:
		return "SF"
	case established && c.fin[0]:
		return "S2"
	case established && c.fin[1]:
		return "S3"
	case established:
		return "S1"
	case origSyn && c.fin[0]:
		return "SH"
	case origSyn:
		return "S0"
	case respSynAck && c.fin[1]:
		return "SHR"
	}
	return "OTH"
}

// list is an intrusive doubly linked list, most recent first.
type list struct{ head, tail *Conn }

func (l *list) pushFront(c *Conn) {
	c.prev, c.next = nil, l.head
	if l.head != nil {
		l.head.prev = c
	} else {
		l.tail = c
	}
	l.head = c
}

func (l *list) remove(c *Conn) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		l.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	c.prev, c.next = nil, nil
}

func (c *Conn) networkName() string {
	if c.k.v4 {
		return "IPv4"
	}
	return "IPv6"
}
