package stream

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	"github.com/netcap-go/netcap/decoder/content"
	"github.com/netcap-go/netcap/decoder/dpi"
)

// HTTP/1.x message framing, per direction (RFC 9112): start lines, header
// fields, Content-Length, chunked and connection-close bodies, and what
// lost bytes do to each.

// Bounds on what a session keeps; every byte comes from the wire.
const (
	httpMaxLine    = 16 << 10           // a start, header, chunk-size or trailer line (longer ones are cut)
	httpMaxHeader  = 64 << 10           // the header lines of one message
	httpMaxFields  = 256                // header fields kept per message
	httpMaxPending = 64                 // requests waiting for their responses
	httpMaxResync  = 32 << 20           // bytes skipped looking for a start line before giving up
	httpMaxBlank   = 64                 // empty lines tolerated between messages
	httpSniffBytes = content.SniffBytes // body bytes kept for content sniffing
)

// httpState is where a direction's parser is.
type httpState uint8

const (
	hStart      httpState = iota // before a start line
	hHeaders                     // reading header fields
	hBody                        // a Content-Length body: left bytes to go
	hChunkSize                   // a chunk-size line
	hChunkData                   // chunk data: left bytes to go
	hChunkEnd                    // the CRLF after chunk data
	hTrailers                    // trailer fields after the last chunk
	hUntilClose                  // a body that ends with the connection
	hResync                      // framing lost: skipping to the next start line
	hDead                        // nothing more to parse in this direction
)

// httpField is a header field, its name in canonical form.
type httpField struct{ name, value string }

// httpMsg is one request or response.
type httpMsg struct {
	request    bool
	start, end int64 // capture times of the first and the last byte
	method     string
	target     string
	proto      string
	status     int
	fields     []httpField
	hdrBytes   int
	clen       int64 // Content-Length, -1 when absent or invalid
	enc        string
	ctype      string
	name       string // file name (Content-Disposition or URL)
	host       string

	size      int64  // body bytes after transfer decoding
	keep      bool   // keep the whole body (payloads, forms, content coding)
	body      []byte // up to MaxBodyBytes of it
	cut       bool   // the body was longer than what was kept
	head      []byte // the first decoded bytes, for sniffing
	file      *FileWriter
	gap       bool // bytes of the message were lost
	truncated bool // the message ended before its framing said
	done      bool
	sniffed   string
	params    map[string][]string // query and form fields of a request
}

// get returns a header field's values joined by ", " (allocating only
// for a field that occurs more than once).
func (m *httpMsg) get(name string) string {
	var joined string
	found := false
	for _, f := range m.fields {
		switch {
		case f.name != name:
		case found:
			joined += ", " + f.value
		default:
			joined, found = f.value, true
		}
	}
	return joined
}

// encoded reports whether the body has a content coding the session
// decodes (gzip, deflate).
func (m *httpMsg) encoded() bool {
	switch m.enc {
	case "gzip", "x-gzip", "deflate":
		return true
	}
	return false
}

// httpHalf parses one direction.
type httpHalf struct {
	requests bool // this direction carries requests
	state    httpState
	line     []byte
	lineTS   int64
	scratch  *httpScratch
	msg      *httpMsg
	pair     *httpPair
	left     int64 // bytes left in a Content-Length body or a chunk
	skipped  int64 // bytes skipped while resynchronising
	blank    int   // empty lines before the current start line
	lostSync bool  // framing was lost since the last start line
}

// httpScratch is a direction's scratch space, which its messages use in
// turn: header lines not yet read into fields (readFields), a body's
// first bytes for sniffing, the fields of a written message. Sessions
// take it from a pool for their first message and give it back at Close:
// most connections carry a message or two each way, and would otherwise
// each grow their own.
type httpScratch struct {
	fieldLines  []byte // each line ended by '\n'
	head        []byte // cap httpSniffBytes
	spareFields []httpField
}

var httpScratches = sync.Pool{New: func() any {
	return &httpScratch{fieldLines: make([]byte, 0, httpHeaderBuf), head: make([]byte, 0, httpSniffBytes)}
}}

// Sizes of the scratch buffers: most header sections fit in the first,
// and a buffer grown beyond the second is not kept.
const (
	httpHeaderBuf       = 1 << 10
	httpMaxPooledHeader = 16 << 10
)

// buffers returns the direction's scratch space.
func (h *httpHalf) buffers() *httpScratch {
	if h.scratch == nil {
		h.scratch = httpScratches.Get().(*httpScratch)
	}
	return h.scratch
}

// releaseBuffers gives the scratch space back, when no message uses it.
func (h *httpHalf) releaseBuffers() {
	b := h.scratch
	if b == nil {
		return
	}
	h.scratch = nil
	if cap(b.fieldLines) <= httpMaxPooledHeader {
		b.fieldLines, b.head = b.fieldLines[:0], b.head[:0]
		httpScratches.Put(b)
	}
}

