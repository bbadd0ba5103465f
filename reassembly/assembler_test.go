package reassembly

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"
)

var (
	cli = Endpoint{netip.MustParseAddr("192.0.2.1"), 40000}
	srv = Endpoint{netip.MustParseAddr("192.0.2.2"), 80}
)

// recorder is a Handler that keeps everything it is given.
type recorder struct {
	info   ConnInfo
	data   [2]bytes.Buffer
	gaps   [2]int64
	events []string
	closed []CloseReason
	lastTS int64
}

func (r *recorder) Data(d Direction, b []byte, ts int64) {
	r.data[d].Write(b)
	r.events = append(r.events, d.String()+":"+string(b))
}
func (r *recorder) Gap(d Direction, n int64) { r.gaps[d] += n; r.events = append(r.events, "gap") }
func (r *recorder) Close(reason CloseReason, ts int64) {
	r.closed = append(r.closed, reason)
	r.lastTS = ts
}

// harness builds an assembler whose handlers are recorders.
type harness struct {
	a    *Assembler
	recs []*recorder
}

func newHarness(cfg Config) *harness {
	h := &harness{}
	h.a = New(cfg, func(info ConnInfo) Handler {
		r := &recorder{info: info}
		h.recs = append(h.recs, r)
		return r
	})
	return h
}

func (h *harness) seg(src, dst Endpoint, seq uint32, payload string, flags string, ts int64) {
	s := &Segment{Src: src, Dst: dst, Seq: seq, Payload: []byte(payload), Timestamp: ts}
	for _, f := range flags {
		switch f {
		case 'S':
			s.SYN = true
		case 'A':
			s.ACK = true
		case 'F':
			s.FIN = true
		case 'R':
			s.RST = true
		}
	}
	h.a.Add(s)
}

const sec = int64(time.Second)

// handshake opens a connection with ISNs 1000 (client) and 5000 (server).
func (h *harness) handshake() {
	h.seg(cli, srv, 1000, "", "S", 1)
	h.seg(srv, cli, 5000, "", "SA", 2)
	h.seg(cli, srv, 1001, "", "A", 3)
}

func TestInOrderAndFIN(t *testing.T) {
	h := newHarness(Config{})
	h.handshake()
	h.seg(cli, srv, 1001, "GET / ", "A", 4)
	h.seg(cli, srv, 1007, "HTTP/1.1\r\n", "A", 5)
	h.seg(srv, cli, 5001, "HTTP/1.1 200 OK", "A", 6)
	h.seg(cli, srv, 1017, "", "FA", 7)
	if h.a.Conns() != 1 {
		t.Fatal("closed after one FIN")
	}
	h.seg(srv, cli, 5016, "", "FA", 8)
	if len(h.recs) != 1 {
		t.Fatalf("%d handlers", len(h.recs))
	}
	r := h.recs[0]
	if r.info.Client != cli || r.info.Server != srv || r.info.MidStream {
		t.Errorf("info %+v", r.info)
	}
	if r.data[0].String() != "GET / HTTP/1.1\r\n" || r.data[1].String() != "HTTP/1.1 200 OK" {
		t.Errorf("data %q %q", r.data[0].String(), r.data[1].String())
	}
	if len(r.closed) != 1 || r.closed[0] != ClosedFIN || r.lastTS != 8 || h.a.Conns() != 0 {
		t.Errorf("closed %v at %d, %d conns", r.closed, r.lastTS, h.a.Conns())
	}
}

func TestOutOfOrder(t *testing.T) {
	h := newHarness(Config{})
	h.handshake()
	h.seg(cli, srv, 1011, "KLMNO", "A", 4)
	h.seg(cli, srv, 1006, "FGHIJ", "A", 5)
	if h.recs != nil {
		t.Fatal("data delivered before the hole was filled")
	}
	h.seg(cli, srv, 1001, "ABCDE", "A", 6)
	r := h.recs[0]
	if got := r.data[0].String(); got != "ABCDEFGHIJKLMNO" {
		t.Errorf("got %q", got)
	}
	if st := h.a.Stats(); st.OutOfOrder != 2 || h.a.Buffered() != 0 {
		t.Errorf("out of order %d, buffered %d", st.OutOfOrder, h.a.Buffered())
	}
}

