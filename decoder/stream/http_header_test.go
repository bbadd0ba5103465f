package stream

import (
	"path"
	"strings"
	"testing"
)

// canonicalByLoop is the canonical form of a header name as the header
// reader made it before names were interned: letters upper case at the
// start and after '-', else lower case, every name a new string.
func canonicalByLoop(name string) string {
	out := []byte(name)
	upper := true
	for i, ch := range out {
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

var headerNameSamples = []string{
	"Content-Type", "content-type", "CONTENT-TYPE", "cOnTeNt-TyPe", "ETag", "etag", "WWW-Authenticate", "www-authenticate",
	"X-XSS-Protection", "x-ua-compatible", "DNT", "P3P", "TE", "te", "X-AspNetMvc-Version", "cf-ray", "Host", "h", "H", "-",
	"--", "a--b", "-x-", "x-", "X-Custom-Header", "x-custom-header", "X_Custom_Header", "x_custom", "1st-Header", "ÄBC-déf",
	"content-type\xff", "Content Type", "\x00a", strings.Repeat("x-long", 10), strings.Repeat("A", 41), strings.Repeat("a", 40),
	"Sec-CH-UA-Platform", "sec-ch-ua-platform", "Sec-Fetch-Dest",
}

func checkCanonicalHeader(t *testing.T, name string) {
	t.Helper()
	if got, want := canonicalHeader(name), canonicalByLoop(name); got != want {
		t.Errorf("canonicalHeader(%q) = %q, want %q", name, got, want)
	}
}

func TestCanonicalHeader(t *testing.T) {
	for _, n := range headerNameSamples {
		checkCanonicalHeader(t, n)
	}
	for lower, canonical := range commonHeaders {
		if canonical != canonicalByLoop(lower) {
			t.Errorf("commonHeaders[%q] = %q", lower, canonical)
		}
	}
}

// TestCanonicalHeaderAllocs: names in canonical form, and the common ones
// in any case, cost no allocation.
func TestCanonicalHeaderAllocs(t *testing.T) {
	for _, n := range []string{"Content-Type", "X-Custom-Header", "content-type", "ETag", "WWW-Authenticate", "x-xss-protection"} {
		if a := testing.AllocsPerRun(10, func() { canonicalHeader(n) }); a != 0 {
			t.Errorf("%q: %v allocations", n, a)
		}
	}
}

func FuzzCanonicalHeader(f *testing.F) {
	for _, n := range headerNameSamples {
		f.Add(n)
	}
	f.Fuzz(checkCanonicalHeader)
}

// TestFileNameFromTarget: the last segment of the path, as path.Base of
// "/" and the path without its trailing slashes gives it ("" for none).
func TestFileNameFromTarget(t *testing.T) {
	for _, p := range []string{
		"", "/", "//", "///", "/a", "/a/", "/a//", "/a/b", "/a/b/", "a", "a/", "a//b", "*", "example.com:443",
		"/.", "/..", "/a/.", "/a/..", "/x y.txt", "/dir/file.tar.gz",
	} {
		want := path.Base("/" + strings.TrimRight(p, "/"))
		if want == "/" {
			want = ""
		}
		if got := fileNameFromTarget(p); got != want {
			t.Errorf("fileNameFromTarget(%q) = %q, want %q", p, got, want)
		}
	}
	for target, want := range map[string]string{
		"/a%2Fb": "b", "/%zz/x": "x", "/x%20y.txt": "x y.txt", "/f.js?v=2#x": "f.js", "/d/#a/b": "d",
		"http://example.com": "", "http://example.com/": "", "http://example.com/p/q.js?v=2": "q.js",
	} {
		if got := fileNameFromTarget(target); got != want {
			t.Errorf("fileNameFromTarget(%q) = %q, want %q", target, got, want)
		}
	}
}
