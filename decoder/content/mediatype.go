package content

import (
	"mime"
	"strings"
)

// MediaTypeParam is mime.ParseMediaType narrowed to what the decoders ask
// of a Content-Type or Content-Disposition value: the media type and the
// value of one parameter (name in lower case). Its results are
// mime.ParseMediaType's for every value (value is params[name]). The
// common forms are read here without allocating (mime.ParseMediaType
// builds a map for every value); anything else goes to
// mime.ParseMediaType.
func MediaTypeParam(v, name string) (mediaType, value string, err error) {
	if mt, val, ok := simpleMediaType(v, name); ok {
		return mt, val, nil
	}
	mt, params, err := mime.ParseMediaType(v)
	return mt, params[name], err
}

// simpleMediaType reads the forms of a media type value that need none of
// mime.ParseMediaType's special cases: all ASCII, "type/subtype" or a lone
// token, then "; key=value" parameters whose values are tokens or quoted
// strings without backslashes or line ends, no key twice and no key with
// a '*' (RFC 2231). ok is false for everything else, including every value
// mime.ParseMediaType rejects.
func simpleMediaType(v, name string) (mt, value string, ok bool) {
	if !isASCII(v) {
		return "", "", false // Unicode spaces and case mappings: mime decides
	}
	base, _, _ := strings.Cut(v, ";")
	mt = strings.TrimSpace(base)
	if !isMediaType(mt) {
		return "", "", false
	}
	value, ok = simpleParams(v[len(base):], name)
	if !ok {
		return "", "", false
	}
	return strings.ToLower(mt), value, true
}

// isMediaType reports whether s is "token/token" or a lone token (which
// mime.ParseMediaType accepts for Content-Disposition).
func isMediaType(s string) bool {
	typ, rest := cutToken(s)
	if typ == "" {
		return false
	}
	if rest == "" {
		return true
	}
	sub, rest := cutToken(strings.TrimPrefix(rest, "/")) // no slash: no token either
	return rest == "" && sub != ""
}

// maxSimpleParams bounds the parameters simpleParams reads (it compares
// every key with the ones before, for duplicates).
const maxSimpleParams = 8

// simpleParams reads the "; key=value" list after the media type and
// returns the value of key name.
func simpleParams(rest, name string) (value string, ok bool) {
	var keys [maxSimpleParams]string
	n := 0
	for {
		rest = trimLeftSpace(rest)
		if rest == "" {
			return value, true
		}
		if rest[0] != ';' {
			return "", false
		}
		if rest = trimLeftSpace(rest[1:]); rest == "" {
			return value, true // a trailing semicolon is allowed
		}
		key, val, r, ok := cutParam(rest)
		if !ok || n == len(keys) {
			return "", false
		}
		for _, k := range keys[:n] {
			if strings.EqualFold(k, key) {
				return "", false // duplicates are an error unless equal: mime decides
			}
		}
		keys[n], n = key, n+1
		if strings.EqualFold(key, name) {
			value = val
		}
		rest = r
	}
}

// cutParam reads "key = value" from the start of s.
func cutParam(s string) (key, value, rest string, ok bool) {
	key, rest = cutToken(s)
	if key == "" || strings.IndexByte(key, '*') >= 0 {
		return "", "", "", false
	}
	rest = trimLeftSpace(rest)
	if !strings.HasPrefix(rest, "=") {
		return "", "", "", false
	}
	rest = trimLeftSpace(rest[1:])
	if !strings.HasPrefix(rest, `"`) {
		value, rest = cutToken(rest)
		return key, value, rest, value != ""
	}
	end := strings.IndexAny(rest[1:], "\"\\\r\n") + 1
	if end == 0 || rest[end] != '"' {
		return "", "", "", false // unterminated, or escapes: mime decides
	}
	return key, rest[1:end], rest[end+1:], true
}

// cutToken splits s after its leading RFC 2045 token characters.
func cutToken(s string) (token, rest string) {
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// isTokenChar reports whether c may be in an RFC 2045 token: printable
// ASCII except space and the tspecials.
func isTokenChar(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=':
		return false
	}
	return c > ' ' && c < 0x7f
}

// trimLeftSpace drops leading ASCII white space (unicode.IsSpace of an
// ASCII byte).
func trimLeftSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	return s
}

func isSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
