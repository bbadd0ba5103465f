package stream

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/base64"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/content"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// httpProtocol reads HTTP/1.x connections: every request and response on
// a keep-alive connection, pipelined or not, with Content-Length, chunked
// or connection-close framing. Each request/response pair becomes an HTTP
// record when the response ends (requests without a response at Close);
// bodies become File records, Basic authorization and login forms become
// Credentials, and User-Agent, Server and X-Powered-By become Software
// sightings.
//
// A connection is HTTP when its client starts with a request line whose
// version is HTTP/1.x or its server starts with an HTTP/1.x status line;
// the usual ports only decide the order in which protocols are asked. A
// connection picked up mid-stream may have its roles the wrong way round
// (the reassembler guesses the client by port); the session then reads
// requests from the "server" direction.
type httpProtocol struct{}

// HTTP is the HTTP protocol (httpProtocol).
var HTTP Protocol = httpProtocol{}

func (httpProtocol) Info() decoder.Info {
	return decoder.Info{Name: "HTTP", Type: types.Type_NC_HTTP, Group: decoder.GroupStream, Description: "HTTP/1.x requests with their responses"}
}


func (httpProtocol) Ports() []uint16 { return []uint16{80, 8080, 8000, 8008, 8081, 8888, 3128} }

func (httpProtocol) New(c *Conn) Session { return &httpSession{c: c, reqDir: ClientToServer} }

// Detect answers Yes as soon as either direction starts with an HTTP/1.x
// start line (a request line from one side or a status line from the
// other), No when the client speaks something else (or the server speaks
// first with something that is not a status line).
func (httpProtocol) Detect(info *reassembly.ConnInfo, client, server []byte) Verdict {
	if info.Transport != reassembly.TCP {
		return No
	}
	cs, ss := classifyStart(client), classifyStart(server)
	switch {
	case cs == startRequest || cs == startResponse || ss == startRequest || ss == startResponse:
		return Yes
	case cs == startNot && ss == startNot:
		return No
	case cs == startNot:
		// A client that sees its connection from the start sends a request
		// first; mid-stream, the server's side may still show a status line.
		if !info.MidStream || len(client) >= DetectBytes || len(server) >= DetectBytes {
			return No
		}
	case ss == startNot:
		// An HTTP server does not speak first.
		if len(client) == 0 || len(client) >= DetectBytes || len(server) >= DetectBytes {
			return No
		}
	case len(client) >= DetectBytes || len(server) >= DetectBytes:
		return No
	}
	return NeedMore
}

// httpStart classifies the first bytes of a direction.
type httpStart uint8

const (
	startMaybe    httpStart = iota // too few bytes to tell
	startNot                       // not the start of an HTTP/1.x message
	startRequest                   // a request line
	startResponse                  // a status line
)

// httpMethods are the request methods recognised on an incomplete request
// line (a complete line with HTTP/1.x is a request whatever its method).
var httpMethods = []string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
	"MKCALENDAR", "CHECKOUT", "MERGE", "BIND", "UNBIND", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
}

// classifyStart tells whether b starts like an HTTP/1.x request or
// response. Empty lines before the start line are allowed (RFC 9112 2.2).
func classifyStart(b []byte) httpStart {
	for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	if len(b) == 0 {
		return startMaybe
	}
	line, complete := b, false
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line, complete = bytes.TrimSuffix(b[:i], []byte("\r")), true
	}
	res := classifyStatus(line, complete)
	if res == startResponse {
		return res
	}
	req := classifyRequest(line, complete, len(b) >= DetectBytes)
	switch {
	case req == startRequest:
		return req
	case req == startMaybe || res == startMaybe:
		return startMaybe
	}
	return startNot
}

// classifyStatus checks "HTTP/1.x NNN".
func classifyStatus(line []byte, complete bool) httpStart {
	const pattern = "HTTP/1.0 000"
	for i := 0; i < len(pattern); i++ {
		if i >= len(line) {
			if complete {
				return startNot
			}
			return startMaybe
		}
		ok := false
		switch pattern[i] {
		case '0':
			ok = line[i] >= '0' && line[i] <= '9'
		default:
			ok = line[i] == pattern[i]
		}
		if !ok {
			return startNot
		}
	}
	if len(line) > len(pattern) && line[len(pattern)] != ' ' && line[len(pattern)] != '\t' {
		return startNot
	}
	return startResponse
}

