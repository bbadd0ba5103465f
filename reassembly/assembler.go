// Package reassembly puts TCP segments back into the byte streams of their
// connections (and groups UDP datagrams into conversations), one Assembler
// per worker: the dispatcher sends every packet of a flow to the same
// worker, so no state is shared and nothing is locked.
//
// Rules, in short:
//   - The client is the sender of a SYN without ACK (or the receiver of a
//     SYN-ACK). A connection seen mid-stream starts at the first segment of
//     each direction; its client is the side with the higher port (ties:
//     the first sender).
//   - Out-of-order segments are buffered and delivered once the hole before
//     them is filled. Overlapping data is first-wins: bytes already
//     delivered or buffered are kept, later copies of the same sequence
//     numbers are dropped (and counted), as most operating systems do.
//   - Sequence numbers are compared in 32-bit serial arithmetic, so streams
//     wrap around 2^32 correctly.
//   - Memory is bounded: buffered out-of-order bytes per direction
//     (MaxBytesPerStream) and per assembler (MaxBytes), and the number of
//     connections (MaxConns). Past a bound the oldest hole is skipped (the
//     handler sees a Gap and the bytes are counted as lost) or the least
//     recently active connection is closed (counted as evicted).
//   - A connection ends on FIN in both directions, on RST, after IdleTimeout
//     of capture time without a packet, when evicted, or at Flush. Timeouts
//     are decided by each connection's own packet times, so the records do
//     not depend on which other flows share the worker.
//   - Data reaches the handler as soon as it is in order: streams are
//     decoded while the capture runs, not at its end.
//
// It imports nothing of netcap: the stream decoders plug in as Handlers.
package reassembly

import (
	"net/netip"
	"time"
)

// Endpoint is an address and port.
type Endpoint struct {
	Addr netip.Addr
	Port uint16
}

func (e Endpoint) String() string { return netip.AddrPortFrom(e.Addr, e.Port).String() }

func (e Endpoint) less(o Endpoint) bool {
	if c := e.Addr.Compare(o.Addr); c != 0 {
		return c < 0
	}
	return e.Port < o.Port
}

// Direction is the direction of data in a connection.
type Direction uint8

const (
	ClientToServer Direction = 0
	ServerToClient Direction = 1
)

func (d Direction) String() string {
	if d == ClientToServer {
		return "client→server"
	}
	return "server→client"
}

// Reverse returns the other direction.
func (d Direction) Reverse() Direction { return 1 - d }

// Transport tells TCP connections from UDP conversations.
type Transport uint8

const (
	TCP Transport = iota
	UDP
)

func (t Transport) String() string {
	if t == UDP {
		return "udp"
	}
	return "tcp"
}

// ConnInfo describes a connection to its handler.
type ConnInfo struct {
	Transport Transport
	Client    Endpoint
	Server    Endpoint
	Start     int64 // capture time of the first packet, Unix ns
	// MidStream says the connection's start (its SYN) was not seen.
	MidStream bool
}

// CloseReason says why a connection ended.
type CloseReason uint8

const (
	ClosedFIN     CloseReason = iota // FIN in both directions
	ClosedRST                        // reset
	ClosedTimeout                    // idle for IdleTimeout
	ClosedEvicted                    // evicted to stay within MaxConns
	ClosedEnd                        // end of input (Flush)
)

func (r CloseReason) String() string {
	return [...]string{"fin", "rst", "timeout", "evicted", "end"}[r]
}

// Handler receives one connection's data, in order.
type Handler interface {
	// Data delivers the next in-order bytes of one direction, carried by a
	// segment (or datagram) captured at ts. The slice is only valid during
	// the call.
	Data(dir Direction, data []byte, ts int64)
	// Gap reports that n bytes of one direction are missing before the
	// next Data (not captured, or dropped to bound memory).
	Gap(dir Direction, n int64)
	// Close ends the connection; ts is the capture time of its last packet.
	Close(reason CloseReason, ts int64)
}

// Factory makes the handler of a new connection. It is called when the
// connection's first payload byte arrives, so connections that never carry
// data (scans, half-open connections) cost no handler.
type Factory func(info ConnInfo) Handler

