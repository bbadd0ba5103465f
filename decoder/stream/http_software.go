package stream

import (
	"slices"
	"strings"
)

// Software named in HTTP headers: User-Agent (clients), Server and
// X-Powered-By (servers).

// observe reports the software named in a message's User-Agent, Server
// and X-Powered-By fields (each distinct value once per connection).
func (s *httpSession) observe(m *httpMsg) {
	fields := httpServerSoftware
	if m.request {
		fields = httpClientSoftware
	}
	var buf [httpMaxProducts]httpProduct // what the value is read into
	for _, f := range fields {
		v := m.get(f.name)
		seen := httpSeen{f.name, v}
		if v == "" || slices.Contains(s.seen, seen) || len(s.seen) >= httpMaxFields {
			continue
		}
		s.seen = append(s.seen, seen)
		var products []httpProduct
		if f.name == "User-Agent" {
			products = userAgentProducts(v, buf[:0])
		} else {
			products = headerProducts(v, buf[:0])
		}
		for _, p := range products {
			s.c.Run().ObserveSoftware(SoftwareObservation{
				Timestamp: m.start, Product: p.name, Version: p.version, OS: p.os, Notes: p.comment,
				SourceName: f.source, SourceData: v, Service: "HTTP", Flow: s.c.Ident,
			})
		}
	}
}

// httpSoftwareField is a header field that names software, and the
// source its sightings name.
type httpSoftwareField struct{ name, source string }

var (
	httpClientSoftware = []httpSoftwareField{{"User-Agent", "HTTP User-Agent"}}
	httpServerSoftware = []httpSoftwareField{{"Server", "HTTP Server"}, {"X-Powered-By", "HTTP X-Powered-By"}}
)

// httpSeen is a header value observe has reported. A connection has few
// (one User-Agent, one Server), so a list beats a map with keys made of
// name and value.
type httpSeen struct{ name, value string }

// httpProduct is a product named in a header.
type httpProduct struct{ name, version, comment, os string }

// httpMaxProducts bounds the tokens read of a product list.
const httpMaxProducts = 16

// productTokens splits a product list (RFC 9110 10.1.5): "name/version"
// tokens and parenthesised comments, which belong to the token before
// them. It appends them to out (empty), which the callers give room
// for.
func productTokens(v string, out []httpProduct) []httpProduct {
	for len(out) < httpMaxProducts {
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
// ("Google Frontend", "ASP.NET"). The products are read into buf (empty).
func headerProducts(v string, buf []httpProduct) []httpProduct {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "/") {
		name, comment, _ := strings.Cut(v, "(")
		p := httpProduct{name: strings.TrimSpace(name), comment: strings.TrimSpace(strings.TrimSuffix(comment, ")"))}
		if plausibleProduct(p) {
			return append(buf, p)
		}
		return nil
	}
	return versionedProducts(productTokens(v, buf))
}

// versionedProducts keeps the first four tokens with a version that look
// like products, in place.
func versionedProducts(toks []httpProduct) []httpProduct {
	out := toks[:0]
	for _, p := range toks {
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
// agents ("curl/7.88.1", "Wget/1.21.3") give their product tokens. The
// products are read into buf (empty).
func userAgentProducts(v string, buf []httpProduct) []httpProduct {
	toks := productTokens(v, buf)
	if len(toks) == 0 {
		return nil
	}
	if toks[0].name != "Mozilla" {
		return versionedProducts(toks)
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
	return append(toks[:0], b)
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
