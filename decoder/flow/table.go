// Package flow keeps the connection table: every packet's innermost flow
// is accounted in a Connection (both directions) and in two Flows (one per
// direction), with the flow's Community ID and its application protocol
// detected from content. Records are written when a connection ends (TCP
// close), goes idle, is evicted from the bounded table, or at the end of
// input, so a long capture writes them as it goes.
//
// One table per worker: the dispatcher sends both directions of a flow to
// the same worker, so tables share nothing and take no lock.
//
// It imports the packet decoders (for the decoded packet), dpi and
// tlshello; never the capture engine, the registry or io.
package flow

import (
	"crypto/sha1" //nolint:gosec // a UID, not a security property
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/types"
)

// Defaults follow Zeek: 5 minutes of TCP inactivity, 1 minute for UDP,
// ICMP and other protocols, and 5 seconds after a TCP close for late
// packets (tcp_close_delay).
const (
	DefaultTCPTimeout   = 5 * time.Minute
	DefaultOtherTimeout = time.Minute
	DefaultCloseDelay   = 5 * time.Second
	DefaultMaxFlows     = 1 << 20
)

// reasons are the FlushReason values, by Conn.reason.
var reasons = [...]string{ReasonClose, ReasonIdle, ReasonEvicted, ReasonEnd}

const (
	rClose uint8 = iota
	rIdle
	rEvicted
	rEnd
)

// Why a connection's records were written.
const (
	ReasonClose   = "close"   // TCP FIN both ways or RST, plus the close delay
	ReasonIdle    = "idle"    // no packet for the timeout
	ReasonEvicted = "evicted" // the table was full
	ReasonEnd     = "end"     // end of input
)

// Config configures a table.
type Config struct {
	TCPTimeout   time.Duration // idle timeout of TCP connections
	OtherTimeout time.Duration // idle timeout of UDP, ICMP and other flows
	CloseDelay   time.Duration // kept after a TCP close for late packets
	MaxFlows     int           // bound of this table; the least recently active is evicted
	CommunityID  CommunityID
	// Connections and Flows say which records are written; the table runs
	// anyway when neither is, for the Community IDs of other records.
	Connections, Flows bool
	// Emit receives the records; they may be reused once it returns.
	Emit decoder.Emit
	// OnClose, when set, sees every connection as it is written (for
	// profiles); c is valid only during the call.
	OnClose func(c *Conn)
}

func (c *Config) defaults() {
	if c.TCPTimeout <= 0 {
		c.TCPTimeout = DefaultTCPTimeout
	}
	if c.OtherTimeout <= 0 {
		c.OtherTimeout = DefaultOtherTimeout
	}
	if c.CloseDelay <= 0 {
		c.CloseDelay = DefaultCloseDelay
	}
	if c.MaxFlows <= 0 {
		c.MaxFlows = DefaultMaxFlows
	}
}

// Stats are a table's counters.
type Stats struct {
	Packets   int64            // packets accounted in a flow
	NoFlow    int64            // packets without an IP flow (ARP, fragments, ...)
	Conns     int64            // connections written
	Reasons   map[string]int64 // connections written, by reason
	Evicted   int64            // connections written early because the table was full
	PeakFlows int              // most connections held at once
	Errors    int64            // records the emitter refused
}

// Add adds o to s.
func (s *Stats) Add(o Stats) {
	if s.Reasons == nil {
		s.Reasons = map[string]int64{}
	}
	s.Packets += o.Packets
	s.NoFlow += o.NoFlow
	s.Conns += o.Conns
	s.Evicted += o.Evicted
	s.PeakFlows += o.PeakFlows
	s.Errors += o.Errors
	for k, v := range o.Reasons {
		s.Reasons[k] += v
	}
}

// key identifies a connection: its endpoints in canonical order (lower
// address/port first), so both directions find the same entry.
type key struct {
	a, b   [16]byte
	ap, bp uint16
	proto  uint8
	v4     bool // an IPv4 header (not an IPv6 one with mapped addresses)
}

// lists a connection can be on, each ordered by last activity.
const (
	listTCP = iota
	listOther
	listClosing
	numLists
)

// Table is one worker's connection table. Not safe for concurrent use.
type Table struct {
	cfg     Config
	timeout [numLists]int64
	m       map[key]*Conn
	lists   [numLists]list
	free    *Conn
	nfree   int
	ending  bool // Flush is writing every connection
	stats   Stats
	conn    types.Connection
	flow    types.Flow
	err     error
}

