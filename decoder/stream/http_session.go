package stream

import (
	"bytes"

	"github.com/netcap-go/netcap/reassembly"
)

// The HTTP session: which direction carries requests, requests paired
// with their responses, and the end of the connection.

// httpPair is a request and its response; either may be missing.
type httpPair struct {
	req, res *httpMsg
	emitted  bool
}

type httpSession struct {
	c       *Conn
	decided bool      // the direction of requests is known
	reqDir  Direction // the direction requests travel in
	early   []chunk   // data before the roles were known
	earlyN  [2]int
	first   [2][]byte // the first bytes of each direction, up to a gap
	gapped  [2]bool
	half    [2]httpHalf // 0 parses requests, 1 responses
	queue   []*httpPair // pairs in request order, not yet written
	tunnel  bool        // CONNECT or Upgrade: the rest is not HTTP
	seen    []httpSeen  // software header values observed

	clientIP, serverIP string // the records' addresses (addrs)
}

// halfFor returns the parser of a wire direction.
func (s *httpSession) halfFor(dir Direction) *httpHalf {
	if dir == s.reqDir {
		return &s.half[0]
	}
	return &s.half[1]
}

// clientServer returns the HTTP client's and server's endpoints.
func (s *httpSession) clientServer() (client, server reassembly.Endpoint) {
	if s.reqDir == ClientToServer {
		return s.c.Info.Client, s.c.Info.Server
	}
	return s.c.Info.Server, s.c.Info.Client
}

func (s *httpSession) Data(dir Direction, data []byte, ts int64) {
	if !s.decided && len(s.early) == 0 {
		// Nothing kept yet: the first data alone mostly decides, and
		// then need not be copied.
		var first [2][]byte
		var n [2]int
		first[dir], n[dir] = data[:min(len(data), DetectBytes)], len(data)
		s.settle(first, n, false)
	}
	if !s.decided {
		s.early = append(s.early, chunk{dir: dir, data: bytes.Clone(data), ts: ts})
		s.earlyN[dir] += len(data)
		if !s.gapped[dir] && len(s.first[dir]) < DetectBytes {
			s.first[dir] = append(s.first[dir], data[:min(len(data), DetectBytes-len(s.first[dir]))]...)
		}
		s.decide(false)
		return
	}
	s.feed(s.halfFor(dir), data, ts)
}

func (s *httpSession) Gap(dir Direction, n int64) {
	if !s.decided {
		s.early = append(s.early, chunk{dir: dir, gap: n})
		s.gapped[dir] = true
		return
	}
	s.gap(s.halfFor(dir), n)
}

// decide finds which direction carries requests, from the first bytes
// of both (as Detect did), then replays what was kept.
func (s *httpSession) decide(final bool) {
	if !s.settle(s.first, s.earlyN, final) {
		return
	}
	early := s.early
	s.early, s.first = nil, [2][]byte{}
	for _, ch := range early {
		if ch.gap > 0 {
			s.gap(s.halfFor(ch.dir), ch.gap)
		} else {
			s.feed(s.halfFor(ch.dir), ch.data, ch.ts)
		}
	}
}

// settle sets the direction of requests from the first bytes of each
// direction and how many bytes each sent, when they tell (or final says
// nothing more will come).
func (s *httpSession) settle(first [2][]byte, sent [2]int, final bool) bool {
	cs, ss := classifyStart(first[ClientToServer]), classifyStart(first[ServerToClient])
	switch {
	case cs == startRequest || ss == startResponse:
		s.reqDir = ClientToServer
	case cs == startResponse || ss == startRequest:
		s.reqDir = ServerToClient
	case final || sent[0] >= DetectBytes || sent[1] >= DetectBytes:
		s.reqDir = ClientToServer
	default:
		return false
	}
	s.decided = true
	s.half[0].requests = true
	return true
}

// simpleResponse starts the response to an HTTP/0.9 request, which has
// no status line or header: the body lasts until the connection closes.
func (s *httpSession) simpleResponse(h *httpHalf, ts int64) bool {
	var p *httpPair
	for _, q := range s.queue {
		if q.res == nil && q.req != nil {
			p = q
			break
		}
	}
	if p == nil || p.req.proto != "HTTP/0.9" {
		return false
	}
	m := &httpMsg{proto: p.req.proto, start: ts, end: ts, clen: -1, host: p.req.host, head: h.buffers().head[:0]}
	p.res, h.pair, h.msg, h.state = m, p, m, hUntilClose
	s.startBody(m, p.req)
	return true
}

// startMessage reads a start line: a request opens a pair, a response
// takes the oldest request still without one.
func (s *httpSession) startMessage(h *httpHalf, line []byte, ts int64) bool {
	b := h.buffers()
	b.fieldLines = b.fieldLines[:0]
	m := &httpMsg{request: h.requests, start: h.lineTS, end: ts, clen: -1, head: b.head[:0]}
	if h.requests {
		method, target, proto, ok := parseRequestLine(line)
		if !ok {
			return false
		}
		m.method, m.target, m.proto = method, target, proto
		if len(s.queue) >= httpMaxPending { // too many unanswered: write the oldest
			s.emit(s.queue[0])
		}
		h.pair = &httpPair{req: m}
		s.queue = append(s.queue, h.pair)
	} else {
		proto, code, ok := parseStatusLine(line)
		if !ok {
			return false
		}
		m.proto, m.status = proto, code
		// The oldest request without a response, unless it was sent after
		// this response began (then its own request was lost). After lost
		// bytes in this direction whole responses may be missing: take the
		// latest request sent before this response, as on a connection
		// without pipelining, and write the ones before it unanswered.
		h.pair = nil
		var unanswered []*httpPair
		for _, p := range s.queue {
			if p.res != nil || p.req == nil {
				continue
			}
			if p.req.start > m.start {
				break
			}
			if h.pair != nil {
				unanswered = append(unanswered, h.pair)
			}
			h.pair = p
			if !h.lostSync {
				break
			}
		}
		h.lostSync = false
		for _, p := range unanswered {
			s.emit(p)
		}
		if h.pair == nil { // its request was not seen
			h.pair = &httpPair{}
			s.queue = append(s.queue, h.pair)
		}
		h.pair.res = m
	}
	h.msg = m
	return true
}

func (s *httpSession) Close(ts int64) {
	if !s.decided {
		s.decide(true)
	}
	for i := range s.half {
		h := &s.half[i]
		if h.state == hStart && len(h.line) > 0 {
			s.partialStart(h) // a start line cut by the end of the data
		}
		if h.msg == nil {
			continue
		}
		// A body delimited by the connection's end is complete; anything
		// else ends early.
		s.finish(h, 0, h.state != hUntilClose)
	}
	for len(s.queue) > 0 {
		s.emit(s.queue[0])
	}
	for i := range s.half {
		s.half[i].releaseBuffers()
	}
}