// Config bounds an Assembler.
type Config struct {
	// MaxBytes bounds the out-of-order bytes buffered by this assembler.
	MaxBytes int
	// MaxBytesPerStream bounds them per direction of a connection.
	MaxBytesPerStream int
	// MaxSegmentsPerStream bounds the number of buffered segments per
	// direction (many tiny segments cost more than their bytes).
	MaxSegmentsPerStream int
	// MaxConns bounds the connections (TCP and UDP) tracked at once.
	MaxConns int
	// MaxClosed bounds the closed connections remembered to tell late
	// retransmissions from new connections.
	MaxClosed int
	// IdleTimeout ends a TCP connection after this much capture time
	// without a packet; UDPTimeout does the same for UDP conversations.
	IdleTimeout time.Duration
	UDPTimeout  time.Duration
}

// DefaultConfig returns the default bounds: 5 min TCP and 1 min UDP
// inactivity (as Zeek), 64 MiB of buffered out-of-order data, 4 MiB and
// 1024 segments per direction, 250,000 connections, 65,536 closed ones.
func DefaultConfig() Config {
	return Config{
		MaxBytes:             64 << 20,
		MaxBytesPerStream:    4 << 20,
		MaxSegmentsPerStream: 1024,
		MaxConns:             250_000,
		MaxClosed:            65536,
		IdleTimeout:          5 * time.Minute,
		UDPTimeout:           time.Minute,
	}
}

// Stats counts what an assembler did; Add sums them over workers.
type Stats struct {
	Conns            int64 // connections opened
	MidStream        int64 // of which seen without their start
	Segments         int64 // TCP segments with payload
	Bytes            int64 // bytes delivered in order
	OutOfOrder       int64 // segments buffered until their hole was filled
	Retransmitted    int64 // segments whose bytes had all been seen
	OverlapBytes     int64 // bytes dropped because earlier copies won
	LostBytes        int64 // bytes reported as gaps (never captured or dropped)
	ForcedSkips      int64 // holes skipped to stay within the buffer bounds
	Evicted          int64 // connections closed to stay within MaxConns
	TimedOut         int64 // connections ended by inactivity
	BufferedPeak     int64 // most out-of-order bytes buffered at once
	ClosedFIN        int64
	ClosedRST        int64
	UDPConversations int64
}

// Add adds o to s.
func (s *Stats) Add(o *Stats) {
	s.Conns += o.Conns
	s.MidStream += o.MidStream
	s.Segments += o.Segments
	s.Bytes += o.Bytes
	s.OutOfOrder += o.OutOfOrder
	s.Retransmitted += o.Retransmitted
	s.OverlapBytes += o.OverlapBytes
	s.LostBytes += o.LostBytes
	s.ForcedSkips += o.ForcedSkips
	s.Evicted += o.Evicted
	s.TimedOut += o.TimedOut
	s.BufferedPeak = max(s.BufferedPeak, o.BufferedPeak)
	s.ClosedFIN += o.ClosedFIN
	s.ClosedRST += o.ClosedRST
	s.UDPConversations += o.UDPConversations
}

// connKey identifies a connection whichever way a packet travels.
type connKey struct {
	t    Transport
	a, b Endpoint // a < b
}

func keyOf(t Transport, src, dst Endpoint) connKey {
	if dst.less(src) {
		src, dst = dst, src
	}
	return connKey{t, src, dst}
}

// Assembler tracks the connections of one worker. Not safe for concurrent
// use.
type Assembler struct {
	cfg     Config
	factory Factory
	conns   map[connKey]*conn
	lru     [2]conn // per transport, sentinels of lists least recent first
	// buffering is the sentinel of the list of connections holding
	// out-of-order data, least recent first (see oldestBuffered).
	buffering conn
	buffered  int // out-of-order bytes buffered
	closed    closedConns
	now       int64
	swept     int64
	stats     Stats
}

// New returns an assembler; zero fields of cfg take DefaultConfig's values.
func New(cfg Config, factory Factory) *Assembler {
	d := DefaultConfig()
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = d.MaxBytes
	}
	if cfg.MaxBytesPerStream <= 0 {
		cfg.MaxBytesPerStream = d.MaxBytesPerStream
	}
	if cfg.MaxSegmentsPerStream <= 0 {
		cfg.MaxSegmentsPerStream = d.MaxSegmentsPerStream
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = d.MaxConns
	}
	if cfg.MaxClosed <= 0 {
		cfg.MaxClosed = d.MaxClosed
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = d.IdleTimeout
	}
	if cfg.UDPTimeout <= 0 {
		cfg.UDPTimeout = d.UDPTimeout
	}
	a := &Assembler{cfg: cfg, factory: factory, conns: map[connKey]*conn{}, closed: newClosedConns(cfg.MaxClosed)}
	for i := range a.lru {
		a.lru[i].prev, a.lru[i].next = &a.lru[i], &a.lru[i]
	}
	a.buffering.bprev, a.buffering.bnext = &a.buffering, &a.buffering
	return a
}