// classifyRequest checks "METHOD SP target SP HTTP/1.x" (complete) or a
// plausible beginning of one. With long, an incomplete line that is too
// long to wait for counts when its method is a known one.
func classifyRequest(line []byte, complete, long bool) httpStart {
	if complete {
		if _, _, _, ok := parseRequestLine(line); ok {
			return startRequest
		}
		return startNot
	}
	sp := bytes.IndexByte(line, ' ')
	method := line
	if sp >= 0 {
		method = line[:sp]
	}
	if len(method) > 20 || !isMethod(method) {
		return startNot
	}
	if sp < 0 {
		if len(method) == 20 {
			return startNot
		}
		return startMaybe
	}
	for _, ch := range line[sp+1:] {
		if ch < 0x20 && ch != '\t' && ch != '\r' || ch == 0x7f {
			return startNot
		}
	}
	if long {
		for _, m := range httpMethods {
			if string(method) == m {
				return startRequest
			}
		}
		return startNot
	}
	return startMaybe
}

// isMethod reports whether b is a plausible method token (upper-case
// letters, digits, '-' and '_'; the method names in use are upper case).
func isMethod(b []byte) bool {
	for _, ch := range b {
		if !(ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			return false
		}
	}
	return true
}

// parseRequestLine splits "METHOD SP target SP HTTP/1.x". A target with
// stray spaces ends at the first one, as tshark and Arkime read it; the
// version is the last word. "GET SP target" alone is an HTTP/0.9 request.
func parseRequestLine(line []byte) (method, target, proto string, ok bool) {
	first := bytes.IndexByte(line, ' ')
	if first <= 0 || first > 20 || !isMethod(line[:first]) {
		return "", "", "", false
	}
	rest := bytes.Trim(line[first+1:], " \t")
	t, _, _ := bytes.Cut(rest, []byte(" "))
	last := bytes.LastIndexByte(rest, ' ')
	switch {
	case len(t) == 0:
		return "", "", "", false
	case last < 0: // no version
		if string(line[:first]) != "GET" || t[0] != '/' {
			return "", "", "", false
		}
		proto = "HTTP/0.9"
	default:
		p := rest[last+1:]
		if len(p) != 8 || !bytes.HasPrefix(p, []byte("HTTP/1.")) || p[7] < '0' || p[7] > '9' {
			return "", "", "", false
		}
		proto = string(p)
	}
	for _, ch := range t {
		if ch < 0x20 && ch != '\t' || ch == 0x7f {
			return "", "", "", false
		}
	}
	return string(line[:first]), string(t), proto, true
}

// parseStatusLine splits "HTTP/1.x NNN reason".
func parseStatusLine(line []byte) (proto string, code int, ok bool) {
	if classifyStatus(line, true) != startResponse {
		return "", 0, false
	}
	code, _ = strconv.Atoi(string(line[9:12]))
	return string(line[:8]), code, true
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

// get returns a header field's values joined by ", ".
func (m *httpMsg) get(name string) string {
	var vals []string
	for _, f := range m.fields {
		if f.name == name {
			vals = append(vals, f.value)
		}
	}
	return strings.Join(vals, ", ")
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

// httpPair is a request and its response; either may be missing.
type httpPair struct {
	req, res *httpMsg
	emitted  bool
}

// httpHalf parses one direction.
type httpHalf struct {
	requests bool // this direction carries requests
	state    httpState
	line     []byte
	lineTS   int64
	msg      *httpMsg
	pair     *httpPair
	left     int64 // bytes left in a Content-Length body or a chunk
	skipped  int64 // bytes skipped while resynchronising
	blank    int   // empty lines before the current start line
	lostSync bool  // framing was lost since the last start line
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
	seen    map[string]bool
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
	cs, ss := classifyStart(s.first[ClientToServer]), classifyStart(s.first[ServerToClient])
	switch {
	case cs == startRequest || ss == startResponse:
		s.reqDir = ClientToServer
	case cs == startResponse || ss == startRequest:
		s.reqDir = ServerToClient
	case final || s.earlyN[0] >= DetectBytes || s.earlyN[1] >= DetectBytes:
		s.reqDir = ClientToServer
	default:
		return
	}
	s.decided = true
	s.half[0].requests = true
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
			h.addLine(data[:i], ts)
			data = data[i+1:]
			line := bytes.TrimSuffix(h.line, []byte("\r"))
			s.onLine(h, line, ts)
			h.line = h.line[:0]
		}
	}
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
	m := &httpMsg{proto: p.req.proto, start: ts, end: ts, clen: -1, host: p.req.host}
	p.res, h.pair, h.msg, h.state = m, p, m, hUntilClose
	s.startBody(m, p.req)
	return true
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
		addField(h.msg, line)
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
		addField(h.msg, line)
	}
}

