package stream

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/netcap-go/netcap/decoder/content"
)

// HTTP message bodies: what is kept of them, their content coding, and the
// files they become.

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
	m.file = s.c.NewFile(FileMeta{
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
	h.readFields() // of a header or trailer section cut short
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
	m.head = nil // the direction's next message has the buffer
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
// the content type.
func (s *httpSession) completeBody(m *httpMsg) {
	if m.encoded() && m.size > 0 && !m.cut {
		s.decodeBody(m)
	}
	switch {
	case m.truncated || m.gap:
		m.file.Discard() // an incomplete body: no record (as tshark exports only complete objects)
		m.sniffed = content.DetectType(m.head)
	case m.file != nil:
		m.sniffed = m.file.Close() // its first bytes are the body's
	default:
		m.sniffed = content.DetectType(m.head)
	}
	m.file = nil
}

// decodeBody gives the file a content-coded body decoded, and keeps the
// decoded body when the record or the form fields want it. The decoded
// body is bounded by MaxBodyBytes: a body that would decode to more (or
// does not decode) is extracted as it travelled, coded. It is decoded
// once, into memory, and only then written: a body that turns out too
// large must not have been hashed.
func (s *httpSession) decodeBody(m *httpMsg) {
	limit := s.c.Options().MaxBodyBytes
	buf := decodeBuffers.Get().(*[]byte)
	decoded, ok := decodeContent(m.enc, m.body, limit+1, (*buf)[:0])
	if !ok || len(decoded) > limit {
		fileData(m, m.body)
	} else {
		fileData(m, decoded)
		m.body = nil
		if s.c.Options().Payloads || m.request {
			if len(decoded) > 0 {
				m.body = decoded // the message keeps the buffer
			}
			decoded = nil
		}
	}
	if cap(decoded) <= maxPooledDecode {
		*buf = decoded
		decodeBuffers.Put(buf)
	}
}

// decodeBuffers hold the decoding of bodies that are written and not kept
// (responses without -payloads), up to maxPooledDecode bytes each.
var decodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledDecode = 1 << 20

// decodeContent decodes a gzip or deflate body, appending at most limit
// decoded bytes to out. It reports false when the body does not start as
// the coding says (nothing was decoded); a stream that breaks later keeps
// what was decoded.
func decodeContent(enc string, data []byte, limit int, out []byte) ([]byte, bool) {
	var r io.Reader
	switch enc {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return out, false
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
		return out, false
	}
	start := len(out)
	for len(out)-start < limit {
		want := min(decodeReadSize, limit-(len(out)-start))
		out = slices.Grow(out, want)
		n, err := r.Read(out[len(out) : len(out)+want])
		out = out[:len(out)+n]
		if err != nil {
			return out, len(out) > start || err == io.EOF
		}
	}
	return out, true
}

// decodeReadSize is how much decodeContent asks of the decompressor at
// a time.
const decodeReadSize = 32 << 10

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
	// path.Base("/" + target) without building that string.
	target = strings.TrimRight(target, "/")
	return target[strings.LastIndexByte(target, '/')+1:]
}

// dispositionFileName returns the filename parameter of a
// Content-Disposition value.
func dispositionFileName(v string) string {
	_, name, _ := content.MediaTypeParam(v, "filename")
	return name
}

// isFormType reports whether a request content type carries form fields.
func isFormType(ct string) bool {
	mt, _, _ := content.MediaTypeParam(ct, "")
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}
