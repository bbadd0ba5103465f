package content

import (
	"mime"
	"testing"
)

// mediaTypeSamples are Content-Type and Content-Disposition values, common
// and odd: every one must read as mime.ParseMediaType reads it.
var mediaTypeSamples = []string{
	"", " ", ";", "text/html", "text/html; charset=UTF-8", "Text/HTML;Charset=utf-8",
	"  text/plain  ", "text/plain;", "text/plain; ", "text/plain;;", "text/plain; ;", "text/plain ;charset=x",
	"application/x-www-form-urlencoded", "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
	`multipart/form-data; boundary="simple boundary"`, `multipart/mixed; boundary="a\"b"`, `multipart/mixed; boundary="a\\b"`,
	`multipart/mixed; boundary="a\b"`, `multipart/mixed; boundary="unterminated`, `multipart/mixed; boundary=""`,
	`attachment; filename="report.pdf"`, `attachment; filename=report.pdf`, "attachment", "inline",
	`attachment; filename*=UTF-8''na%C3%AFve.txt`, `attachment; filename*0="a"; filename*1="b"`,
	`attachment; filename="na\u00efve.txt"`, "attachment; filename=\"a\r\nb\"", "attachment; filename=\"a\x00b\"",
	"text/html; charset=utf-8; charset=utf-8", "text/html; charset=utf-8; CHARSET=latin1", "text/html; a=1; A=1",
	"text/html; charset", "text/html; charset=", "text/html; =x", "text/html; charset = utf-8", "text/html; charset=utf-8 x",
	"text/html; charset=utf-8, text/plain", "text/html, text/plain", "text/", "/html", "text/html/x", "text html",
	"text/html\t;\tcharset=\"x\"", "text/html\v; a=b", "text/html\u0085; a=b", "text/html\u00a0", "\u212Aind/x",
	"text/html; a=b; c=d; e=f; g=h; i=j; k=l; m=n; o=p; q=r", "text/html; a*=b", "x/y; p=\"é\"", "x/y\xff", "x/y; p=\xff",
	"application/json;charset=\"utf-8\";", "a/b;c=d;;", "a/b; c=d; ", "a/b ; c=d", "a/b;\nc=d", "a/b; c=\"d\"e",
	"a/b; c=\"d\" e=f", "a/b; c=(d)", "a/b; c=d@e", "*/*", "a/b; q=0.9", "text/html; charset=utf-16be",
}

// mediaTypeParamNames are the parameters the decoders ask for.
var mediaTypeParamNames = []string{"", "charset", "boundary", "filename", "a", "c"}

func checkMediaTypeParam(t *testing.T, v string) {
	t.Helper()
	wantType, params, wantErr := mime.ParseMediaType(v)
	for _, name := range mediaTypeParamNames {
		mt, val, err := MediaTypeParam(v, name)
		if mt != wantType || val != params[name] || err != wantErr {
			t.Errorf("MediaTypeParam(%q, %q) = %q, %q, %v; mime.ParseMediaType: %q, %q, %v",
				v, name, mt, val, err, wantType, params[name], wantErr)
		}
	}
}

func TestMediaTypeParamAsMime(t *testing.T) {
	for _, v := range mediaTypeSamples {
		checkMediaTypeParam(t, v)
	}
}

// TestMediaTypeParamAllocs: the common values are read without
// allocating.
func TestMediaTypeParamAllocs(t *testing.T) {
	for _, v := range []string{"text/html", "text/html; charset=UTF-8", `attachment; filename="report.pdf"`,
		"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"} {
		if n := testing.AllocsPerRun(10, func() { MediaTypeParam(v, "boundary") }); n != 0 {
			t.Errorf("%q: %v allocations", v, n)
		}
	}
}

func FuzzMediaTypeParam(f *testing.F) {
	for _, v := range mediaTypeSamples {
		f.Add(v)
	}
	f.Fuzz(checkMediaTypeParam)
}