// addField adds a header (or trailer) field line; folded lines continue
// the previous field. Fields beyond the bounds are dropped.
func addField(m *httpMsg, line []byte) {
	if m.hdrBytes += len(line) + 2; m.hdrBytes > httpMaxHeader {
		return
	}
	if line[0] == ' ' || line[0] == '\t' { // obsolete line folding
		if n := len(m.fields); n > 0 {
			m.fields[n-1].value += " " + string(bytes.TrimSpace(line))
		}
		return
	}
	name, value, ok := bytes.Cut(line, []byte(":"))
	name = bytes.TrimSpace(name)
	if !ok || len(name) == 0 || len(m.fields) >= httpMaxFields {
		return
	}
	m.fields = append(m.fields, httpField{name: canonicalHeader(name), value: string(bytes.TrimSpace(value))})
}

// canonicalHeader returns the canonical form of a header name
// ("content-type" → "Content-Type"), as net/http keys its maps.
func canonicalHeader(name []byte) string {
	out := make([]byte, len(name))
	upper := true
	for i, ch := range name {
		switch {
		case upper && ch >= 'a' && ch <= 'z':
			ch -= 'a' - 'A'
		case !upper && ch >= 'A' && ch <= 'Z':
			ch += 'a' - 'A'
		}
		out[i] = ch
		upper = ch == '-'
	}
	return string(out)
}

