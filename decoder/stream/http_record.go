package stream

import (
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/netcap-go/netcap/types"
)

// The HTTP record of a request and its response.

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
	clientIP, serverIP := s.addrs()
	r := &types.HTTP{
		SrcIP: clientIP, DstIP: serverIP,
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
	s.recycleFields(p)
}

// addrs returns the HTTP client's and server's addresses as record
// strings, made once per connection.
func (s *httpSession) addrs() (client, server string) {
	if s.clientIP == "" {
		c, sv := s.clientServer()
		s.clientIP, s.serverIP = c.Addr.String(), sv.Addr.String()
	}
	return s.clientIP, s.serverIP
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