// NewTable returns an empty table.
func NewTable(cfg Config) *Table {
	cfg.defaults()
	t := &Table{cfg: cfg, m: map[key]*Conn{}}
	t.timeout[listTCP] = int64(cfg.TCPTimeout)
	t.timeout[listOther] = int64(cfg.OtherTimeout)
	t.timeout[listClosing] = int64(cfg.CloseDelay)
	t.stats.Reasons = map[string]int64{}
	return t
}

// Stats returns the table's counters.
func (t *Table) Stats() Stats {
	s := t.stats
	s.Reasons = make(map[string]int64, len(t.stats.Reasons))
	for k, v := range t.stats.Reasons {
		s.Reasons[k] = v
	}
	return s
}

// Err returns the first error the emitter returned.
func (t *Table) Err() error { return t.err }

// Len returns how many connections the table holds.
func (t *Table) Len() int { return len(t.m) }

// Packet accounts a decoded packet; now is the capture clock (the latest
// timestamp seen in the input), which drives the timeouts. It sets
// p.CommunityID.
func (t *Table) Packet(p *packet.Packet, now int64) {
	t.Advance(now)
	tu, ok := TupleOf(p)
	if !ok {
		t.stats.NoFlow++
		return
	}
	t.stats.Packets++
	k, fromA := makeKey(tu)
	c := t.m[k]
	if c != nil && t.ended(c, p, now, fromA == c.clientIsA) {
		t.write(c, reasonFor(c))
		c = nil
	}
	if c == nil {
		c = t.open(k, tu, fromA, p)
	}
	c.add(p, now, fromA == c.clientIsA)
	t.touch(c)
	p.CommunityID = c.CommunityID
}

// reasonFor returns why c is written when a new packet cannot join it.
func reasonFor(c *Conn) uint8 {
	if c.closed {
		return rClose
	}
	return rIdle
}

// ended reports whether c can take no more packets: idle too long, or
// closed and p opens a new connection on the same ports.
func (t *Table) ended(c *Conn, p *packet.Packet, now int64, fromClient bool) bool {
	if now-c.lastNow > t.timeout[c.list] {
		return true
	}
	// A SYN after the close opens a new connection, unless it repeats the
	// first SYN (a retransmission), as tshark tells port reuse.
	return c.closed && p.TCP != nil && p.TCP.SYN && !p.TCP.ACK && !(fromClient && c.hasISN && p.TCP.Seq == c.isn)
}

// Advance writes the connections whose timeout passed by now.
func (t *Table) Advance(now int64) {
	for i := range t.lists {
		l := &t.lists[i]
		for l.tail != nil && now-l.tail.lastNow > t.timeout[i] {
			c := l.tail
			reason := rIdle
			if i == listClosing {
				reason = rClose
			}
			t.write(c, reason)
		}
	}
}

// Flush writes every connection (end of input).
func (t *Table) Flush() {
	// Oldest first, so files read in order of activity. The map is
	// dropped as a whole afterwards: deleting a million keys one by one
	// costs more than writing their records.
	t.ending = true
	for i := range t.lists {
		for t.lists[i].tail != nil {
			t.write(t.lists[i].tail, rEnd)
		}
	}
	t.ending = false
	t.m = map[key]*Conn{}
}

func makeKey(tu Tuple) (k key, fromA bool) {
	src, dst := tu.Src.As16(), tu.Dst.As16()
	sp, dp := tu.SrcPort, tu.DstPort
	if tu.Proto == protoICMP || tu.Proto == protoICMPv6 {
		sp, dp, _ = ICMPPorts(tu.Proto == protoICMPv6, uint8(sp), uint8(dp))
	}
	k.proto, k.v4 = tu.Proto, tu.Src.Is4()
	if cmp := compare16(src, dst); cmp < 0 || (cmp == 0 && sp <= dp) {
		k.a, k.b, k.ap, k.bp = src, dst, sp, dp
		return k, true
	}
	k.a, k.b, k.ap, k.bp = dst, src, dp, sp
	return k, false
}