// TestOverlapFirstWins: later copies of bytes already delivered or
// buffered are dropped; the first copy is what the handler sees.
func TestOverlapFirstWins(t *testing.T) {
	h := newHarness(Config{})
	h.handshake()
	h.seg(cli, srv, 1001, "AAAA", "A", 4)     // delivered
	h.seg(cli, srv, 1003, "xxYY", "A", 5)     // xx overlaps delivered AA: dropped; YY new
	h.seg(cli, srv, 1011, "1111", "A", 6)     // buffered (hole 1007..1010)
	h.seg(cli, srv, 1009, "zz2222", "A", 7)   // zz new, 2222 overlaps buffered 1111
	h.seg(cli, srv, 1007, "BB", "A", 8)       // fills the hole
	h.seg(cli, srv, 1001, "AAAAYYBB", "A", 9) // a full retransmission
	r := h.recs[0]
	if got := r.data[0].String(); got != "AAAAYYBBzz1111" {
		t.Errorf("got %q, want AAAAYYBBzz1111", got)
	}
	st := h.a.Stats()
	if st.Retransmitted != 1 || st.OverlapBytes != 2+4+8 {
		t.Errorf("retransmitted %d, overlap bytes %d", st.Retransmitted, st.OverlapBytes)
	}
}

// TestWraparound: sequence numbers wrap past 2^32.
func TestWraparound(t *testing.T) {
	h := newHarness(Config{})
	isn := uint32(0xfffffff0)
	h.seg(cli, srv, isn, "", "S", 1)
	h.seg(srv, cli, 7, "", "SA", 2)
	first := "0123456789abcdef" // crosses 2^32
	h.seg(cli, srv, isn+1+16, "tail", "A", 4)
	h.seg(cli, srv, isn+1, first, "A", 5)
	if got := h.recs[0].data[0].String(); got != first+"tail" {
		t.Errorf("got %q", got)
	}
}

// TestMidStream: a connection whose SYN was not captured starts at the
// first segment of each direction; the client is the higher port.
func TestMidStream(t *testing.T) {
	h := newHarness(Config{})
	h.seg(srv, cli, 90000, "HTTP/1.1 200 OK", "A", 1)
	h.seg(cli, srv, 70000, "GET /next", "A", 2)
	r := h.recs[0]
	if !r.info.MidStream || r.info.Client != cli {
		t.Errorf("info %+v", r.info)
	}
	if r.data[1].String() != "HTTP/1.1 200 OK" || r.data[0].String() != "GET /next" {
		t.Errorf("data %q %q", r.data[0].String(), r.data[1].String())
	}
	// Lone ACKs and FINs of unknown connections open nothing.
	h.seg(Endpoint{cli.Addr, 1}, srv, 5, "", "A", 3)
	h.seg(Endpoint{cli.Addr, 2}, srv, 5, "", "FA", 3)
	if h.a.Conns() != 1 {
		t.Errorf("%d conns", h.a.Conns())
	}
}

func TestRST(t *testing.T) {
	h := newHarness(Config{})
	h.handshake()
	h.seg(cli, srv, 1001, "hello", "A", 4)
	h.seg(srv, cli, 5001, "", "RA", 5)
	r := h.recs[0]
	if len(r.closed) != 1 || r.closed[0] != ClosedRST || h.a.Conns() != 0 {
		t.Errorf("closed %v, %d conns", r.closed, h.a.Conns())
	}
}