// startMessage reads a start line: a request opens a pair, a response
// takes the oldest request still without one.
func (s *httpSession) startMessage(h *httpHalf, line []byte, ts int64) bool {
	m := &httpMsg{request: h.requests, start: h.lineTS, end: ts, clen: -1}
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

// headersDone decides how the message's body is framed (RFC 9112 6.3).
func (s *httpSession) headersDone(h *httpHalf, ts int64) {
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
		case "Transfer-Encoding":
			codings := strings.Split(strings.ToLower(f.value), ",")
			chunked = strings.TrimSpace(codings[len(codings)-1]) == "chunked"
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

// startBody prepares the body's file and what is kept of it.
func (s *httpSession) startBody(m, req *httpMsg) {
	target := m.target
	if req != nil {
		target = req.target
	}
	m.name = fileNameFromTarget(target)
	if fn := dispositionFileName(m.get("Content-Disposition")); fn != "" {
		m.name = fn
	}
	source := "HTTP response"
	if m.request {
		source = "HTTP request"
	}
	m.file = s.c.NewFile(FileInfo{
		Name: m.name, Source: source, ContentType: m.ctype, Host: m.host, Timestamp: m.start,
		FromServer: m.request == (s.reqDir == ServerToClient),
	})
	m.keep = m.encoded() || s.c.Options().Payloads || m.request && isFormType(m.ctype)
}

// body takes transfer-decoded body bytes.
func (s *httpSession) body(m *httpMsg, p []byte, ts int64) {
	m.end = ts
	m.size += int64(len(p))
	if m.keep {
		room := s.c.Options().MaxBodyBytes - len(m.body)
		if len(p) > room {
			if m.encoded() && !m.cut {
				// Too large to decode in memory: the file gets the body
				// as it travels, still coded.
				fileData(m, m.body)
			}
			m.cut = true
		}
		m.body = append(m.body, p[:max(0, min(len(p), room))]...)
	}
	if m.encoded() && !m.cut {
		return // decoded when complete
	}
	fileData(m, p)
}

// fileData writes body bytes to the message's file and keeps the first
// ones for sniffing.
func fileData(m *httpMsg, p []byte) {
	m.file.Write(p)
	if len(m.head) < httpSniffBytes {
		m.head = append(m.head, p[:min(len(p), httpSniffBytes-len(m.head))]...)
	}
}

// finish completes the message in h: decodes its body, writes its file,
// and writes its pair when both sides are complete.
func (s *httpSession) finish(h *httpHalf, ts int64, truncated bool) {
	m, p := h.msg, h.pair
	h.msg, h.pair, h.left = nil, nil, 0
	if h.state != hDead {
		h.state = hStart
	}
	if m == nil {
		return
	}
	if ts > m.end {
		m.end = ts
	}
	m.truncated = m.truncated || truncated
	s.completeBody(m)
	m.done = true
	if m.request {
		s.formCredentials(m)
		s.holdBody(m)
	}
	if p != nil && p.res != nil && p.res.done && (p.req == nil || p.req.done) {
		s.emit(p)
	}
}

// holdBody bounds what complete requests waiting for their responses
// keep of their bodies: nothing without Payloads (the form fields are
// read), else MaxBodyBytes for all of them together.
func (s *httpSession) holdBody(m *httpMsg) {
	if !s.c.Options().Payloads {
		m.body = nil
		return
	}
	held := 0
	for _, p := range s.queue {
		if p.req != nil && p.req != m && p.req.done && !p.emitted {
			held += len(p.req.body)
		}
	}
	if room := s.c.Options().MaxBodyBytes - held; len(m.body) > room {
		m.body = bytes.Clone(m.body[:max(0, room)])
	}
}

// completeBody decodes a content-coded body, closes the file and sniffs
// the content type. The decoded body is bounded by MaxBodyBytes: a body
// that would decode to more (or does not decode) is extracted as it
// travelled, coded.
func (s *httpSession) completeBody(m *httpMsg) {
	if m.encoded() && m.size > 0 && !m.cut {
		limit := s.c.Options().MaxBodyBytes
		if n, ok := decodeContent(m.enc, m.body, limit+1, nil); !ok || n > limit {
			fileData(m, m.body)
		} else {
			keep := s.c.Options().Payloads || m.request
			var decoded []byte
			decodeContent(m.enc, m.body, limit, func(p []byte) {
				fileData(m, p)
				if keep {
					decoded = append(decoded, p...)
				}
			})
			m.body = decoded
		}
	}
	if m.truncated || m.gap {
		m.file.Discard() // an incomplete body: no record (as tshark exports only complete objects)
	} else {
		m.file.Close()
	}
	m.file = nil
	m.sniffed = content.DetectType(m.head)
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
		if !ok || !ok2 || len(target) == 0 || !slices.Contains(httpMethods, string(method)) {
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
}

// emit writes a pair's HTTP record (once) and forgets the pair.
func (s *httpSession) emit(p *httpPair) {
	if i := slices.Index(s.queue, p); i >= 0 {
		s.queue = slices.Delete(s.queue, i, i+1)
	}
	if p.emitted {
		return
	}
	p.emitted = true
	if p.req == nil && p.res == nil || !s.c.Enabled(types.Type_NC_HTTP) {
		return
	}
	client, server := s.clientServer()
	r := &types.HTTP{
		SrcIP: client.Addr.String(), DstIP: server.Addr.String(),
		SrcPort: int32(client.Port), DstPort: int32(server.Port),
	}
	payloads := s.c.Options().Payloads
	if q := p.req; q != nil {
		r.Timestamp = q.start
		r.Proto, r.Method, r.URL, r.Host = types.WireString(q.proto), types.WireString(q.method), types.WireString(q.target), types.WireString(q.host)
		r.UserAgent, r.Referer = types.WireString(q.get("User-Agent")), types.WireString(q.get("Referer"))
		r.ReqCookies = requestCookies(q)
		r.ReqContentLength = contentLength(q)
		r.ContentType = types.WireString(q.ctype)
		r.ReqContentEncoding = types.WireString(q.enc)
		r.ContentTypeDetected = q.sniffed
		r.RequestHeader = headerMap(q)
		if len(q.params) > 0 {
			r.Parameters = map[string]string{}
			for k, v := range q.params {
				r.Parameters[types.WireString(k)] = types.WireString(strings.Join(v, ", "))
			}
		}
		if payloads && len(q.body) > 0 {
			r.RequestBody = q.body
		}
	}
	if a := p.res; a != nil {
		if p.req == nil {
			r.Timestamp, r.Proto = a.start, types.WireString(a.proto)
		} else {
			r.FirstByteAfter = a.start - p.req.start
			r.DoneAfter = a.end - p.req.start
		}
		r.StatusCode = int32(a.status)
		r.ResCookies = responseCookies(a)
		r.ResContentLength = contentLength(a)
		r.ResContentEncoding = types.WireString(a.enc)
		r.ServerName = types.WireString(a.get("Server"))
		r.ResContentType = types.WireString(a.ctype)
		r.ResContentTypeDetected = a.sniffed
		r.ResponseHeader = headerMap(a)
		if payloads && len(a.body) > 0 {
			r.ResponseBody = a.body
		}
	}
	s.c.Emit(types.Type_NC_HTTP, r)
}

// contentLength is the declared Content-Length, or the body's length
// when none was declared (chunked, connection close), bounded to int32.
func contentLength(m *httpMsg) int32 {
	n := m.clen
	if n < 0 {
		n = m.size
	}
	return int32(min(n, math.MaxInt32))
}

// headerMap returns the fields by name, values joined by ", ".
func headerMap(m *httpMsg) map[string]string {
	if len(m.fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(m.fields))
	for _, f := range m.fields {
		k := types.WireString(f.name)
		if v, ok := out[k]; ok {
			out[k] = v + ", " + types.WireString(f.value)
		} else {
			out[k] = types.WireString(f.value)
		}
	}
	return out
}

// requestCookies reads the Cookie fields.
func requestCookies(m *httpMsg) []*types.HTTPCookie {
	var out []*types.HTTPCookie
	for _, f := range m.fields {
		if f.name != "Cookie" {
			continue
		}
		for part := range strings.SplitSeq(f.value, ";") {
			name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
			if name == "" || len(out) >= httpMaxFields {
				continue
			}
			out = append(out, &types.HTTPCookie{Name: types.WireString(name), Value: types.WireString(value)})
		}
	}
	return out
}

// responseCookies reads the Set-Cookie fields.
func responseCookies(m *httpMsg) []*types.HTTPCookie {
	var out []*types.HTTPCookie
	for _, f := range m.fields {
		if f.name != "Set-Cookie" || len(out) >= httpMaxFields {
			continue
		}
		c, err := http.ParseSetCookie(f.value)
		if err != nil {
			name, value, _ := strings.Cut(f.value, "=")
			value, _, _ = strings.Cut(value, ";")
			out = append(out, &types.HTTPCookie{Name: types.WireString(strings.TrimSpace(name)), Value: types.WireString(strings.TrimSpace(value))})
			continue
		}
		hc := &types.HTTPCookie{
			Name: types.WireString(c.Name), Value: types.WireString(c.Value), Path: types.WireString(c.Path), Domain: types.WireString(c.Domain),
			MaxAge: int32(c.MaxAge), Secure: c.Secure, HttpOnly: c.HttpOnly, SameSite: int32(c.SameSite),
		}
		if !c.Expires.IsZero() && c.Expires.Unix() > 0 {
			hc.Expires = uint64(c.Expires.Unix())
		}
		out = append(out, hc)
	}
	return out
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

// fileNameFromTarget is the last segment of a target's path, unescaped
// ("" for "/").
func fileNameFromTarget(target string) string {
	if i := strings.Index(target, "://"); i > 0 {
		target = target[i+3:]
		if j := strings.IndexByte(target, '/'); j >= 0 {
			target = target[j:]
		} else {
			target = "/"
		}
	}
	if i := strings.IndexAny(target, "?#"); i >= 0 {
		target = target[:i]
	}
	if u, err := url.PathUnescape(target); err == nil {
		target = u
	}
	if name := path.Base("/" + strings.TrimRight(target, "/")); name != "/" {
		return name
	}
	return ""
}

// dispositionFileName returns the filename parameter of a
// Content-Disposition value.
func dispositionFileName(v string) string {
	if v == "" {
		return ""
	}
	if _, params, err := mime.ParseMediaType(v); err == nil {
		return params["filename"]
	}
	return ""
}

// isFormType reports whether a request content type carries form fields.
func isFormType(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// decodeContent decodes a gzip or deflate body, handing at most limit
// decoded bytes to sink (which may be nil), and returns how many it
// decoded. It reports false when the body does not start as the coding
// says (nothing was decoded); a stream that breaks later keeps what was
// decoded.
func decodeContent(enc string, data []byte, limit int, sink func([]byte)) (int, bool) {
	var r io.Reader
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return 0, false
		}
		r = zr
	case "deflate":
		// RFC 9110 says zlib; some servers send raw deflate.
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(data))
		}
	default:
		return 0, false
	}
	buf := make([]byte, 32<<10)
	total := 0
	for total < limit {
		n, err := r.Read(buf[:min(len(buf), limit-total)])
		if n > 0 {
			if sink != nil {
				sink(buf[:n])
			}
			total += n
		}
		if err != nil {
			return total, total > 0 || err == io.EOF
		}
	}
	return total, true
}

// requestCredentials harvests HTTP Basic authorization (and the user
// name of Digest) from a request's header.
func (s *httpSession) requestCredentials(m *httpMsg) {
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		v := m.get(name)
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		switch strings.ToLower(scheme) {
		case "basic":
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
			if err != nil {
				continue
			}
			user, pass, _ := strings.Cut(string(raw), ":")
			s.c.EmitCredentials("HTTP", user, pass, "Basic "+name+" "+m.method+" "+m.host+m.target, m.start)
		case "digest":
			for part := range strings.SplitSeq(rest, ",") {
				k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
				if strings.EqualFold(k, "username") {
					s.c.EmitCredentials("HTTP", strings.Trim(val, `"`), "", "Digest "+name+" "+m.method+" "+m.host+m.target, m.start)
				}
			}
		}
	}
}

