package dpi

import "bytes"

// Content predicates shared with the stream decoders (decoder/stream and
// its observers), so that the classifier and the decoders agree on what
// starts a protocol. Detect asks them of one payload; a stream protocol
// asks them of the first bytes of a direction, which may stop short of
// the answer, hence Match. They never allocate and never panic.

// Match is what a predicate says of the bytes seen so far.
type Match uint8

const (
	// NoMatch: the bytes cannot start it.
	NoMatch Match = iota
	// Partial: the bytes so far start like it; more are needed to tell.
	Partial
	// Matched: the bytes start with it.
	Matched
)

// matchPrefix compares the start of p with s (upper case; fold lowers
// ASCII letters of p first): Matched when p holds all of s, Partial when
// p ends inside it.
func matchPrefix(p []byte, s string, fold bool) Match {
	for i := 0; i < len(s); i++ {
		if i >= len(p) {
			return Partial
		}
		c := p[i]
		if fold {
			c = upper(c)
		}
		if c != s[i] {
			return NoMatch
		}
	}
	return Matched
}

// MatchSSHBanner tells whether p starts with the beginning of an SSH
// version line, "SSH-" protoversion "-" (RFC 4253 4.2), protoversion
// being digits, a dot and digits ("2.0", "1.99"). tshark reads any line
// starting with "SSH-" as one; the form RFC 4253 gives is the one both
// take for SSH.
func MatchSSHBanner(p []byte) Match {
	if m := matchPrefix(p, "SSH-", false); m != Matched {
		return m
	}
	for i := 4; i < 12; i++ {
		if i >= len(p) {
			return Partial
		}
		switch c := p[i]; {
		case i == 5:
			if c != '.' {
				return NoMatch
			}
		case i == 4 || i == 6:
			if !isDigit(c) {
				return NoMatch
			}
		case c == '-':
			return Matched
		case !isDigit(c):
			return NoMatch
		}
	}
	return NoMatch
}

// MatchHTTPStatusLine tells whether p starts with an HTTP/1.x status
// line: "HTTP/1.<digit> " and a three-digit status code (RFC 9112 4), then
// the end of the line, a space or a tab (RFC 9112 lets a recipient split
// the line on whitespace), or the end of p.
func MatchHTTPStatusLine(p []byte) Match {
	const pattern = "HTTP/1.0 000" // '0': any digit
	for i := 0; i < len(pattern); i++ {
		if i >= len(p) {
			return Partial
		}
		if pattern[i] == '0' && !isDigit(p[i]) || pattern[i] != '0' && p[i] != pattern[i] {
			return NoMatch
		}
	}
	if len(p) == len(pattern) {
		return Matched
	}
	switch p[len(pattern)] {
	case ' ', '\t', '\r', '\n':
		return Matched
	}
	return NoMatch
}

// HTTPRequestLine is a request line split into its words.
type HTTPRequestLine struct {
	Method, Target, Version []byte
}

// ParseHTTPRequestLine splits a request line (without its line end),
// "METHOD SP target SP version" (RFC 9112 3), as tshark and Arkime read
// it: the method is 1 to 20 upper-case letters, digits, '-' or '_' (the
// method names in use); a target with stray spaces ends at the first one,
// the version is the last word; the target holds no control characters.
// Without a version word the line is an HTTP/0.9 simple request only as
// "GET /path" (Version empty). The version is not checked: HTTP, SIP and
// RTSP share the form, and callers accept the versions they read.
func ParseHTTPRequestLine(line []byte) (HTTPRequestLine, bool) {
	first := bytes.IndexByte(line, ' ')
	if first <= 0 || first > 20 || !IsMethodToken(line[:first]) {
		return HTTPRequestLine{}, false
	}
	rest := bytes.Trim(line[first+1:], " \t")
	target := rest
	if sp := bytes.IndexByte(rest, ' '); sp >= 0 {
		target = rest[:sp]
	}
	if len(target) == 0 || hasControl(target) {
		return HTTPRequestLine{}, false
	}
	r := HTTPRequestLine{Method: line[:first], Target: target}
	last := bytes.LastIndexByte(rest, ' ')
	if last < 0 {
		if string(r.Method) != "GET" || target[0] != '/' {
			return HTTPRequestLine{}, false
		}
		return r, true
	}
	r.Version = rest[last+1:]
	return r, true
}

// IsHTTP1Version reports whether v is "HTTP/1." and a digit.
func IsHTTP1Version(v []byte) bool {
	return len(v) == 8 && hasPrefix(v, "HTTP/1.") && isDigit(v[7])
}

// httpMethods are the request methods in common use (RFC 9110, WebDAV,
// CalDAV, UPnP): a request line too long to wait for counts as one when
// its method is among them.
var httpMethods = [...]string{
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
	"MKCALENDAR", "CHECKOUT", "MERGE", "BIND", "UNBIND", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
}

// IsHTTPMethod reports whether m is a request method in common use.
func IsHTTPMethod(m []byte) bool {
	for _, k := range httpMethods {
		if string(m) == k {
			return true
		}
	}
	return false
}

// IsMethodToken reports whether b is a plausible request method: upper-case
// letters, digits, '-' and '_' (RFC 9110 allows any token; the methods in
// use are upper case).
func IsMethodToken(b []byte) bool {
	for _, c := range b {
		if !isUpper(c) && !isDigit(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// hasControl reports whether b holds a control character other than
// TAB.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return true
		}
	}
	return false
}

// IsReplyLine reports whether line (without its line end) is a reply of
// the FTP family (RFC 959 4.2; SMTP, RFC 5321 4.2, and NNTP reply alike):
// a three-digit code 1xx to 5xx, then a space, a hyphen (more lines
// follow) or nothing.
func IsReplyLine(line []byte) bool {
	if len(line) < 3 || line[0] < '1' || line[0] > '5' || !isDigit(line[1]) || !isDigit(line[2]) {
		return false
	}
	return len(line) == 3 || line[3] == ' ' || line[3] == '-'
}

// smtpCommands are the client commands that open an SMTP session, or
// continue one picked up in the middle (RFC 5321 4.1.1).
var smtpCommands = [...]string{"EHLO", "HELO", "MAIL FROM:", "RCPT TO:"}

// MatchSMTPCommand tells whether p starts with a client command that
// opens an SMTP session or continues one: EHLO or HELO (then a space or
// the line end), MAIL FROM: or RCPT TO:, in any case.
func MatchSMTPCommand(p []byte) Match {
	best := NoMatch
	for _, cmd := range smtpCommands {
		m := matchPrefix(p, cmd, true)
		if m == Matched && cmd[len(cmd)-1] != ':' {
			m = matchLineWordEnd(p[len(cmd):])
		}
		best = max(best, m)
	}
	return best
}

// matchLineWordEnd tells whether p, what follows a command word, starts
// with a space or a line end.
func matchLineWordEnd(p []byte) Match {
	switch {
	case len(p) == 0:
		return Partial
	case p[0] == ' ' || p[0] == '\r' || p[0] == '\n':
		return Matched
	}
	return NoMatch
}

// MatchPOP3Status tells whether p starts with a POP3 status indicator
// (RFC 1939 3), "+OK" or "-ERR", then a space or the line end.
func MatchPOP3Status(p []byte) Match {
	for _, s := range [...]string{"+OK", "-ERR"} {
		if m := matchPrefix(p, s, false); m != NoMatch {
			if m == Partial {
				return Partial
			}
			return matchLineWordEnd(p[len(s):])
		}
	}
	return NoMatch
}