// TestTimeout: a connection idle for the timeout ends, by its own packet
// times: a packet after the timeout starts a new connection, and a sweep
// driven by another flow's packets ends idle ones at their last packet.
func TestTimeout(t *testing.T) {
	h := newHarness(Config{IdleTimeout: 10 * time.Second})
	h.handshake()
	h.seg(cli, srv, 1001, "one", "A", 1*sec)
	h.seg(cli, srv, 1004, "two", "A", 20*sec) // 19 s later: a new connection
	if len(h.recs) != 2 || h.recs[0].closed[0] != ClosedTimeout || h.recs[0].lastTS != 1*sec {
		t.Fatalf("%d handlers; first closed %v at %d", len(h.recs), h.recs[0].closed, h.recs[0].lastTS)
	}
	if !h.recs[1].info.MidStream || h.recs[1].data[0].String() != "two" {
		t.Errorf("second connection %+v %q", h.recs[1].info, h.recs[1].data[0].String())
	}
	other := Endpoint{netip.MustParseAddr("198.51.100.9"), 5555}
	h.seg(other, srv, 1, "x", "A", 35*sec)
	if h.recs[1].closed == nil || h.recs[1].closed[0] != ClosedTimeout || h.recs[1].lastTS != 20*sec {
		t.Errorf("idle connection not swept: %v", h.recs[1].closed)
	}
	if st := h.a.Stats(); st.TimedOut != 2 {
		t.Errorf("timed out %d", st.TimedOut)
	}
}

// TestEviction: the least recently active connection makes room.
func TestEviction(t *testing.T) {
	h := newHarness(Config{MaxConns: 3})
	for i := range 5 {
		c := Endpoint{cli.Addr, uint16(50000 + i)}
		h.seg(c, srv, 1, "data", "A", int64(i))
	}
	if h.a.Conns() != 3 || h.a.Stats().Evicted != 2 {
		t.Errorf("%d conns, %d evicted", h.a.Conns(), h.a.Stats().Evicted)
	}
	if h.recs[0].closed[0] != ClosedEvicted || h.recs[1].closed[0] != ClosedEvicted || h.recs[2].closed != nil {
		t.Errorf("evicted the wrong connections")
	}
	h.a.Flush()
	for _, r := range h.recs[2:] {
		if len(r.closed) != 1 || r.closed[0] != ClosedEnd {
			t.Errorf("flush: %v", r.closed)
		}
	}
}

// TestBufferBounds: past the per-stream bound the oldest hole is skipped
// (a gap, counted); past the assembler's bound too.
func TestBufferBounds(t *testing.T) {
	h := newHarness(Config{MaxBytesPerStream: 10, MaxBytes: 15})
	h.handshake()
	h.seg(cli, srv, 1001, "a", "A", 4)
	h.seg(cli, srv, 1005, "bbbbbb", "A", 5) // hole of 3, 6 buffered
	h.seg(cli, srv, 1014, "cccccc", "A", 6) // 12 buffered > 10: skip the first hole
	r := h.recs[0]
	if r.data[0].String() != "abbbbbb" || r.gaps[0] != 3 {
		t.Errorf("data %q gaps %d", r.data[0].String(), r.gaps[0])
	}
	st := h.a.Stats()
	if st.LostBytes != 3 || st.ForcedSkips != 1 || h.a.Buffered() != 6 {
		t.Errorf("lost %d skips %d buffered %d", st.LostBytes, st.ForcedSkips, h.a.Buffered())
	}
	// A second connection pushes the assembler past 15: the least recently
	// active connection with buffered data gives up its hole.
	c2 := Endpoint{cli.Addr, 40001}
	h.seg(c2, srv, 1, "", "S", 7)
	h.seg(c2, srv, 2, "x", "A", 8)
	h.seg(c2, srv, 10, "yyyyyyyyyy", "A", 9) // 6 + 10 > 15
	if h.a.Buffered() > 15 {
		t.Errorf("buffered %d > 15", h.a.Buffered())
	}
	if r.data[0].String() != "abbbbbbcccccc" || r.gaps[0] != 3+3 {
		t.Errorf("first connection %q gaps %d", r.data[0].String(), r.gaps[0])
	}
}