// httpUserKeys and httpPassKeys are the parameter names taken for a user
// name and a password.
var (
	httpUserKeys = []string{"user", "username", "login", "email", "user_name", "userid", "uname"}
	httpPassKeys = []string{"pass", "password", "pwd", "passwd"}
)

// formCredentials reads a request's query and form fields into its
// parameters, and reports a user/password pair found there (a password
// field is needed: a user name alone is not a credential).
func (s *httpSession) formCredentials(m *httpMsg) {
	params := map[string][]string{}
	add := func(k, v string) {
		if _, ok := params[k]; !ok && len(params) >= httpMaxFields {
			return
		}
		if len(v) > httpMaxLine {
			v = v[:httpMaxLine]
		}
		if len(params[k]) < 16 {
			params[k] = append(params[k], v)
		}
	}
	if _, q, ok := strings.Cut(m.target, "?"); ok {
		q, _, _ = strings.Cut(q, "#")
		parseURLEncoded(q, add)
	}
	mt, mp, _ := mime.ParseMediaType(m.ctype)
	switch {
	case len(m.body) == 0:
	case mt == "application/x-www-form-urlencoded":
		parseURLEncoded(string(m.body), add)
	case mt == "multipart/form-data" && mp["boundary"] != "":
		parseMultipartForm(m.body, mp["boundary"], add)
	}
	if len(params) == 0 {
		return
	}
	m.params = params
	first := func(keys []string) string {
		for _, k := range keys {
			for pk, v := range params {
				if strings.EqualFold(pk, k) && len(v) > 0 && v[0] != "" {
					return v[0]
				}
			}
		}
		return ""
	}
	if pass := first(httpPassKeys); pass != "" {
		s.c.EmitCredentials("HTTP", first(httpUserKeys), pass, "form "+m.method+" "+m.host+m.target, m.start)
	}
}

