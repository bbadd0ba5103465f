package stream

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/url"
	"strings"

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