// TestBufferBoundTakesLeastRecentlyActive: past the assembler's bound the
// hole given up is the one of the connection with buffered data that was
// active least recently, whatever the order the data was buffered in;
// connections whose holes were filled are not asked.
func TestBufferBoundTakesLeastRecentlyActive(t *testing.T) {
	h := newHarness(Config{MaxBytes: 12})
	ports := []uint16{40001, 40002, 40003, 40004}
	for i, p := range ports {
		c := Endpoint{cli.Addr, p}
		h.seg(c, srv, 1000, "", "S", int64(i))
		if i < 3 {
			h.seg(c, srv, 1003, "aaaa", "A", 10+int64(i)) // a 2-byte hole, 4 buffered
		}
	}
	first := Endpoint{cli.Addr, ports[0]}
	h.seg(first, srv, 1001, "xx", "A", 20)                       // fills the hole: nothing buffered
	h.seg(Endpoint{cli.Addr, ports[1]}, srv, 1009, "b", "A", 21) // active again, 5 buffered
	h.seg(Endpoint{cli.Addr, ports[3]}, srv, 1005, "cccc", "A", 22)
	// 5 + 4 + 4 > 12: the third connection, active at 12, is older than
	// the second (21) and the first holds nothing.
	got := map[uint16]int64{}
	for _, r := range h.recs {
		got[r.info.Client.Port] = r.gaps[0]
	}
	if got[ports[2]] != 2 || got[ports[1]] != 0 || got[ports[0]] != 0 || h.a.Buffered() != 9 {
		t.Errorf("gaps by port %v, buffered %d; want only %d to skip its hole", got, h.a.Buffered(), ports[2])
	}
}

func TestUDPConversations(t *testing.T) {
	h := newHarness(Config{UDPTimeout: 5 * time.Second})
	dns := Endpoint{srv.Addr, 53}
	h.a.AddDatagram(cli, dns, []byte("query"), 1)
	h.a.AddDatagram(dns, cli, []byte("answer"), 2)
	h.a.AddDatagram(cli, dns, []byte("query2"), 10*sec) // after the timeout
	if len(h.recs) != 2 || h.recs[0].info.Transport != UDP || h.recs[0].info.Client != cli {
		t.Fatalf("%d conversations", len(h.recs))
	}
	if h.recs[0].data[0].String() != "query" || h.recs[0].data[1].String() != "answer" || h.recs[0].closed[0] != ClosedTimeout {
		t.Errorf("first %+v", h.recs[0])
	}
}

// streamCheck is a Handler that checks every byte against the stream the
// segments were cut from.
type streamCheck struct {
	t      testing.TB
	want   [2][]byte
	pos    [2]int64
	closed int
}

func (s *streamCheck) Data(d Direction, b []byte, _ int64) {
	w := s.want[d]
	if s.pos[d]+int64(len(b)) > int64(len(w)) || !bytes.Equal(w[s.pos[d]:s.pos[d]+int64(len(b))], b) {
		s.t.Fatalf("%v: %q at %d is not the stream's", d, b, s.pos[d])
	}
	s.pos[d] += int64(len(b))
}
func (s *streamCheck) Gap(d Direction, n int64) { s.pos[d] += n }
func (s *streamCheck) Close(CloseReason, int64) { s.closed++ }