// parseURLEncoded reads "a=b&c=d" (also ';'-free, tolerant of bad
// escapes, which stay as they are).
func parseURLEncoded(q string, add func(k, v string)) {
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if u, err := url.QueryUnescape(k); err == nil {
			k = u
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		if k != "" {
			add(k, v)
		}
	}
}

// parseMultipartForm reads the fields of a multipart/form-data body; a
// file part gives its file name as the value.
func parseMultipartForm(body []byte, boundary string, add func(k, v string)) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for range httpMaxFields {
		part, err := mr.NextRawPart()
		if err != nil {
			return
		}
		name := part.FormName()
		if name == "" {
			continue
		}
		if fn := part.FileName(); fn != "" {
			add(name, fn)
			continue
		}
		v, _ := io.ReadAll(io.LimitReader(part, httpMaxLine))
		add(name, string(v))
	}
}

// observe reports the software named in a message's User-Agent, Server
// and X-Powered-By fields (each distinct value once per connection).
func (s *httpSession) observe(m *httpMsg) {
	fields := []string{"Server", "X-Powered-By"}
	if m.request {
		fields = []string{"User-Agent"}
	}
	for _, name := range fields {
		v := m.get(name)
		if v == "" || s.seen[name+"\x00"+v] || len(s.seen) >= httpMaxFields {
			continue
		}
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		s.seen[name+"\x00"+v] = true
		var products []httpProduct
		if name == "User-Agent" {
			products = userAgentProducts(v)
		} else {
			products = headerProducts(v)
		}
		for _, p := range products {
			s.c.Run().ObserveSoftware(SoftwareObservation{
				Timestamp: m.start, Product: p.name, Version: p.version, OS: p.os, Notes: p.comment,
				SourceName: "HTTP " + name, SourceData: v, Service: "HTTP", Flow: s.c.Ident,
			})
		}
	}
}