// feed parses a direction's bytes.
func (s *httpSession) feed(h *httpHalf, data []byte, ts int64) {
	for len(data) > 0 {
		if s.tunnel {
			return
		}
		switch h.state {
		case hDead:
			return
		case hBody, hChunkData:
			n := int(min(h.left, int64(len(data))))
			s.body(h.msg, data[:n], ts)
			data = data[n:]
			if h.left -= int64(n); h.left == 0 {
				if h.state == hBody {
					s.finish(h, ts, false)
				} else {
					h.state = hChunkEnd
				}
			}
		case hUntilClose:
			s.body(h.msg, data, ts)
			return
		case hStart:
			if !h.requests && len(h.line) == 0 && s.simpleResponse(h, ts) {
				continue
			}
			fallthrough
		default:
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				h.addLine(data, ts)
				return
			}
			line := h.endLine(data[:i], ts)
			data = data[i+1:]
			s.onLine(h, bytes.TrimSuffix(line, []byte("\r")), ts)
			h.line = h.line[:0]
		}
	}
}

// addLine adds bytes of a line; beyond httpMaxLine they are dropped (the
// line is cut, the framing kept).
func (h *httpHalf) addLine(p []byte, ts int64) {
	if len(h.line) == 0 {
		h.lineTS = ts
	}
	if room := httpMaxLine - len(h.line); room > 0 {
		h.line = append(h.line, p[:min(len(p), room)]...)
	}
	if h.state == hResync {
		h.skipped += int64(len(p))
	}
}

// endLine returns the line that p (without its '\n') ends, as addLine
// would keep it: p itself, cut, when the line started in this data (no
// copy), else the kept line with p added.
func (h *httpHalf) endLine(p []byte, ts int64) []byte {
	if len(h.line) > 0 {
		h.addLine(p, ts)
		return h.line
	}
	h.lineTS = ts
	if h.state == hResync {
		h.skipped += int64(len(p))
	}
	return p[:min(len(p), httpMaxLine)]
}

// onLine handles a complete line (without CR LF).
func (s *httpSession) onLine(h *httpHalf, line []byte, ts int64) {
	switch h.state {
	case hStart, hResync:
		if len(line) == 0 && h.state == hStart {
			if h.blank++; h.blank > httpMaxBlank {
				h.state, h.lostSync = hResync, true
			}
			return
		}
		if s.startMessage(h, line, ts) {
			h.state, h.blank, h.skipped = hHeaders, 0, 0
			if h.msg.proto == "HTTP/0.9" { // no header section, no body
				s.finish(h, ts, false)
			}
			return
		}
		h.state, h.lostSync = hResync, true         // not a start line: framing lost
		if h.skipped++; h.skipped > httpMaxResync { // addLine counted the rest
			h.state = hDead
		}
	case hHeaders:
		if len(line) == 0 {
			s.headersDone(h, ts)
			return
		}
		h.addFieldLine(line)
	case hChunkSize:
		n, ok := parseChunkSize(line)
		switch {
		case !ok:
			s.lost(h)
		case n == 0:
			h.state = hTrailers
		default:
			h.left, h.state = n, hChunkData
		}
	case hChunkEnd:
		h.state = hChunkSize
		if len(line) > 0 { // no CR LF after the chunk: read it as the next size
			s.onLine(h, line, ts)
		}
	case hTrailers:
		if len(line) == 0 {
			s.finish(h, ts, false)
			return
		}
		h.addFieldLine(line)
	}
}

