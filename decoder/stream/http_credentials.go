package stream

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/multipart"
	"net/url"
	"strings"

	"github.com/netcap-go/netcap/decoder/content"
)

// Credentials in HTTP requests: Basic and Digest authorization, login
// forms; and the query and form parameters the record lists.

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
	var params map[string][]string // made for the first field: most requests have none
	add := func(k, v string) {
		if params == nil {
			params = map[string][]string{}
		}
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
	mt, boundary, _ := content.MediaTypeParam(m.ctype, "boundary")
	switch {
	case len(m.body) == 0:
	case mt == "application/x-www-form-urlencoded":
		parseURLEncoded(string(m.body), add)
	case mt == "multipart/form-data" && boundary != "":
		parseMultipartForm(m.body, boundary, add)
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