// httpProduct is a product named in a header.
type httpProduct struct{ name, version, comment, os string }

// productTokens splits a product list (RFC 9110 10.1.5): "name/version"
// tokens and parenthesised comments, which belong to the token before
// them.
func productTokens(v string) []httpProduct {
	var out []httpProduct
	for len(out) < 16 {
		v = strings.TrimLeft(v, " \t")
		if v == "" {
			break
		}
		if v[0] == '(' {
			depth, end := 0, len(v)
		scan:
			for i := 0; i < len(v); i++ {
				switch v[i] {
				case '(':
					depth++
				case ')':
					if depth--; depth == 0 {
						end = i + 1
						break scan
					}
				}
			}
			comment := strings.TrimSpace(strings.Trim(v[:end], "()"))
			if n := len(out); n > 0 && out[n-1].comment == "" {
				out[n-1].comment = comment
			} else {
				out = append(out, httpProduct{comment: comment})
			}
			v = v[end:]
			continue
		}
		end := strings.IndexAny(v, " \t(")
		if end < 0 {
			end = len(v)
		}
		name, version, _ := strings.Cut(v[:end], "/")
		out = append(out, httpProduct{name: name, version: version})
		v = v[end:]
	}
	return out
}

// plausibleProduct keeps names and versions that look like ones.
func plausibleProduct(p httpProduct) bool {
	if p.name == "" || len(p.name) > 64 || len(p.version) > 32 || strings.ContainsAny(p.name, "=;,\"") {
		return false
	}
	return p.version == "" || strings.ContainsAny(p.version[:1], "0123456789vV")
}