// Stats returns the counters.
func (a *Assembler) Stats() *Stats { return &a.stats }

// Conns returns the number of connections tracked now.
func (a *Assembler) Conns() int { return len(a.conns) }

// Buffered returns the out-of-order bytes buffered now.
func (a *Assembler) Buffered() int { return a.buffered }

// Segment is a TCP segment.
type Segment struct {
	Src, Dst           Endpoint
	Seq, Ack           uint32
	SYN, ACK, FIN, RST bool
	Payload            []byte // only read during the call
	Timestamp          int64
}

// timeout returns the idle timeout for a transport.
func (a *Assembler) timeout(t Transport) int64 {
	if t == UDP {
		return int64(a.cfg.UDPTimeout)
	}
	return int64(a.cfg.IdleTimeout)
}

// lookup finds the connection of key, ending it first when it has been
// idle too long by the packet's own time.
func (a *Assembler) lookup(k connKey, ts int64) *conn {
	c := a.conns[k]
	if c != nil && ts-c.lastSeen > a.timeout(k.t) {
		a.stats.TimedOut++
		a.close(c, ClosedTimeout, c.lastSeen)
		c = nil
	}
	return c
}

// Add processes one TCP segment.
func (a *Assembler) Add(s *Segment) {
	a.tick(s.Timestamp)
	k := keyOf(TCP, s.Src, s.Dst)
	c := a.lookup(k, s.Timestamp)
	if c == nil {
		// A segment without SYN and without payload (a lone ACK, FIN or
		// RST, typically after the connection ended) opens nothing, and
		// neither does a retransmission of bytes a closed connection had.
		if !s.SYN && len(s.Payload) == 0 {
			return
		}
		if a.closed.retransmission(k, s) {
			a.stats.Retransmitted++
			a.stats.OverlapBytes += int64(len(s.Payload))
			return
		}
		c = a.open(k, TCP, s.Src, s.Dst, s.SYN, s.ACK, s.Timestamp)
	}
	a.touch(c, s.Timestamp)
	dir := c.direction(s.Src)
	h := &c.half[dir]
	seq := s.Seq
	if s.SYN {
		if !h.known {
			h.next, h.known = seq+1, true
		}
		seq++ // data after a SYN (TCP Fast Open) starts at ISN+1
	}
	if !h.known {
		h.next, h.known = seq, true
	}
	if len(s.Payload) > 0 {
		a.stats.Segments++
		a.insert(c, dir, seq, s.Payload, s.Timestamp)
	}
	if s.FIN && !h.fin {
		h.fin, h.finSeq = true, seq+uint32(len(s.Payload))
	}
	if s.ACK {
		a.ackedHoles(c, dir.Reverse(), s.Ack)
	}
	if s.RST {
		a.stats.ClosedRST++
		a.close(c, ClosedRST, s.Timestamp)
		return
	}
	if a.finished(c) {
		a.stats.ClosedFIN++
		a.close(c, ClosedFIN, s.Timestamp)
	}
}

// AddDatagram processes one UDP datagram: its conversation (both
// directions of the address and port pair) gets it as Data.
func (a *Assembler) AddDatagram(src, dst Endpoint, payload []byte, ts int64) {
	a.tick(ts)
	k := keyOf(UDP, src, dst)
	c := a.lookup(k, ts)
	if c == nil {
		c = a.open(k, UDP, src, dst, false, false, ts)
	}
	a.touch(c, ts)
	if len(payload) == 0 {
		return
	}
	a.stats.Bytes += int64(len(payload))
	a.deliver(c, c.direction(src), payload, ts)
}

// finished reports whether both directions have sent FIN and every byte
// before it has been delivered.
func (a *Assembler) finished(c *conn) bool {
	for d := range c.half {
		h := &c.half[d]
		if !h.fin || h.next != h.finSeq {
			return false
		}
	}
	return true
}