// headersDone decides how the message's body is framed (RFC 9112 6.3).
func (s *httpSession) headersDone(h *httpHalf, ts int64) {
	h.readFields()
	m := h.msg
	m.end = ts
	chunked := false
	for _, f := range m.fields {
		switch f.name {
		case "Content-Length":
			if m.clen < 0 {
				v, _, _ := strings.Cut(f.value, ",")
				if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
					m.clen = n
				}
			}
		case "Transfer-Encoding": // chunked when the last coding is
			last := f.value[strings.LastIndexByte(f.value, ',')+1:]
			chunked = strings.TrimSpace(strings.ToLower(last)) == "chunked"
		}
	}
	m.enc = strings.ToLower(strings.TrimSpace(m.get("Content-Encoding")))
	m.ctype = m.get("Content-Type")
	s.observe(m)

	var req *httpMsg
	if h.pair != nil {
		req = h.pair.req
	}
	if !m.request && req != nil {
		m.host = req.host // for the file record
	}
	bodyless := false
	switch {
	case m.request:
		m.host = m.get("Host")
		if m.host == "" {
			m.host = hostFromTarget(m.target)
		}
		s.requestCredentials(m)
		bodyless = !chunked && m.clen <= 0
	case m.status == 101: // Switching Protocols: the rest is another protocol
		s.finish(h, ts, false)
		s.tunnel = true
		return
	case m.status >= 100 && m.status < 200: // interim (100 Continue): the final response follows
		if h.pair.req == nil { // nothing to wait for: forget the pair
			h.pair.emitted = true
			s.emit(h.pair)
		}
		h.pair.res = nil
		h.msg, h.pair, h.state = nil, nil, hStart
		return
	case req != nil && req.method == "CONNECT" && m.status >= 200 && m.status < 300:
		s.finish(h, ts, false)
		s.tunnel = true
		return
	case req != nil && req.method == "HEAD", m.status == 204, m.status == 304:
		bodyless = true
	default:
		bodyless = !chunked && m.clen == 0
	}
	if bodyless {
		s.finish(h, ts, false)
		return
	}
	s.startBody(m, req)
	switch {
	case chunked:
		h.state = hChunkSize
	case m.clen > 0:
		h.state, h.left = hBody, m.clen
	default:
		h.state = hUntilClose
	}
}

// parseChunkSize reads a chunk-size line: hex digits, then optional
// whitespace and chunk extensions.
func parseChunkSize(line []byte) (int64, bool) {
	line = bytes.TrimLeft(line, " \t")
	n, digits := int64(0), 0
	for _, ch := range line {
		var v byte
		switch {
		case ch >= '0' && ch <= '9':
			v = ch - '0'
		case ch >= 'a' && ch <= 'f':
			v = ch - 'a' + 10
		case ch >= 'A' && ch <= 'F':
			v = ch - 'A' + 10
		default:
			rest := strings.TrimLeft(string(line[digits:]), " \t")
			if digits == 0 || rest != "" && rest[0] != ';' {
				return 0, false
			}
			return n, true
		}
		if digits++; digits > 15 {
			return 0, false
		}
		n = n<<4 | int64(v)
	}
	return n, digits > 0
}

// partialStart reads a start line cut by lost bytes (as in a capture
// with a short snap length): a request whose method and target are
// complete, or a status line with its code, still makes a (truncated)
// message.
func (s *httpSession) partialStart(h *httpHalf) {
	line := bytes.TrimLeft(h.line, "\r\n")
	if h.requests {
		method, rest, ok := bytes.Cut(line, []byte(" "))
		target, _, ok2 := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
		if !ok || !ok2 || len(target) == 0 || !dpi.IsHTTPMethod(method) {
			return
		}
		line = append(append(append(append([]byte(nil), method...), ' '), target...), " HTTP/1.1"...)
		if !s.startMessage(h, line, h.lineTS) {
			return
		}
		h.msg.proto = "" // not seen
	} else if classifyStatus(line, false) != startResponse || !s.startMessage(h, line[:12], h.lineTS) {
		return
	}
	h.msg.truncated = true
	h.state = hHeaders
}

// lost gives up on the framing of h's direction: the message in progress
// ends (truncated) and the parser looks for the next start line.
func (s *httpSession) lost(h *httpHalf) {
	if h.msg != nil {
		h.msg.gap = true
		s.finish(h, 0, true)
	}
	if h.state != hDead {
		h.state = hResync
	}
	h.line, h.lostSync = h.line[:0], true
}

// gap handles n lost bytes in h's direction: a body of known length
// keeps its framing (with a hole), anything else resynchronises.
func (s *httpSession) gap(h *httpHalf, n int64) {
	if s.tunnel || h.state == hDead {
		return
	}
	m := h.msg
	if m != nil {
		m.gap = true
		m.file.Discard() // it would have a hole
		m.file = nil
	}
	switch h.state {
	case hBody:
		if n < h.left {
			h.left -= n
			return
		}
		rest := n - h.left
		s.finish(h, 0, false)
		if rest > 0 {
			s.lost(h)
		}
	case hChunkData:
		if n < h.left {
			h.left -= n
			return
		}
		s.lost(h)
	case hUntilClose:
	case hStart:
		s.partialStart(h)
		s.lost(h)
	default:
		s.lost(h)
	}
}

// hostFromTarget returns the host of an absolute-form target
// ("http://example.com/x", as sent to proxies) or of an authority-form
// one ("example.com:443", CONNECT).
func hostFromTarget(target string) string {
	if i := strings.Index(target, "://"); i > 0 {
		rest := target[i+3:]
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			rest = rest[:j]
		}
		if _, h, ok := strings.Cut(rest, "@"); ok {
			rest = h
		}
		return rest
	}
	if !strings.HasPrefix(target, "/") && target != "*" {
		return target
	}
	return ""
}