// headerProducts reads a Server or X-Powered-By value: every
// "product/version" token ("SimpleHTTP/0.6 Python/3.11.2" gives two), or
// the whole value when it names one product without a version
// ("Google Frontend", "ASP.NET").
func headerProducts(v string) []httpProduct {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "/") {
		name, comment, _ := strings.Cut(v, "(")
		p := httpProduct{name: strings.TrimSpace(name), comment: strings.TrimSpace(strings.TrimSuffix(comment, ")"))}
		if plausibleProduct(p) {
			return []httpProduct{p}
		}
		return nil
	}
	var out []httpProduct
	for _, p := range productTokens(v) {
		if p.version != "" && plausibleProduct(p) && len(out) < 4 {
			out = append(out, p)
		}
	}
	return out
}

// userAgentProducts reads a User-Agent. A browser's ("Mozilla/5.0
// (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)
// Chrome/120.0.0.0 Safari/537.36") gives the browser (the most specific
// of the tokens) with the operating system from the first comment; other
// agents ("curl/7.88.1", "Wget/1.21.3") give their product tokens.
func userAgentProducts(v string) []httpProduct {
	toks := productTokens(v)
	if len(toks) == 0 {
		return nil
	}
	if toks[0].name != "Mozilla" {
		var out []httpProduct
		for _, p := range toks {
			if p.version != "" && plausibleProduct(p) && len(out) < 4 {
				out = append(out, p)
			}
		}
		return out
	}
	version := func(name string) (string, bool) {
		for _, p := range toks {
			if p.name == name {
				return p.version, true
			}
		}
		return "", false
	}
	os := uaOS(toks[0].comment)
	var b httpProduct
	for _, cand := range []struct{ token, product string }{
		{"Edg", "Edge"}, {"Edge", "Edge"}, {"EdgA", "Edge"}, {"OPR", "Opera"}, {"Opera", "Opera"},
		{"SamsungBrowser", "Samsung Internet"}, {"YaBrowser", "Yandex Browser"}, {"Vivaldi", "Vivaldi"},
		{"Firefox", "Firefox"}, {"FxiOS", "Firefox"}, {"CriOS", "Chrome"}, {"Chromium", "Chromium"}, {"Chrome", "Chrome"},
	} {
		if ver, ok := version(cand.token); ok {
			b = httpProduct{name: cand.product, version: ver}
			break
		}
	}
	if b.name == "" {
		if _, ok := version("Safari"); ok {
			ver, _ := version("Version")
			b = httpProduct{name: "Safari", version: ver}
		}
	}
	if b.name == "" {
		// "compatible; MSIE 8.0; …", "Trident/7.0; rv:11.0", bots:
		// "compatible; Googlebot/2.1; +http://…".
		for part := range strings.SplitSeq(toks[0].comment, ";") {
			part = strings.TrimSpace(part)
			switch {
			case strings.HasPrefix(part, "MSIE "):
				b = httpProduct{name: "Internet Explorer", version: strings.TrimPrefix(part, "MSIE ")}
			case strings.HasPrefix(part, "rv:") && strings.Contains(toks[0].comment, "Trident/"):
				b = httpProduct{name: "Internet Explorer", version: strings.TrimPrefix(part, "rv:")}
			case b.name == "" && strings.Contains(part, "/") && !strings.HasPrefix(part, "+"):
				name, ver, _ := strings.Cut(part, "/")
				b = httpProduct{name: name, version: ver}
			}
			if b.name == "Internet Explorer" {
				break
			}
		}
	}
	if b.name == "" || !plausibleProduct(b) {
		return nil
	}
	b.os, b.comment = os, toks[0].comment
	return []httpProduct{b}
}

// uaOS picks the operating system from a browser's first comment.
func uaOS(comment string) string {
	for part := range strings.SplitSeq(comment, ";") {
		part = strings.TrimSpace(part)
		for _, prefix := range []string{"Windows", "Android", "Linux", "CrOS", "iPhone OS", "CPU iPhone OS", "CPU OS", "Mac OS X", "Intel Mac OS X", "FreeBSD", "OpenBSD", "Ubuntu"} {
			if strings.HasPrefix(part, prefix) {
				return part
			}
		}
	}
	return ""
}
