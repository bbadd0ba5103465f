package reassembly

// conn is one tracked connection.
type conn struct {
	key        connKey
	info       ConnInfo
	h          Handler
	half       [2]halfStream
	lastSeen   int64
	prev, next *conn
	// bprev and bnext link the connections holding out-of-order data,
	// in the order of the list above (nil when c holds none).
	bprev, bnext *conn
}

// direction returns the direction of data sent by src.
func (c *conn) direction(src Endpoint) Direction {
	if src == c.info.Client {
		return ClientToServer
	}
	return ServerToClient
}

// halfStream is one direction of a TCP connection.
type halfStream struct {
	next     uint32 // sequence number of the next byte to deliver
	known    bool   // next is set
	pending  []segment
	buffered int // bytes in pending
	fin      bool
	finSeq   uint32
}

// segment is buffered out-of-order data.
type segment struct {
	seq  uint32
	data []byte
	ts   int64
}

// diff is b - a in serial number arithmetic (RFC 1982): positive when b
// comes after a, whatever the wrap-around.
func diff(a, b uint32) int64 { return int64(int32(b - a)) }

// insert handles payload at seq in direction dir.
func (a *Assembler) insert(c *conn, dir Direction, seq uint32, data []byte, ts int64) {
	h := &c.half[dir]
	d := diff(h.next, seq)
	if d > 0 {
		a.buffer(c, dir, seq, data, ts)
		return
	}
	// At or before the next byte: drop what was delivered already (first
	// copy wins), deliver the rest.
	skip := -d
	if skip >= int64(len(data)) {
		a.stats.Retransmitted++
		a.stats.OverlapBytes += int64(len(data))
		return
	}
	if skip > 0 {
		a.stats.OverlapBytes += skip
	}
	data = data[skip:]
	h.next += uint32(len(data))
	a.stats.Bytes += int64(len(data))
	a.deliver(c, dir, data, ts)
	a.drain(c, dir)
}

// drain delivers the buffered segments that have become in order.
func (a *Assembler) drain(c *conn, dir Direction) {
	h := &c.half[dir]
	for len(h.pending) > 0 {
		p := h.pending[0]
		d := diff(h.next, p.seq)
		if d > 0 {
			return
		}
		h.pending = h.pending[1:]
		h.buffered -= len(p.data)
		a.buffered -= len(p.data)
		skip := -d
		if skip >= int64(len(p.data)) {
			a.stats.OverlapBytes += int64(len(p.data))
			continue
		}
		if skip > 0 {
			a.stats.OverlapBytes += skip
		}
		data := p.data[skip:]
		h.next += uint32(len(data))
		a.stats.Bytes += int64(len(data))
		a.deliver(c, dir, data, p.ts)
	}
	if len(h.pending) == 0 {
		h.pending = nil // let the backing array go
		if len(c.half[dir.Reverse()].pending) == 0 {
			a.unmarkBuffering(c)
		}
	}
}

// buffer keeps a copy of future data, without the bytes already buffered
// (first wins), then enforces the buffer bounds.
func (a *Assembler) buffer(c *conn, dir Direction, seq uint32, data []byte, ts int64) {
	h := &c.half[dir]
	a.stats.OutOfOrder++
	// Cut data into the pieces not covered by buffered segments; pending
	// is sorted by sequence number and its segments do not overlap.
	var pieces []segment
	start, end := seq, seq+uint32(len(data))
	i := 0
	for ; i < len(h.pending) && diff(start, end) > 0; i++ {
		p := h.pending[i]
		pEnd := p.seq + uint32(len(p.data))
		if diff(pEnd, start) >= 0 {
			continue // p ends before start
		}
		if diff(end, p.seq) >= 0 {
			break // p starts after end
		}
		if diff(start, p.seq) > 0 { // a piece before p
			pieces = append(pieces, segment{seq: start, data: data[diff(seq, start):diff(seq, p.seq)], ts: ts})
		}
		covered := min(diff(start, pEnd), diff(start, end))
		a.stats.OverlapBytes += covered - max(0, diff(start, p.seq))
		start = pEnd
	}
	if diff(start, end) > 0 {
		pieces = append(pieces, segment{seq: start, data: data[diff(seq, start):], ts: ts})
	}
	for _, p := range pieces {
		p.data = append([]byte(nil), p.data...)
		h.pending = insertSorted(h.pending, p)
		h.buffered += len(p.data)
		a.buffered += len(p.data)
	}
	if len(h.pending) > 0 && c.bnext == nil {
		a.markBuffering(c) // c is the most recently active connection
	}
	// Bounds: first this direction's, then the assembler's (taking the
	// holes of the least recently active connections first).
	for h.buffered > a.cfg.MaxBytesPerStream || len(h.pending) > a.cfg.MaxSegmentsPerStream {
		a.skipHoles(c, dir, false)
	}
	for a.buffered > a.cfg.MaxBytes {
		victim := a.oldestBuffered()
		if victim == nil {
			break
		}
		for d := range victim.half {
			if len(victim.half[d].pending) > 0 {
				a.skipHoles(victim, Direction(d), false)
				break
			}
		}
	}
	// The peak is taken within the bounds: a segment over them stays only
	// while the bounds are enforced, above.
	a.stats.BufferedPeak = max(a.stats.BufferedPeak, int64(a.buffered))
}