// FuzzAssembler cuts two streams into segments (overlapping, duplicated,
// reordered, some lost, at any ISN) from the fuzz input: every byte the
// handler receives must be the stream's byte at that position, the
// counters must stay consistent, and nothing may panic.
func FuzzAssembler(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, uint32(0), uint64(1))
	f.Add([]byte("some longer input that makes many segments"), uint32(0xffffff00), uint64(7))
	f.Fuzz(func(t *testing.T, plan []byte, isn uint32, seed uint64) {
		if len(plan) > 4096 {
			return
		}
		rng := rand.New(rand.NewPCG(seed, uint64(isn)))
		var want [2][]byte
		for d := range want {
			want[d] = make([]byte, 200+rng.IntN(2000))
			for i := range want[d] {
				want[d][i] = byte(rng.Uint32())
			}
		}
		check := &streamCheck{t: t, want: want}
		a := New(Config{MaxBytesPerStream: 512, MaxBytes: 700, MaxSegmentsPerStream: 8}, func(ConnInfo) Handler { return check })
		isns := [2]uint32{isn, isn ^ 0x5a5a5a5a}
		a.Add(&Segment{Src: cli, Dst: srv, Seq: isns[0], SYN: true})
		a.Add(&Segment{Src: srv, Dst: cli, Seq: isns[1], SYN: true, ACK: true})
		for i, b := range plan {
			d := Direction(b & 1)
			off := int(b>>1) * len(want[d]) / 128
			n := 1 + int(plan[(i+1)%len(plan)])%300
			end := min(off+n, len(want[d]))
			src, dst := cli, srv
			if d == ServerToClient {
				src, dst = srv, cli
			}
			a.Add(&Segment{Src: src, Dst: dst, Seq: isns[d] + 1 + uint32(off), ACK: true, Payload: want[d][off:end], Timestamp: int64(i)})
			total := 0
			for _, c := range a.conns {
				for _, h := range c.half {
					sum := 0
					for _, p := range h.pending {
						sum += len(p.data)
					}
					if sum != h.buffered {
						t.Fatalf("buffered %d, pending holds %d", h.buffered, sum)
					}
					total += sum
				}
			}
			if total != a.buffered || a.buffered > 700 {
				t.Fatalf("assembler buffered %d, connections hold %d", a.buffered, total)
			}
		}
		a.Flush()
		if a.Conns() != 0 || a.Buffered() != 0 {
			t.Fatalf("after flush: %d conns, %d buffered", a.Conns(), a.Buffered())
		}
	})
}

// TestAckedHoleSkipped: when the receiver acknowledges bytes past a hole,
// the hole was lost to the capture: it is skipped at once (not at close),
// so the data after it reaches the handler while the connection lives.
func TestAckedHoleSkipped(t *testing.T) {
	h := newHarness(Config{})
	h.handshake()
	h.seg(cli, srv, 1001, "req1", "A", 4)
	h.seg(cli, srv, 1010, "req3", "A", 5) // 1005..1009 not captured
	r := h.recs[0]
	if r.data[0].String() != "req1" {
		t.Fatalf("data %q", r.data[0].String())
	}
	// The server acknowledges up to 1014: the hole is gone for good.
	h.a.Add(&Segment{Src: srv, Dst: cli, Seq: 5001, Ack: 1014, ACK: true, Payload: []byte("resp"), Timestamp: 6})
	if r.data[0].String() != "req1req3" || r.gaps[0] != 5 || len(r.closed) != 0 {
		t.Errorf("data %q gaps %d closed %v", r.data[0].String(), r.gaps[0], r.closed)
	}
	// An acknowledgement that does not reach past the hole skips nothing.
	h.seg(cli, srv, 1020, "late", "A", 7)
	h.a.Add(&Segment{Src: srv, Dst: cli, Seq: 5005, Ack: 1015, ACK: true, Timestamp: 8})
	if r.gaps[0] != 5 {
		t.Errorf("gaps %d after an ack before the hole", r.gaps[0])
	}
}

