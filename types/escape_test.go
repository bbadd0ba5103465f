package types

import (
	"bytes"
	"testing"
	"testing/quick"
	"unicode/utf8"
)

func TestWireStringRule(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"www.example.com", "www.example.com"},
		{"\x82\xfc", `\x82\xfc`}, // DHCP option 61 of the issue
		{"a\\b", `a\\b`},         // backslash
		{`\x41`, `\\x41`},        // looks like an escape: is not one
		{"line\r\nnext\tcol", `line\x0d\x0anext\x09col`},   // C0
		{"\x00\x1f\x7f", `\x00\x1f\x7f`},                   // NUL, US, DEL
		{"a\u0085b\u009fc", `a\xc2\x85b\xc2\x9fc`},         // C1: NEL, APC
		{"\u00a0é€😀\ufffd", "\u00a0é€😀\ufffd"},             // printable UTF-8, a real U+FFFD too
		{"\xed\xa0\x80", `\xed\xa0\x80`},                   // a surrogate is no UTF-8
		{"\xe2\x82", `\xe2\x82`},                           // a cut sequence
		{"ok\xc3", `ok\xc3`},                               // cut at the end
		{"Mozilla/5.0 \xe9t\xe9", `Mozilla/5.0 \xe9t\xe9`}, // Latin-1 in a header
	} {
		if got := WireString(c.in); got != c.want {
			t.Errorf("WireString(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := WireBytes([]byte(c.in)); got != c.want {
			t.Errorf("WireBytes(%q) = %q, want %q", c.in, got, c.want)
		}
		if back, err := UnescapeWire(c.want); err != nil || string(back) != c.in {
			t.Errorf("UnescapeWire(%q) = %q, %v; want %q", c.want, back, err, c.in)
		}
	}
}

func TestWireTextKeepsLines(t *testing.T) {
	in := "Hi\r\n\tthere\x00\\"
	if got, want := WireText(in), "Hi\r\n\tthere\\x00\\\\"; got != want {
		t.Errorf("WireText(%q) = %q, want %q", in, got, want)
	}
	if back, err := UnescapeWire(WireText(in)); err != nil || string(back) != in {
		t.Errorf("round trip: %q, %v", back, err)
	}
}

func TestEscapeControls(t *testing.T) {
	// Record strings (escaped already) pass unchanged; raw controls in a
	// string from elsewhere are escaped, backslashes are not doubled.
	for _, c := range []struct {
		in        string
		keepLines bool
		want      string
	}{
		{`a\x82\\b`, false, `a\x82\\b`},
		{"two\r\nlines\t", false, `two\x0d\x0alines\x09`},
		{"two\r\nlines\t\x01", true, "two\r\nlines\t\\x01"},
		{"bad\xff", false, `bad\xff`},
	} {
		if got := EscapeControls(c.in, c.keepLines); got != c.want {
			t.Errorf("EscapeControls(%q, %v) = %q, want %q", c.in, c.keepLines, got, c.want)
		}
	}
}

func TestUnescapeWireErrors(t *testing.T) {
	for _, s := range []string{`\`, `a\n`, `\x4`, `\xzz`, `\u0041`} {
		if _, err := UnescapeWire(s); err == nil {
			t.Errorf("UnescapeWire(%q): no error", s)
		}
	}
	if b, err := UnescapeWire(`\xE9`); err != nil || string(b) != "\xe9" {
		t.Errorf(`upper-case hex: %q, %v`, b, err)
	}
}

// TestWireStringNoAlloc: the common case, nothing to escape, costs no
// allocation (WireString runs for many fields of many records).
func TestWireStringNoAlloc(t *testing.T) {
	s := "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0 é"
	if n := testing.AllocsPerRun(100, func() { _ = WireString(s) }); n != 0 {
		t.Errorf("%v allocations for a clean string", n)
	}
}

func TestWireStringQuick(t *testing.T) {
	if err := quick.Check(func(b []byte) bool { return wireRoundTrip(t, b) }, &quick.Config{MaxCount: 20000}); err != nil {
		t.Error(err)
	}
}

// wireRoundTrip checks that WireBytes and WireText of b are in escaped form
// and give b back.
func wireRoundTrip(t testing.TB, b []byte) bool {
	t.Helper()
	for _, s := range []string{WireBytes(b), WireText(string(b))} {
		if !utf8.ValidString(s) {
			t.Errorf("escaped %q is not UTF-8: %q", b, s)
			return false
		}
		if back, err := UnescapeWire(s); err != nil || !bytes.Equal(back, b) {
			t.Errorf("%q -> %q -> %q, %v", b, s, back, err)
			return false
		}
	}
	for _, r := range WireBytes(b) {
		if r < 0x20 || r >= 0x7f && r < 0xa0 {
			t.Errorf("WireBytes(%q) holds control %U", b, r)
			return false
		}
	}
	return true
}

func FuzzWireString(f *testing.F) {
	for _, s := range []string{"", "a.b", "\x82\xfc", "\\x41", "a\u0085\r\n", "\xed\xa0\x80\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { wireRoundTrip(t, b) })
}

func BenchmarkWireString(b *testing.B) {
	clean := "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	dirty := "label\x82\xfc\x00with\\bytes\xe9" + clean
	b.Run("clean", func(b *testing.B) {
		for range b.N {
			_ = WireString(clean)
		}
	})
	b.Run("escape", func(b *testing.B) {
		for range b.N {
			_ = WireString(dirty)
		}
	})
}