// insertSorted inserts p into s, sorted by sequence number.
func insertSorted(s []segment, p segment) []segment {
	i := len(s)
	for i > 0 && diff(s[i-1].seq, p.seq) < 0 {
		i--
	}
	s = append(s, segment{})
	copy(s[i+1:], s[i:])
	s[i] = p
	return s
}

// skipHoles gives up on the hole before the first buffered segment of dir
// (reporting it as a gap) and delivers what then is in order; with all, it
// does so until nothing is buffered.
func (a *Assembler) skipHoles(c *conn, dir Direction, all bool) {
	h := &c.half[dir]
	for len(h.pending) > 0 {
		gap := diff(h.next, h.pending[0].seq)
		if gap > 0 {
			a.stats.LostBytes += gap
			a.stats.ForcedSkips++
			// A connection whose first bytes are lost still gets a
			// handler, so that it knows where its data starts.
			a.handler(c).Gap(dir, gap)
			h.next = h.pending[0].seq
		}
		a.drain(c, dir)
		if !all {
			return
		}
	}
}

// ackedHoles skips the holes of dir that its receiver has acknowledged:
// those bytes arrived but were not captured, and waiting longer cannot
// fill them (and would hold back the data after them, e.g. the responses
// that follow a lost request).
func (a *Assembler) ackedHoles(c *conn, dir Direction, ack uint32) {
	h := &c.half[dir]
	for h.known && len(h.pending) > 0 && diff(h.pending[0].seq, ack) > 0 {
		a.skipHoles(c, dir, false)
	}
}

// oldestBuffered returns the least recently active connection that has
// buffered data, or nil. The buffering list keeps them in that order, so
// the bound on buffered bytes does not walk every connection tracked.
func (a *Assembler) oldestBuffered() *conn {
	if c := a.buffering.bnext; c != &a.buffering {
		return c
	}
	return nil
}

// markBuffering appends c to the buffering list.
func (a *Assembler) markBuffering(c *conn) {
	l := &a.buffering
	c.bprev, c.bnext = l.bprev, l
	l.bprev.bnext = c
	l.bprev = c
}

// unmarkBuffering takes c off the buffering list, if it is on it.
func (a *Assembler) unmarkBuffering(c *conn) {
	if c.bnext != nil {
		c.bprev.bnext, c.bnext.bprev = c.bnext, c.bprev
		c.bprev, c.bnext = nil, nil
	}
}

// closedConns remembers where the streams of recently closed connections
// ended, so that a retransmission arriving after the close is recognised
// instead of opening a new connection seen mid-stream. Bounded in count
// (the oldest entries make room) and in capture time: an entry older than
// closedTTL is dropped as the next connection closes, so on a long
// capture the table holds what closed in the last closedTTL, not what
// closed since the start.
type closedConns struct {
	m    map[connKey]closedConn
	fifo []closedAt // in order of closing, from head on
	head int
	max  int
}

type closedConn struct {
	client Endpoint
	end    [2]uint32 // next sequence number of each direction at close
	at     int64
}

// closedAt is a closing in the order they happened.
type closedAt struct {
	key connKey
	at  int64
}

const closedTTL = int64(2 * 60 * 1e9) // twice a common maximum segment lifetime

func newClosedConns(max int) closedConns {
	return closedConns{m: map[connKey]closedConn{}, fifo: make([]closedAt, 0, min(max, 1024)), max: max}
}

func (cc *closedConns) add(c *conn, ts int64) {
	cc.expire(ts)
	if len(cc.fifo)-cc.head >= cc.max {
		cc.drop()
	}
	if cc.head > 0 && len(cc.fifo) == cap(cc.fifo) {
		// Move the live entries to the front rather than grow.
		n := copy(cc.fifo, cc.fifo[cc.head:])
		cc.fifo, cc.head = cc.fifo[:n], 0
	}
	cc.fifo = append(cc.fifo, closedAt{c.key, ts})
	cc.m[c.key] = closedConn{client: c.info.Client, end: [2]uint32{c.half[0].next, c.half[1].next}, at: ts}
}

// expire drops the entries that closed more than closedTTL before ts.
func (cc *closedConns) expire(ts int64) {
	for cc.head < len(cc.fifo) && ts-cc.fifo[cc.head].at > closedTTL {
		cc.drop()
	}
}

// drop forgets the oldest closing, unless its connection closed again
// since (the map then holds the later one).
func (cc *closedConns) drop() {
	old := cc.fifo[cc.head]
	cc.head++
	if c, ok := cc.m[old.key]; ok && c.at == old.at {
		delete(cc.m, old.key)
	}
	if cc.head == len(cc.fifo) {
		cc.fifo, cc.head = cc.fifo[:0], 0
	}
}

// retransmission reports whether s only repeats bytes of a connection that
// closed recently; a SYN or new bytes forget the closed connection.
func (cc *closedConns) retransmission(k connKey, s *Segment) bool {
	c, ok := cc.m[k]
	if !ok {
		return false
	}
	dir := ServerToClient
	if s.Src == c.client {
		dir = ClientToServer
	}
	if s.SYN || s.Timestamp-c.at > closedTTL || diff(c.end[dir], s.Seq+uint32(len(s.Payload))) > 0 {
		delete(cc.m, k)
		return false
	}
	return true
}