func compare16(a, b [16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// open adds a connection for a packet's tuple, evicting the least recently
// active one when the table is full.
func (t *Table) open(k key, tu Tuple, fromA bool, p *packet.Packet) *Conn {
	if len(t.m) >= t.cfg.MaxFlows {
		if old := t.oldest(); old != nil {
			t.stats.Evicted++
			t.write(old, rEvicted)
		}
	}
	c := t.free
	if c != nil {
		t.free = c.next
		t.nfree--
		*c = Conn{}
	} else {
		c = &Conn{}
	}
	c.k = k
	c.list = listOther
	if tu.Proto == protoTCP {
		c.list = listTCP
	}
	// The client is the first packet's sender, unless that packet answers
	// a SYN we did not see: then the receiver opened the connection.
	c.clientIsA = fromA
	if p.TCP != nil && p.TCP.SYN && p.TCP.ACK {
		c.clientIsA = !fromA
	}
	c.CommunityID = t.cfg.CommunityID.Compute(tu)
	c.link = p.Link
	t.m[k] = c
	if n := len(t.m); n > t.stats.PeakFlows {
		t.stats.PeakFlows = n
	}
	return c
}

// oldest returns the least recently active connection of all lists.
func (t *Table) oldest() *Conn {
	var o *Conn
	for i := range t.lists {
		if c := t.lists[i].tail; c != nil && (o == nil || c.lastNow < o.lastNow) {
			o = c
		}
	}
	return o
}

// touch moves c to the front of its list (most recently active), after a
// TCP close onto the closing list.
func (t *Table) touch(c *Conn) {
	if c.onList {
		t.lists[c.list].remove(c)
	}
	if c.closed {
		c.list = listClosing
	}
	t.lists[c.list].pushFront(c)
	c.onList = true
}

// write emits c's records and drops it from the table.
func (t *Table) write(c *Conn, reason uint8) {
	if c.onList {
		t.lists[c.list].remove(c)
		c.onList = false
	}
	if !t.ending {
		delete(t.m, c.k)
	}
	t.stats.Conns++
	t.stats.Reasons[reasons[reason]]++
	c.reason = reason
	if t.cfg.Connections {
		t.fillConnection(c, &t.conn)
		t.emit(types.Type_NC_Connection, &t.conn)
	}
	if t.cfg.Flows {
		for d := range c.dir {
			if c.dir[d].packets > 0 {
				t.fillFlow(c, d, &t.flow)
				t.emit(types.Type_NC_Flow, &t.flow)
			}
		}
	}
	if t.cfg.OnClose != nil {
		t.cfg.OnClose(c)
	}
	// A few freed entries are reused; the rest go back to the garbage
	// collector, so a burst of flows does not hold its memory for good.
	if t.nfree < maxFree {
		c.next = t.free
		t.free = c
		t.nfree++
	}
}

const maxFree = 1024

func (t *Table) emit(typ types.Type, r proto.Message) {
	if err := t.cfg.Emit(typ, r); err != nil {
		t.stats.Errors++
		if t.err == nil {
			t.err = err
		}
	}
}

// uid names a connection uniquely and the same on every run: a hash of its
// Community ID and its first packet's time ("C" and 16 characters, like
// Zeek's UIDs in length).
func uid(c *Conn) string {
	var b [64]byte
	in := append(b[:0], c.CommunityID...)
	in = binary.BigEndian.AppendUint64(in, uint64(c.first))
	sum := sha1.Sum(in) //nolint:gosec // see import
	return "C" + base64.RawURLEncoding.EncodeToString(sum[:12])
}

func (t *Table) fillConnection(c *Conn, r *types.Connection) {
	proto.Reset(r)
	cs, sc := &c.dir[0], &c.dir[1]
	r.TimestampFirst, r.TimestampLast, r.Duration = c.first, c.last, c.last-c.first
	r.LinkProto, r.NetworkProto, r.TransportProto = linkName(c.link), c.networkName(), c.TransportName()
	r.ApplicationProto = c.AppProto()
	r.SrcMAC, r.DstMAC = c.macString(0), c.macString(1)
	tu := c.Tuple()
	r.SrcIP, r.DstIP = tu.Src.String(), tu.Dst.String()
	if c.hasPorts() {
		r.SrcPort, r.DstPort = strconv.Itoa(int(tu.SrcPort)), strconv.Itoa(int(tu.DstPort))
	}
	r.TotalSize = clamp32(cs.bytes + sc.bytes)
	r.AppPayloadSize = clamp32(cs.payload + sc.payload)
	r.NumPackets = clamp32(cs.packets + sc.packets)
	r.UID = uid(c)
	r.BytesClientToServer, r.BytesServerToClient = cs.bytes, sc.bytes
	r.NumFINFlags, r.NumRSTFlags, r.NumACKFlags = cs.flags[fFIN]+sc.flags[fFIN], cs.flags[fRST]+sc.flags[fRST], cs.flags[fACK]+sc.flags[fACK]
	r.NumSYNFlags, r.NumURGFlags, r.NumECEFlags = cs.flags[fSYN]+sc.flags[fSYN], cs.flags[fURG]+sc.flags[fURG], cs.flags[fECE]+sc.flags[fECE]
	r.NumPSHFlags, r.NumCWRFlags, r.NumNSFlags = cs.flags[fPSH]+sc.flags[fPSH], cs.flags[fCWR]+sc.flags[fCWR], cs.flags[fNS]+sc.flags[fNS]
	if n := cs.packets + sc.packets; n > 0 && c.k.proto == protoTCP {
		r.MeanWindowSize = int32((cs.winSum + sc.winSum) / n)
	}
	r.CommunityID = c.CommunityID
	r.PacketsClientToServer, r.PacketsServerToClient = cs.packets, sc.packets
	r.AppPayloadClientToServer, r.AppPayloadServerToClient = cs.payload, sc.payload
	r.ConnState = c.ConnState()
	r.FlushReason = c.Reason()
	r.ServerName = c.ServerName
}

func (t *Table) fillFlow(c *Conn, d int, r *types.Flow) {
	proto.Reset(r)
	s := &c.dir[d]
	tu := c.Tuple()
	src, dst := tu.Src, tu.Dst
	sp, dp := tu.SrcPort, tu.DstPort
	if d == 1 {
		src, dst, sp, dp = dst, src, dp, sp
	}
	r.TimestampFirst, r.TimestampLast, r.Duration = s.first, s.last, s.last-s.first
	r.LinkProto, r.NetworkProto, r.TransportProto = linkName(c.link), c.networkName(), c.TransportName()
	r.ApplicationProto = c.AppProto()
	r.SrcMAC, r.DstMAC = c.macString(d), c.macString(1-d)
	r.SrcIP, r.DstIP = src.String(), dst.String()
	if c.hasPorts() {
		r.SrcPort, r.DstPort = strconv.Itoa(int(sp)), strconv.Itoa(int(dp))
	}
	r.TotalSize, r.AppPayloadSize, r.NumPackets = s.bytes, s.payload, s.packets
	r.UID = uid(c)
	r.NumFINFlags, r.NumRSTFlags, r.NumACKFlags = s.flags[fFIN], s.flags[fRST], s.flags[fACK]
	r.NumSYNFlags, r.NumURGFlags, r.NumECEFlags = s.flags[fSYN], s.flags[fURG], s.flags[fECE]
	r.NumPSHFlags, r.NumCWRFlags, r.NumNSFlags = s.flags[fPSH], s.flags[fCWR], s.flags[fNS]
	if c.k.proto == protoTCP {
		r.MeanWindowSize = int32(s.winSum / s.packets)
	}
	r.MinPacketSize, r.MaxPacketSize = s.minSize, s.maxSize
	n := float64(s.packets)
	mean := float64(s.bytes) / n
	r.MeanPacketSize = mean
	r.StdDevPacketSize = stddev(s.sizeSq, mean, n)
	if s.packets > 1 {
		r.MinIAT, r.MaxIAT = s.iatMin, s.iatMax
		m := float64(s.last-s.first) / (n - 1)
		r.MeanIAT = m
		r.StdDevIAT = stddev(s.iatSq, m, n-1)
	}
	r.CommunityID = c.CommunityID
	r.FromClient = d == 0
	r.FlushReason = c.Reason()
}

// stddev returns the population standard deviation from the sum of
// squares and the mean of n values.
func stddev(sumSq, mean, n float64) float64 {
	v := sumSq/n - mean*mean
	if v <= 0 || math.IsNaN(v) {
		return 0
	}
	return math.Sqrt(v)
}

func clamp32(v int64) int32 {
	if v > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(v)
}

func linkName(lt gopacket.LayerType) string {
	switch lt {
	case layers.LayerTypeIPv4, layers.LayerTypeIPv6, gopacket.LayerTypeZero:
		return "" // raw IP: no link layer
	}
	return lt.String()
}

func transportName(p uint8) string {
	switch p {
	case protoTCP:
		return "TCP"
	case protoUDP:
		return "UDP"
	case protoSCTP:
		return "SCTP"
	case protoICMP:
		return "ICMPv4"
	case protoICMPv6:
		return "ICMPv6"
	}
	return layers.IPProtocol(p).String()
}

// The record types the table writes.
var (
	ConnectionInfo = decoder.Info{Name: "Connection", Type: types.Type_NC_Connection, Group: decoder.GroupPacket, Description: "bidirectional flow summaries (TCP, UDP, SCTP, ICMP, other IP) with Community ID and application protocol"}
	FlowInfo       = decoder.Info{Name: "Flow", Type: types.Type_NC_Flow, Group: decoder.GroupPacket, Description: "unidirectional flows: per-direction sizes, TCP flags and inter-arrival statistics"}
)