// open starts tracking a connection, evicting the least recently active
// one if the table is full.
func (a *Assembler) open(k connKey, t Transport, src, dst Endpoint, syn, ack bool, ts int64) *conn {
	for len(a.conns) >= a.cfg.MaxConns {
		oldest := a.oldest()
		a.stats.Evicted++
		a.close(oldest, ClosedEvicted, oldest.lastSeen)
	}
	c := &conn{key: k, lastSeen: ts}
	client, server := src, dst
	switch {
	case t == UDP:
		// The first sender of a conversation is its client.
	case syn && !ack:
	case syn && ack:
		client, server = dst, src
	default:
		c.info.MidStream = true
		a.stats.MidStream++
		if src.Port < dst.Port {
			client, server = dst, src
		}
	}
	c.info.Transport, c.info.Client, c.info.Server, c.info.Start = t, client, server, ts
	a.conns[k] = c
	l := &a.lru[t]
	c.prev, c.next = l.prev, l
	l.prev.next = c
	l.prev = c
	if t == UDP {
		a.stats.UDPConversations++
	} else {
		a.stats.Conns++
	}
	return c
}

// touch marks c as the most recently active connection.
func (a *Assembler) touch(c *conn, ts int64) {
	if ts > c.lastSeen {
		c.lastSeen = ts
	}
	c.prev.next, c.next.prev = c.next, c.prev
	l := &a.lru[c.key.t]
	c.prev, c.next = l.prev, l
	l.prev.next = c
	l.prev = c
	if c.bnext != nil {
		a.unmarkBuffering(c)
		a.markBuffering(c)
	}
}

// oldest returns the least recently active connection of either list.
func (a *Assembler) oldest() *conn {
	t, u := a.lru[TCP].next, a.lru[UDP].next
	switch {
	case t == &a.lru[TCP]:
		return u
	case u == &a.lru[UDP]:
		return t
	case u.lastSeen < t.lastSeen:
		return u
	}
	return t
}

// Advance moves the assembler's clock to now (capture time) and ends the
// connections idle for longer than their timeout. A caller that spreads
// one capture over several assemblers passes the capture's clock — the
// latest time read so far — before each packet, so that connections end at
// the same points of the capture whatever the number of assemblers (even
// when capture times go backwards).
func (a *Assembler) Advance(now int64) { a.tick(now) }

// tick advances the assembler's clock and, once a second of capture time,
// ends the connections idle for longer than their timeout.
func (a *Assembler) tick(ts int64) {
	if ts > a.now {
		a.now = ts
	}
	if a.now-a.swept < int64(time.Second) {
		return
	}
	a.swept = a.now
	for t := range a.lru {
		l := &a.lru[t]
		limit := a.timeout(Transport(t))
		for c := l.next; c != l && a.now-c.lastSeen > limit; c = l.next {
			a.stats.TimedOut++
			a.close(c, ClosedTimeout, c.lastSeen)
		}
	}
}

// Flush ends every connection (end of input).
func (a *Assembler) Flush() {
	for t := range a.lru {
		l := &a.lru[t]
		for c := l.next; c != l; c = l.next {
			a.close(c, ClosedEnd, c.lastSeen)
		}
	}
}

// close delivers what can be delivered, reports the holes, ends the
// handler and forgets the connection (keeping, after FIN or RST, where its
// streams ended, to recognise late retransmissions).
func (a *Assembler) close(c *conn, reason CloseReason, ts int64) {
	if c.key.t == TCP && (reason == ClosedFIN || reason == ClosedRST) {
		a.closed.add(c, ts)
	}
	for d := range c.half {
		a.skipHoles(c, Direction(d), true)
	}
	if c.h != nil {
		c.h.Close(reason, ts)
	}
	a.unmarkBuffering(c)
	delete(a.conns, c.key)
	c.prev.next, c.next.prev = c.next, c.prev
	c.prev, c.next = nil, nil
}

// handler returns c's handler, making it on first use.
func (a *Assembler) handler(c *conn) Handler {
	if c.h == nil {
		if a.factory != nil {
			c.h = a.factory(c.info)
		}
		if c.h == nil {
			c.h = discard{}
		}
	}
	return c.h
}

// deliver hands in-order bytes to the handler.
func (a *Assembler) deliver(c *conn, dir Direction, data []byte, ts int64) {
	a.handler(c).Data(dir, data, ts)
}

type discard struct{}

func (discard) Data(Direction, []byte, int64) {}
func (discard) Gap(Direction, int64)          {}
func (discard) Close(CloseReason, int64)      {}
