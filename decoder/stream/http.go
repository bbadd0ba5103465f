package stream

import (
	"bytes"
	"strconv"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/dpi"
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
//
// This file detects the protocol and reads start lines; the rest is spread
// by concern: http_session.go pairs requests with responses,
// http_parser.go frames messages, http_body.go keeps bodies and makes
// their files, http_record.go builds the HTTP record, http_credentials.go
// and http_software.go find credentials and software in the headers.
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

// classifyStatus checks "HTTP/1.x NNN" (dpi.MatchHTTPStatusLine, which
// the classifier of the flow records uses too).
func classifyStatus(line []byte, complete bool) httpStart {
	switch dpi.MatchHTTPStatusLine(line) {
	case dpi.Matched:
		return startResponse
	case dpi.Partial:
		if !complete {
			return startMaybe
		}
	}
	return startNot
}

// classifyRequest checks "METHOD SP target SP HTTP/1.x" (complete) or a
// plausible beginning of one. With long, an incomplete line that is too
// long to wait for counts when its method is one in common use.
func classifyRequest(line []byte, complete, long bool) httpStart {
	if complete {
		if _, ok := requestLine(line); ok {
			return startRequest
		}
		return startNot
	}
	sp := bytes.IndexByte(line, ' ')
	method := line
	if sp >= 0 {
		method = line[:sp]
	}
	if len(method) > 20 || !dpi.IsMethodToken(method) {
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
		if dpi.IsHTTPMethod(method) {
			return startRequest
		}
		return startNot
	}
	return startMaybe
}

// requestLine splits "METHOD SP target SP HTTP/1.x"
// (dpi.ParseHTTPRequestLine, which the classifier of the flow records uses
// too); "GET SP target" alone is an HTTP/0.9 request (Version empty).
func requestLine(line []byte) (dpi.HTTPRequestLine, bool) {
	r, ok := dpi.ParseHTTPRequestLine(line)
	return r, ok && (len(r.Version) == 0 || dpi.IsHTTP1Version(r.Version))
}

// parseRequestLine reads a request line (requestLine) into strings.
func parseRequestLine(line []byte) (method, target, proto string, ok bool) {
	r, ok := requestLine(line)
	if !ok {
		return "", "", "", false
	}
	proto = "HTTP/0.9"
	if len(r.Version) > 0 {
		proto = httpToken(r.Version)
	}
	return httpToken(r.Method), string(r.Target), proto, true
}

// parseStatusLine splits "HTTP/1.x NNN reason".
func parseStatusLine(line []byte) (proto string, code int, ok bool) {
	if classifyStatus(line, true) != startResponse {
		return "", 0, false
	}
	code, _ = strconv.Atoi(string(line[9:12]))
	return httpToken(line[:8]), code, true
}

// httpToken returns a method or an HTTP-version as a string, the common
// ones without allocating.
func httpToken(b []byte) string {
	switch string(b) {
	case "GET":
		return "GET"
	case "POST":
		return "POST"
	case "HEAD":
		return "HEAD"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "CONNECT":
		return "CONNECT"
	case "PATCH":
		return "PATCH"
	case "HTTP/1.1":
		return "HTTP/1.1"
	case "HTTP/1.0":
		return "HTTP/1.0"
	}
	return string(b)
}
