package stream

import (
	"slices"
	"strings"
)

// HTTP header fields: the lines of a message's header section (and
// trailer section) read into its fields, their names in canonical form.

// addFieldLine keeps a header (or trailer) line for readFields; lines
// beyond httpMaxHeader are dropped.
func (h *httpHalf) addFieldLine(line []byte) {
	m := h.msg
	if m.hdrBytes += len(line) + 2; m.hdrBytes > httpMaxHeader {
		return
	}
	b := h.buffers()
	b.fieldLines = append(append(b.fieldLines, line...), '\n')
}

// readFields adds the lines addFieldLine kept to the message's fields.
// The lines become one string, which the fields' names and values are
// substrings of.
func (h *httpHalf) readFields() {
	b := h.scratch
	if b == nil || len(b.fieldLines) == 0 {
		return
	}
	lines := string(b.fieldLines)
	b.fieldLines = b.fieldLines[:0]
	m := h.msg
	if m.fields == nil {
		m.fields, b.spareFields = b.spareFields, nil
	}
	m.fields = slices.Grow(m.fields, min(strings.Count(lines, "\n"), httpMaxFields-len(m.fields)))
	for len(lines) > 0 {
		line, rest, _ := strings.Cut(lines, "\n")
		addField(m, line)
		lines = rest
	}
}

// addField adds a header (or trailer) field line; folded lines continue
// the previous field. Fields beyond httpMaxFields are dropped.
func addField(m *httpMsg, line string) {
	if line[0] == ' ' || line[0] == '\t' { // obsolete line folding
		if n := len(m.fields); n > 0 {
			m.fields[n-1].value += " " + strings.TrimSpace(line)
		}
		return
	}
	name, value, ok := strings.Cut(line, ":")
	name = strings.TrimSpace(name)
	if !ok || len(name) == 0 || len(m.fields) >= httpMaxFields {
		return
	}
	m.fields = append(m.fields, httpField{name: canonicalHeader(name), value: strings.TrimSpace(value)})
}

// recycleFields gives the field slices of a written pair's complete
// messages to the next messages of their directions: nothing reads them
// again (the record has what it needs of them).
func (s *httpSession) recycleFields(p *httpPair) {
	for i, m := range [2]*httpMsg{p.req, p.res} { // half 0 reads requests
		b := s.half[i].scratch
		if m == nil || !m.done || b == nil || cap(m.fields) <= cap(b.spareFields) {
			continue
		}
		clear(m.fields) // the strings are the record's now
		b.spareFields, m.fields = m.fields[:0], nil
	}
}

// canonicalHeader returns the canonical form of a header name
// ("content-type" → "Content-Type", as net/http keys its maps): name
// itself when it is in that form already (most are), else the form kept
// for a common name, else a new string.
func canonicalHeader(name string) string {
	if isCanonicalHeader(name) {
		return name
	}
	var lower [maxCommonHeader]byte
	if len(name) <= len(lower) {
		for i := range len(name) {
			lower[i] = toLowerASCII(name[i])
		}
		if c, ok := commonHeaders[string(lower[:len(name)])]; ok {
			return c
		}
	}
	return canonicalForm(name)
}

// canonicalForm returns name in canonical form, in a new string.
func canonicalForm(name string) string {
	out := []byte(name)
	for i, ch := range out {
		out[i] = canonicalHeaderByte(ch, i == 0 || out[i-1] == '-')
	}
	return string(out)
}

// isCanonicalHeader reports whether name is in canonical form.
func isCanonicalHeader(name string) bool {
	for i := range len(name) {
		if canonicalHeaderByte(name[i], i == 0 || name[i-1] == '-') != name[i] {
			return false
		}
	}
	return true
}

// canonicalHeaderByte is a name's byte in canonical form: upper case at
// the start and after '-', else lower case (ASCII letters only).
func canonicalHeaderByte(ch byte, upper bool) byte {
	switch {
	case upper && ch >= 'a' && ch <= 'z':
		return ch - ('a' - 'A')
	case !upper && ch >= 'A' && ch <= 'Z':
		return ch + ('a' - 'A')
	}
	return ch
}

func toLowerASCII(ch byte) byte {
	if ch >= 'A' && ch <= 'Z' {
		return ch + ('a' - 'A')
	}
	return ch
}

// maxCommonHeader bounds the names looked up in commonHeaders.
const maxCommonHeader = 40

// commonHeaders maps common header names in lower case to their
// canonical form, so that senders of names in lower case, or in a case
// of their own ("ETag", "WWW-Authenticate", "X-XSS-Protection"), cost no
// allocation per field.
var commonHeaders = func() map[string]string {
	names := []string{
		"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Accept-Ranges", "Access-Control-Allow-Credentials",
		"Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
		"Access-Control-Max-Age", "Age", "Allow", "Alt-Svc", "Authorization", "Cache-Control", "CF-Cache-Status", "CF-RAY", "Connection",
		"Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Location", "Content-MD5",
		"Content-Range", "Content-Security-Policy", "Content-Type", "Cookie", "Date", "DNT", "ETag", "Expect", "Expires",
		"Forwarded", "Host", "If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "Keep-Alive",
		"Last-Modified", "Link", "Location", "NEL", "Origin", "P3P", "Pragma", "Proxy-Authenticate", "Proxy-Authorization",
		"Proxy-Connection", "Range", "Referer", "Referrer-Policy", "Report-To", "Retry-After", "Server", "Set-Cookie",
		"SOAPAction", "Strict-Transport-Security", "TE", "Timing-Allow-Origin", "Trailer", "Transfer-Encoding", "Upgrade",
		"Upgrade-Insecure-Requests", "User-Agent", "Vary", "Via", "Warning", "WWW-Authenticate", "X-AspNet-Version",
		"X-AspNetMvc-Version", "X-Cache", "X-Content-Type-Options", "X-DNS-Prefetch-Control", "X-Forwarded-For",
		"X-Forwarded-Host", "X-Forwarded-Proto", "X-Frame-Options", "X-Powered-By", "X-Real-IP", "X-Request-ID",
		"X-Requested-With", "X-UA-Compatible", "X-XSS-Protection",
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = canonicalForm(n)
	}
	return m
}()
