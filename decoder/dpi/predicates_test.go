package dpi_test

import (
	"testing"

	"github.com/netcap-go/netcap/decoder/dpi"
)

// TestPredicates: each shared predicate on the starts of conversations
// it must take, must leave, and must wait on.
func TestPredicates(t *testing.T) {
	type pc struct {
		in   string
		want dpi.Match
	}
	for _, c := range []struct {
		name  string
		match func([]byte) dpi.Match
		cases []pc
	}{
		{"MatchSSHBanner", dpi.MatchSSHBanner, []pc{
			{"SSH-2.0-OpenSSH_9.6\r\n", dpi.Matched}, {"SSH-1.99-Cisco-1.25", dpi.Matched}, {"SSH-2.0-", dpi.Matched},
			{"", dpi.Partial}, {"SS", dpi.Partial}, {"SSH-2.0", dpi.Partial}, {"SSH-1.9999", dpi.Partial},
			{"SSH-\r\n", dpi.NoMatch}, {"SSH-x.0-a", dpi.NoMatch}, {"SSH-2-0-a", dpi.NoMatch}, {"SSH-1.999999-a", dpi.NoMatch}, {"ssh-2.0-a", dpi.NoMatch},
		}},
		{"MatchHTTPStatusLine", dpi.MatchHTTPStatusLine, []pc{
			{"HTTP/1.1 200 OK\r\n", dpi.Matched}, {"HTTP/1.0 404", dpi.Matched}, {"HTTP/1.1 200\r\n", dpi.Matched}, {"HTTP/1.1 200\tOK", dpi.Matched},
			{"HTTP/1.1 20", dpi.Partial}, {"HTT", dpi.Partial},
			{"HTTP/2.0 200 OK", dpi.NoMatch}, {"HTTP/1.1 2000", dpi.NoMatch}, {"HTTP/1.1 OK", dpi.NoMatch}, {"http/1.1 200 OK", dpi.NoMatch},
		}},
		{"MatchSMTPCommand", dpi.MatchSMTPCommand, []pc{
			{"EHLO client.example\r\n", dpi.Matched}, {"helo x", dpi.Matched}, {"EHLO\r\n", dpi.Matched}, {"MAIL FROM:<a@b>", dpi.Matched}, {"rcpt to:<a@b>", dpi.Matched},
			{"", dpi.Partial}, {"EH", dpi.Partial}, {"EHLO", dpi.Partial}, {"MAIL FR", dpi.Partial},
			{"EHLOX\r\n", dpi.NoMatch}, {"MAIL\r\n", dpi.NoMatch}, {"GET / HTTP/1.1", dpi.NoMatch},
		}},
		{"MatchPOP3Status", dpi.MatchPOP3Status, []pc{
			{"+OK POP3 ready\r\n", dpi.Matched}, {"+OK\r\n", dpi.Matched}, {"-ERR no\r\n", dpi.Matched},
			{"", dpi.Partial}, {"+O", dpi.Partial}, {"-ER", dpi.Partial}, {"+OK", dpi.Partial},
			{"+OKAY\r\n", dpi.NoMatch}, {"* OK IMAP", dpi.NoMatch}, {"-ERRx", dpi.NoMatch},
		}},
	} {
		for _, tc := range c.cases {
			if got := c.match([]byte(tc.in)); got != tc.want {
				t.Errorf("%s(%q) = %d, want %d", c.name, tc.in, got, tc.want)
			}
		}
	}
}

// TestParseHTTPRequestLine: the words of request lines, as tshark reads
// them, and the lines that are none.
func TestParseHTTPRequestLine(t *testing.T) {
	for _, c := range []struct{ line, method, target, version string }{
		{"GET /index.html HTTP/1.1", "GET", "/index.html", "HTTP/1.1"},
		{"GET  /a b HTTP/1.0 ", "GET", "/a", "HTTP/1.0"}, // stray spaces
		{"PRI * HTTP/2.0", "PRI", "*", "HTTP/2.0"},
		{"INVITE sip:bob@example.com SIP/2.0", "INVITE", "sip:bob@example.com", "SIP/2.0"},
		{"GET /", "GET", "/", ""}, // HTTP/0.9
	} {
		r, ok := dpi.ParseHTTPRequestLine([]byte(c.line))
		if !ok || string(r.Method) != c.method || string(r.Target) != c.target || string(r.Version) != c.version {
			t.Errorf("ParseHTTPRequestLine(%q) = %q %q %q %v", c.line, r.Method, r.Target, r.Version, ok)
		}
	}
	for _, line := range []string{"", "GET", "GET ", "get / HTTP/1.1", "POST /", "GET x", "GET /\x01 HTTP/1.1", "AVERYLONGMETHODNAMEXYZ / HTTP/1.1"} {
		if r, ok := dpi.ParseHTTPRequestLine([]byte(line)); ok {
			t.Errorf("ParseHTTPRequestLine(%q) = %q, want none", line, r)
		}
	}
	if !dpi.IsHTTP1Version([]byte("HTTP/1.1")) || dpi.IsHTTP1Version([]byte("HTTP/2.0")) || dpi.IsHTTP1Version([]byte("HTTP/1.1 ")) {
		t.Error("IsHTTP1Version")
	}
	if !dpi.IsHTTPMethod([]byte("PROPFIND")) || dpi.IsHTTPMethod([]byte("FROB")) || !dpi.IsMethodToken([]byte("FROB-2_X")) || dpi.IsMethodToken([]byte("get")) {
		t.Error("IsHTTPMethod, IsMethodToken")
	}
}

// TestIsReplyLine: FTP-family replies (RFC 959 4.2, RFC 5321 4.2).
func TestIsReplyLine(t *testing.T) {
	for line, want := range map[string]bool{
		"220 ready": true, "230-welcome": true, "220": true, "550 no": true,
		"22": false, "220x": false, "620 x": false, "abc": false, "": false, "220\tx": false,
	} {
		if got := dpi.IsReplyLine([]byte(line)); got != want {
			t.Errorf("IsReplyLine(%q) = %v, want %v", line, got, want)
		}
	}
}