// TestRetransmissionAfterClose: a segment that repeats bytes of a
// connection closed by FIN opens no new connection; new bytes or a SYN do.
func TestRetransmissionAfterClose(t *testing.T) {
	h := newHarness(Config{})
	h.handshake()
	h.seg(cli, srv, 1001, "GET /", "A", 4)
	h.seg(srv, cli, 5001, "200 OK", "A", 5)
	h.seg(cli, srv, 1006, "", "FA", 6)
	h.seg(srv, cli, 5007, "", "FA", 7)
	if h.a.Conns() != 0 {
		t.Fatal("not closed")
	}
	h.seg(srv, cli, 5001, "200 OK", "A", 8) // late retransmission
	if h.a.Conns() != 0 || len(h.recs) != 1 || h.a.Stats().Retransmitted != 1 {
		t.Errorf("retransmission opened a connection: %d conns, %d handlers", h.a.Conns(), len(h.recs))
	}
	h.seg(cli, srv, 9000, "", "S", 9) // port reuse: a new connection
	h.seg(cli, srv, 9001, "again", "A", 10)
	if len(h.recs) != 2 || h.recs[1].data[0].String() != "again" {
		t.Errorf("new connection after close: %d handlers", len(h.recs))
	}
}

// TestClosedConnsBound: past MaxClosed the oldest closed connection is
// forgotten, so its late retransmission opens a connection seen
// mid-stream, while a more recent one's is still recognised.
func TestClosedConnsBound(t *testing.T) {
	h := newHarness(Config{MaxClosed: 2})
	ports := []uint16{40001, 40002, 40003}
	for i, p := range ports {
		c := Endpoint{cli.Addr, p}
		ts := int64(10 * i)
		h.seg(c, srv, 1000, "", "S", ts)
		h.seg(srv, c, 5000, "", "SA", ts+1)
		h.seg(c, srv, 1001, "req", "A", ts+2)
		h.seg(c, srv, 1004, "", "FA", ts+3)
		h.seg(srv, c, 5001, "", "FA", ts+4)
	}
	h.seg(Endpoint{cli.Addr, ports[2]}, srv, 1001, "req", "A", 40) // remembered
	if h.a.Conns() != 0 {
		t.Fatalf("a retransmission of a remembered connection opened one")
	}
	h.seg(Endpoint{cli.Addr, ports[0]}, srv, 1001, "req", "A", 41) // forgotten
	if h.a.Conns() != 1 || h.a.Stats().MidStream != 1 {
		t.Errorf("%d connections, %d mid-stream; want the forgotten one reopened", h.a.Conns(), h.a.Stats().MidStream)
	}
}

// TestClosedConnsExpire: a closed connection is forgotten once another
// one closes more than closedTTL later, so on a long capture the table
// holds only recent closings (its memory does not grow with the length).
func TestClosedConnsExpire(t *testing.T) {
	h := newHarness(Config{MaxClosed: 1000})
	closeConn := func(port uint16, ts int64) {
		c := Endpoint{cli.Addr, port}
		h.seg(c, srv, 1000, "", "S", ts)
		h.seg(srv, c, 5000, "", "SA", ts+1)
		h.seg(c, srv, 1001, "req", "A", ts+2)
		h.seg(c, srv, 1004, "", "FA", ts+3)
		h.seg(srv, c, 5001, "", "FA", ts+4)
	}
	for i := range 10 {
		closeConn(uint16(40000+i), int64(i)*1e9)
	}
	if n := len(h.a.closed.m); n != 10 {
		t.Fatalf("%d closed connections remembered, want 10", n)
	}
	closeConn(41000, closedTTL+5e9+4) // the first six closed more than closedTTL before
	if n := len(h.a.closed.m); n != 5 {
		t.Errorf("%d closed connections remembered after the TTL, want 5", n)
	}
	h.seg(Endpoint{cli.Addr, 40009}, srv, 1001, "req", "A", closedTTL+5e9+5) // still remembered
	if h.a.Conns() != 0 {
		t.Errorf("a retransmission of a remembered connection opened one")
	}
}
