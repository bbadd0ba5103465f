package stream

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/netip"
	"net/textproto"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Tests of the mail protocols' sessions on conversations built here:
// the cases the public captures do not have (BDAT, rejected DATA, AUTH
// variants, APOP, STLS, one-sided captures, gaps, bounds), MIME decoding
// against Go's standard library, RFC 2047 against Go's mime.WordDecoder,
// and fuzz targets for the three readers.

// mailSink collects the records a conversation writes.
type mailSink struct {
	recs map[types.Type][]proto.Message
}

func (s *mailSink) of(t types.Type) []proto.Message { return s.recs[t] }

// step is a part of a conversation: who sends what (a gap when gap > 0).
type step struct {
	dir  Direction
	data string
	gap  int64
}

func c2s(s string) step { return step{dir: ClientToServer, data: s} }
func s2c(s string) step { return step{dir: ServerToClient, data: s} }

// converse runs a conversation through a Conn (protocol detection
// included) and returns what it wrote.
func converse(t testing.TB, opts Options, port uint16, steps ...step) *mailSink {
	t.Helper()
	sink := &mailSink{recs: map[types.Type][]proto.Message{}}
	r := NewRun(opts, allProtocols, ownObservers)
	w := r.Worker(func(ty types.Type, m proto.Message) error {
		sink.recs[ty] = append(sink.recs[ty], m)
		return nil
	})
	info := reassembly.ConnInfo{
		Transport: reassembly.TCP,
		Client:    reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.1"), Port: 40000},
		Server:    reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.2"), Port: port},
		Start:     1,
	}
	c := newConn(w, info)
	ts := int64(1)
	for _, s := range steps {
		ts++
		if s.gap > 0 {
			c.Gap(s.dir, s.gap)
			continue
		}
		c.Data(s.dir, []byte(s.data), ts)
	}
	c.Close(reassembly.ClosedFIN, ts+1)
	if err := r.Flush(func(ty types.Type, m proto.Message) error {
		sink.recs[ty] = append(sink.recs[ty], m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkStrings(t, sink)
	return sink
}

// checkStrings: every string of every record is escaped (types.CheckStrings).
func checkStrings(t testing.TB, s *mailSink) {
	t.Helper()
	for _, l := range s.recs {
		for _, m := range l {
			if err := types.CheckStrings(m); err != nil {
				t.Error(err)
			}
		}
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func onlySMTP(t *testing.T, s *mailSink) *types.SMTP {
	t.Helper()
	l := s.of(types.Type_NC_SMTP)
	if len(l) != 1 {
		t.Fatalf("%d SMTP records, want 1", len(l))
	}
	return l[0].(*types.SMTP)
}

func mailsOf(s *mailSink) []*types.Mail {
	var out []*types.Mail
	for _, m := range s.of(types.Type_NC_Mail) {
		out = append(out, m.(*types.Mail))
	}
	return out
}

func credsOf(s *mailSink) []string {
	var out []string
	for _, m := range s.of(types.Type_NC_Credentials) {
		c := m.(*types.Credentials)
		out = append(out, c.Service+"|"+c.User+"|"+c.Password+"|"+c.Notes)
	}
	return out
}

func TestSMTPDetect(t *testing.T) {
	for _, c := range []struct {
		client, server string
		port           uint16
		want           Verdict
	}{
		{"", "220 mx.example.com ESMTP Postfix\r\n", 2500, Yes},
		{"", "220-mx.example.com ESMTP\r\n", 2500, Yes},
		{"", "554 mx.example.com ESMTP no service\r\n", 25, Yes},
		{"", "220 ProFTPD Server ready\r\n", 21, NeedMore}, // FTP greets the same: the client decides
		{"USER anonymous\r\n", "220 ProFTPD Server ready\r\n", 21, No},
		{"EHLO client\r\n", "220 mail ready\r\n", 2525, Yes},
		{"ehlo client\r\n", "", 2525, Yes},
		{"HELO x\r\n", "", 1, Yes},
		{"MAIL FROM:<a@b>\r\n", "", 1, Yes},
		{"EH", "", 1, NeedMore},
		{"GET / HTTP/1.1\r\n", "", 25, No},
		{"", "+OK POP3 ready\r\n", 25, No},
		{"", "SSH-2.0-OpenSSH\r\n", 25, No},
		{"", "220", 25, NeedMore},
		{"", "", 25, NeedMore},
		{strings.Repeat("x", DetectBytes), "", 25, No},
	} {
		info := &reassembly.ConnInfo{Server: reassembly.Endpoint{Port: c.port}}
		if got := (smtpProtocol{}).Detect(info, []byte(c.client), []byte(c.server)); got != c.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", c.client, c.server, got, c.want)
		}
	}
}

func TestPOP3Detect(t *testing.T) {
	for _, c := range []struct {
		client, server string
		port           uint16
		want           Verdict
	}{
		{"", "+OK Dovecot ready.\r\n", 1100, Yes},
		{"", "-ERR go away\r\n", 1100, Yes},
		{"CAPA\r\n", "+OK POP3 ready\r\n", 1100, Yes},
		{"*1\r\n$4\r\nPING\r\n", "+PONG\r\n", 6379, No},
		{"SET k v\r\n", "+OK\r\n", 6379, No}, // Redis answers +OK to a command
		{"CAPA\r\n", "", 1100, Yes},
		{"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n", "", 1100, Yes},
		{"USER alice\r\n", "", 110, Yes},
		{"USER alice\r\n", "", 21, NeedMore}, // FTP's client starts so too
		{"US", "", 110, NeedMore},
		{"", "220 mx ESMTP\r\n", 110, No},
		{"", "+O", 110, NeedMore},
		{"GET / HTTP/1.1\r\n", "", 110, No},
	} {
		info := &reassembly.ConnInfo{Server: reassembly.Endpoint{Port: c.port}}
		if got := (pop3Protocol{}).Detect(info, []byte(c.client), []byte(c.server)); got != c.want {
			t.Errorf("Detect(%q, %q) = %v, want %v", c.client, c.server, got, c.want)
		}
	}
}

const testMessage = "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: =?utf-8?q?caf=C3=A9?= =?utf-8?b?IG5vaXI=?=\r\n" +
	"Message-ID: <1@example.test>\r\n\r\nHello\r\n..dotted line\r\n"

// TestSMTPPipelinedSession: a pipelined transaction (RFC 2920), a
// message with a dot-stuffed line, a second transaction by BDAT chunks
// (RFC 3030) and QUIT: one record, commands and replies in order, two
// Mails written before the session's end.
func TestSMTPPipelinedSession(t *testing.T) {
	chunk1, chunk2 := "From: a@b\r\nSubject: chunked\r\n\r\nbody ", "of two chunks\r\n"
	s := converse(t, Options{}, 25,
		s2c("220 mx.example.test ESMTP Postfix (Debian/GNU)\r\n"),
		c2s("EHLO client.test\r\n"),
		s2c("250-mx.example.test\r\n250-PIPELINING\r\n250 CHUNKING\r\n"),
		c2s("MAIL FROM:<alice@example.test> SIZE=100\r\nRCPT TO:<bob@example.test>\r\nRCPT TO:<carol@example.test>\r\nDATA\r\n"),
		s2c("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"),
		c2s(testMessage[:40]),
		c2s(testMessage[40:]+".\r\n"),
		s2c("250 2.0.0 Ok: queued\r\n"),
		c2s(fmt.Sprintf("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT %d\r\n%sBDAT %d LAST\r\n%s", len(chunk1), chunk1, len(chunk2), chunk2)),
		s2c("250 Ok\r\n250 Ok\r\n250 Ok\r\n250 Ok\r\n"),
		c2s("QUIT\r\n"),
		s2c("221 Bye\r\n"),
	)
	r := onlySMTP(t, s)
	want := []string{
		"S: 220 mx.example.test ESMTP Postfix (Debian/GNU)", "C: EHLO client.test",
		"S: 250-mx.example.test", "S: 250-PIPELINING", "S: 250 CHUNKING",
		"C: MAIL FROM:<alice@example.test> SIZE=100", "C: RCPT TO:<bob@example.test>", "C: RCPT TO:<carol@example.test>", "C: DATA",
		"S: 250 2.1.0 Ok", "S: 250 2.1.5 Ok", "S: 250 2.1.5 Ok", "S: 354 End data with <CR><LF>.<CR><LF>",
		"C: .", "S: 250 2.0.0 Ok: queued",
		"C: MAIL FROM:<a@b>", "C: RCPT TO:<c@d>", fmt.Sprintf("C: BDAT %d", len(chunk1)), fmt.Sprintf("C: BDAT %d LAST", len(chunk2)),
		"S: 250 Ok", "S: 250 Ok", "S: 250 Ok", "S: 250 Ok", "C: QUIT", "S: 221 Bye",
	}
	if strings.Join(r.Commands, "\n") != strings.Join(want, "\n") {
		t.Errorf("Commands\n%s\nwant\n%s", strings.Join(r.Commands, "\n"), strings.Join(want, "\n"))
	}
	mails := mailsOf(s)
	if len(mails) != 2 || len(r.MailIDs) != 2 || r.MailIDs[0] != mails[0].ID || r.MailIDs[1] != mails[1].ID {
		t.Fatalf("%d mails, MailIDs %v", len(mails), r.MailIDs)
	}
	m := mails[0]
	unstuffed := strings.Replace(testMessage, "\r\n..dotted", "\r\n.dotted", 1)
	if m.Sha256 != sha256hex([]byte(unstuffed)) || m.Size != int64(len(unstuffed)) {
		t.Errorf("message hash %s size %d, want those of %q", m.Sha256, m.Size, unstuffed)
	}
	if m.Subject != "café noir" || m.From != "Alice <alice@example.test>" || m.ReturnPath != "<alice@example.test>" ||
		m.EnvelopeTo != "bob@example.test, carol@example.test" || m.Origin != "SMTP" || m.Body[0].Content != "Hello\r\n.dotted line\r\n" {
		t.Errorf("mail %v", m)
	}
	m = mails[1]
	if m.Sha256 != sha256hex([]byte(chunk1+chunk2)) || m.Subject != "chunked" || m.Body[0].Content != "body of two chunks\r\n" || m.ReturnPath != "<a@b>" {
		t.Errorf("BDAT mail %v", m)
	}
	var sw []string
	for _, m := range s.of(types.Type_NC_Software) {
		o := m.(*types.Software)
		sw = append(sw, o.Product+" "+o.Version+" "+o.Notes)
	}
	if strings.Join(sw, ";") != "Postfix  Debian/GNU" {
		t.Errorf("software %q", sw)
	}
}

// TestSMTPDataRejected: after a DATA the server refuses, the client's
// lines are commands again.
func TestSMTPDataRejected(t *testing.T) {
	s := converse(t, Options{}, 25,
		s2c("220 mx ESMTP\r\n"), c2s("HELO x\r\n"), s2c("250 mx\r\n"),
		c2s("DATA\r\n"), s2c("503 5.5.1 Error: need RCPT command\r\n"),
		c2s("RSET\r\n"), s2c("250 Ok\r\n"), c2s("QUIT\r\n"), s2c("221 Bye\r\n"))
	r := onlySMTP(t, s)
	if len(mailsOf(s)) != 0 || !strings.Contains(strings.Join(r.Commands, "|"), "C: RSET|S: 250 Ok|C: QUIT|S: 221 Bye") {
		t.Errorf("%q", r.Commands)
	}
}

// TestSMTPAuth: AUTH PLAIN with and without initial response, LOGIN with
// an initial response (RFC 4954), CRAM-MD5 (RFC 2195), a cancelled
// exchange and a rejected one.
func TestSMTPAuth(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, c := range []struct {
		name  string
		steps []step
		want  []string
	}{
		{"plain", []step{c2s("AUTH PLAIN\r\n"), s2c("334 \r\n"), c2s(b64("\x00alice\x00s3cret") + "\r\n"), s2c("235 2.7.0 ok\r\n")},
			[]string{"SMTP|alice|s3cret|AUTH PLAIN: accepted (235)"}},
		{"plain-authzid", []step{c2s("AUTH PLAIN " + b64("admin\x00alice\x00pw") + "\r\n"), s2c("535 5.7.8 no\r\n")},
			[]string{"SMTP|alice|pw|AUTH PLAIN (authorization identity admin): rejected (535)"}},
		{"login-initial", []step{c2s("AUTH LOGIN " + b64("bob") + "\r\n"), s2c("334 UGFzc3dvcmQ6\r\n"), c2s(b64("hunter2") + "\r\n"), s2c("235 ok\r\n")},
			[]string{"SMTP|bob|hunter2|AUTH LOGIN: accepted (235)"}},
		{"cram-md5", []step{c2s("AUTH CRAM-MD5\r\n"), s2c("334 " + b64("<1896.697170952@postoffice.example.net>") + "\r\n"),
			c2s(b64("joe 3dbc88f0624776a737b39093f6eb6427") + "\r\n"), s2c("235 ok\r\n")},
			[]string{"SMTP|joe|3dbc88f0624776a737b39093f6eb6427|AUTH CRAM-MD5 (HMAC-MD5 digest of the challenge <1896.697170952@postoffice.example.net>): accepted (235)"}},
		{"cancelled", []step{c2s("AUTH LOGIN\r\n"), s2c("334 VXNlcm5hbWU6\r\n"), c2s("*\r\n"), s2c("501 cancelled\r\n")}, nil},
	} {
		steps := append([]step{s2c("220 mx ESMTP\r\n"), c2s("EHLO x\r\n"), s2c("250 mx\r\n")}, c.steps...)
		steps = append(steps, c2s("QUIT\r\n"), s2c("221 Bye\r\n"))
		s := converse(t, Options{}, 587, steps...)
		if got := credsOf(s); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s: credentials %q, want %q", c.name, got, c.want)
		}
		if r := onlySMTP(t, s); r.Commands[len(r.Commands)-1] != "S: 221 Bye" {
			t.Errorf("%s: %q", c.name, r.Commands)
		}
	}
}

// TestSMTPStartTLS: after the server's 220 to STARTTLS nothing is read;
// a refused STARTTLS goes on in clear.
func TestSMTPStartTLS(t *testing.T) {
	s := converse(t, Options{}, 25,
		s2c("220 mx ESMTP\r\n"), c2s("EHLO x\r\n"), s2c("250-mx\r\n250 STARTTLS\r\n"),
		c2s("STARTTLS\r\n"), s2c("220 2.0.0 Ready to start TLS\r\n"),
		c2s("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"), s2c("\x16\x03\x03\x00\x5a\x02garbage\r\n"))
	r := onlySMTP(t, s)
	if !r.IsEncrypted || len(r.Commands) != 6 || len(credsOf(s)) != 0 {
		t.Errorf("encrypted %v, %q, %q", r.IsEncrypted, r.Commands, credsOf(s))
	}
	s = converse(t, Options{}, 25,
		s2c("220 mx ESMTP\r\n"), c2s("STARTTLS\r\n"), s2c("454 4.7.0 TLS not available\r\n"), c2s("QUIT\r\n"), s2c("221 Bye\r\n"))
	if r := onlySMTP(t, s); r.IsEncrypted || r.Commands[len(r.Commands)-1] != "S: 221 Bye" {
		t.Errorf("refused STARTTLS: %v %q", r.IsEncrypted, r.Commands)
	}
	// The handshake seen before the 220, and the client's side alone.
	for _, steps := range [][]step{
		{s2c("220 mx ESMTP\r\n"), c2s("STARTTLS\r\n"), c2s("\x16\x03\x01\x00\x10QUIT\r\n"), s2c("220 go ahead\r\n")},
		{c2s("EHLO x\r\nSTARTTLS\r\n"), c2s("\x16\x03\x01\x00\x10QUIT\r\n")},
	} {
		r := onlySMTP(t, converse(t, Options{}, 25, steps...))
		if !r.IsEncrypted || strings.Contains(strings.Join(r.Commands, "|"), "QUIT") {
			t.Errorf("STARTTLS: %v %q", r.IsEncrypted, r.Commands)
		}
	}
}

// TestSMTPOneSided: a capture of the client's side only (the replies it
// waits for never come) and one of the server's only.
func TestSMTPOneSided(t *testing.T) {
	s := converse(t, Options{}, 25,
		c2s("EHLO x\r\nAUTH LOGIN\r\n"+base64.StdEncoding.EncodeToString([]byte("u"))+"\r\n"+base64.StdEncoding.EncodeToString([]byte("p"))+
			"\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: one side\r\n\r\nhi\r\n.\r\nQUIT\r\n"))
	r := onlySMTP(t, s)
	mails := mailsOf(s)
	if len(mails) != 1 || mails[0].Subject != "one side" || mails[0].Body[0].Content != "hi\r\n" || r.Commands[len(r.Commands)-1] != "C: QUIT" {
		t.Errorf("%q %v", r.Commands, mails)
	}
	if got := credsOf(s); len(got) != 1 || got[0] != "SMTP|u|p|AUTH LOGIN: no reply seen" {
		t.Errorf("credentials %q", got)
	}
	s = converse(t, Options{}, 25, s2c("220 mx ESMTP Exim 4.96\r\n250 mx\r\n"))
	if r := onlySMTP(t, s); len(r.Commands) != 2 {
		t.Errorf("%q", r.Commands)
	}
}

// TestSMTPGap: bytes lost inside a message end it (written as far as it
// went); the session goes on after the end of data.
func TestSMTPGap(t *testing.T) {
	s := converse(t, Options{}, 25,
		s2c("220 mx ESMTP\r\n"), c2s("HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
		s2c("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"), c2s("Subject: cut\r\n\r\nfirst"),
		step{dir: ClientToServer, gap: 1000}, c2s("lost rest\r\nmore\r\n.\r\nQUIT\r\n"), s2c("250 ok\r\n221 Bye\r\n"))
	r := onlySMTP(t, s)
	mails := mailsOf(s)
	if len(mails) != 1 || mails[0].Subject != "cut" || mails[0].Body[0].Content != "first" || r.Commands[len(r.Commands)-3] != "C: QUIT" {
		t.Errorf("%q %v", r.Commands, mails)
	}
}

// TestPOP3Session: APOP, a RETR with a dot-stuffed line, TOP, LIST, a
// rejected USER/PASS, STLS.
func TestPOP3Session(t *testing.T) {
	msg := "From: x@y\r\nSubject: pop\r\n\r\nline\r\n..dot\r\n"
	s := converse(t, Options{}, 110,
		s2c("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n"),
		c2s("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"), s2c("+OK mrose's maildrop has 2 messages (320 octets)\r\n"),
		c2s("LIST\r\n"), s2c("+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"),
		c2s("RETR 1\r\n"), s2c("+OK 120 octets\r\n"+strings.ReplaceAll(msg, "\r\n..dot", "\r\n...dot")+".\r\n"),
		c2s("TOP 2 0\r\n"), s2c("+OK\r\nSubject: top\r\n\r\n.\r\n"),
		c2s("QUIT\r\n"), s2c("+OK bye\r\n"))
	l := s.of(types.Type_NC_POP3)
	if len(l) != 1 {
		t.Fatalf("%d POP3 records", len(l))
	}
	r := l[0].(*types.POP3)
	want := []string{"S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "C: APOP mrose c4c9334bac560ecc979e58001b3e22fb",
		"S: +OK mrose's maildrop has 2 messages (320 octets)", "C: LIST", "S: +OK 2 messages", "C: RETR 1", "S: +OK 120 octets",
		"C: TOP 2 0", "S: +OK", "C: QUIT", "S: +OK bye"}
	if strings.Join(r.Commands, "\n") != strings.Join(want, "\n") || r.User != "mrose" || r.AuthToken != "c4c9334bac560ecc979e58001b3e22fb" {
		t.Errorf("%q %q %q", r.Commands, r.User, r.AuthToken)
	}
	mails := mailsOf(s)
	if len(mails) != 2 || mails[0].Sha256 != sha256hex([]byte(msg)) || mails[1].Subject != "top" || mails[0].Origin != "POP3" {
		t.Errorf("%v", mails)
	}
	if got := credsOf(s); len(got) != 1 || got[0] != "POP3|mrose|c4c9334bac560ecc979e58001b3e22fb|APOP MD5 digest of the timestamp <1896.697170952@dbc.mtview.ca.us> and the secret" {
		t.Errorf("credentials %q", got)
	}
	s = converse(t, Options{}, 110,
		s2c("+OK ready\r\n"), c2s("USER a\r\n"), s2c("+OK\r\n"), c2s("PASS b\r\n"), s2c("-ERR [AUTH] no\r\n"),
		c2s("STLS\r\n"), s2c("+OK Begin TLS\r\n"), c2s("\x16\x03\x01USER x\r\n"))
	r = s.of(types.Type_NC_POP3)[0].(*types.POP3)
	if got := credsOf(s); len(got) != 1 || got[0] != "POP3|a|b|USER/PASS: rejected (-ERR)" || !r.IsEncrypted || len(r.Commands) != 7 {
		t.Errorf("credentials %q, %v %q", got, r.IsEncrypted, r.Commands)
	}
	// The client's TLS handshake seen before the server's +OK, and a
	// capture of the client's side only: no TLS bytes read as commands.
	for _, steps := range [][]step{
		{s2c("+OK ready\r\n"), c2s("STLS\r\n"), c2s("\x16\x03\x01\x00\x10USER x\r\n"), s2c("+OK Begin TLS\r\n")},
		{c2s("CAPA\r\nSTLS\r\n"), c2s("\x16\x03\x01\x00\x10USER x\r\n")},
	} {
		r = converse(t, Options{}, 110, steps...).of(types.Type_NC_POP3)[0].(*types.POP3)
		if !r.IsEncrypted || strings.Contains(strings.Join(r.Commands, "|"), "USER") {
			t.Errorf("STLS: %v %q", r.IsEncrypted, r.Commands)
		}
	}
}

// TestMailMIMEAgainstGo: messages written by Go's mime/multipart with
// random parts (binary attachments in base64, text in quoted-printable,
// nested multiparts, RFC 2231 and RFC 2047 names, odd line lengths) read
// back: every non-text part is a File with the attachment's hash, every
// text part's Content is the text.
func TestMailMIMEAgainstGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		var buf bytes.Buffer
		outer := multipart.NewWriter(&buf)
		var files, texts []string
		var body bytes.Buffer
		fmt.Fprintf(&body, "From: a@b\r\nSubject: case %d\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%q\r\n\r\npreamble\r\n", i, outer.Boundary())
		addParts := func(w *multipart.Writer, n int) {
			for range n {
				switch rng.IntN(3) {
				case 0: // binary attachment, base64 with random line length
					data := make([]byte, rng.IntN(5000))
					for j := range data {
						data[j] = byte(rng.Uint32())
					}
					name := []string{"a.bin", "résumé.pdf", "x y.zip"}[rng.IntN(3)]
					h := textproto.MIMEHeader{}
					h.Set("Content-Type", "application/octet-stream")
					h.Set("Content-Transfer-Encoding", "base64")
					h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
					pw, _ := w.CreatePart(h)
					enc := base64.StdEncoding.EncodeToString(data)
					step := 1 + rng.IntN(100)
					for len(enc) > 0 {
						n := min(step, len(enc))
						pw.Write([]byte(enc[:n] + "\r\n"))
						enc = enc[n:]
					}
					if len(data) > 0 {
						files = append(files, sha256hex(data)+" "+name)
					}
				case 1: // text, quoted-printable
					text := strings.Repeat("héllo wörld = tab\there ", rng.IntN(20)) + "end\r\nsecond line  "
					h := textproto.MIMEHeader{}
					h.Set("Content-Type", "text/plain; charset=utf-8")
					h.Set("Content-Transfer-Encoding", "quoted-printable")
					pw, _ := w.CreatePart(h)
					qw := quotedprintable.NewWriter(pw)
					qw.Write([]byte(text))
					qw.Close()
					texts = append(texts, text)
				case 2: // text, 8bit
					text := "plain\r\ntext " + strings.Repeat("z", rng.IntN(300))
					h := textproto.MIMEHeader{}
					h.Set("Content-Type", "text/plain")
					pw, _ := w.CreatePart(h)
					pw.Write([]byte(text))
					texts = append(texts, text)
				}
			}
		}
		addParts(outer, 1+rng.IntN(3))
		if rng.IntN(2) == 0 { // a nested multipart/alternative
			var nested bytes.Buffer
			inner := multipart.NewWriter(&nested)
			addParts(inner, 1+rng.IntN(2))
			inner.Close()
			h := textproto.MIMEHeader{}
			h.Set("Content-Type", "multipart/alternative; boundary="+inner.Boundary())
			pw, _ := outer.CreatePart(h)
			pw.Write(nested.Bytes())
		}
		outer.Close()
		body.Write(buf.Bytes())
		body.WriteString("epilogue\r\n")
		msg := body.String()
		stuffed := strings.ReplaceAll(msg, "\r\n.", "\r\n..")
		s := converse(t, Options{}, 25, s2c("220 mx ESMTP\r\n"), c2s("HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"),
			s2c("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"), c2s(stuffed+".\r\n"), s2c("250 ok\r\n"))
		mails := mailsOf(s)
		if len(mails) != 1 || mails[0].Sha256 != sha256hex([]byte(msg)) {
			t.Fatalf("case %d: %d mails", i, len(mails))
		}
		var gotFiles, gotTexts []string
		for _, m := range s.of(types.Type_NC_File) {
			f := m.(*types.File)
			gotFiles = append(gotFiles, f.Sha256+" "+f.Name)
		}
		for _, p := range mails[0].Body {
			if p.Filename == "" {
				gotTexts = append(gotTexts, p.Content)
			}
		}
		if strings.Join(gotFiles, "\n") != strings.Join(files, "\n") {
			t.Errorf("case %d: files\n%q\nwant\n%q", i, gotFiles, files)
		}
		if strings.Join(gotTexts, "\x00") != strings.Join(texts, "\x00") {
			t.Errorf("case %d: texts\n%q\nwant\n%q", i, gotTexts, texts)
		}
		if mails[0].HasAttachments != (len(files) > 0) {
			t.Errorf("case %d: HasAttachments %v", i, mails[0].HasAttachments)
		}
	}
}

// TestMailEdgeCases: section numbers, a missing closing boundary, a
// boundary with trailing white space, Latin-1 text, an encoded-word file
// name, bounded text.
func TestMailEdgeCases(t *testing.T) {
	msg := "Subject: =?ISO-8859-1?Q?Caf=E9?=\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1 \r\nContent-Type: multipart/alternative; boundary=b2\r\n\r\n" +
		"--b2\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nna=EFve=\r\n text\r\n" +
		"--b2\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b2--\r\n" +
		"--b1\r\nContent-Type: image/png\r\nContent-Disposition: inline; filename=\"=?utf-8?b?w6kucG5n?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("long text ", 100) + "\r\n" // no closing boundary
	s := converse(t, Options{MaxBodyBytes: 500}, 25, s2c("220 mx ESMTP\r\n"), c2s("DATA\r\n"), s2c("354 go\r\n"), c2s(msg+".\r\n"))
	mails := mailsOf(s)
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	m := mails[0]
	var ids []string
	for _, p := range m.Body {
		ids = append(ids, p.ID+"="+p.Filename)
	}
	if strings.Join(ids, ",") != "1.1=,1.2=,2=é.png,3=" || m.Subject != "Café" || m.Body[0].Content != "naïve text" || !m.HasAttachments {
		t.Errorf("parts %q subject %q text %q", ids, m.Subject, m.Body[0].Content)
	}
	// Text is kept up to MaxBodyBytes per message (counted before the
	// charset's conversion: Latin-1's ï takes one byte more in UTF-8).
	if total := len(m.Body[0].Content) + len(m.Body[1].Content) + len(m.Body[3].Content); total != 501 {
		t.Errorf("kept %d bytes of text, bound 500", total)
	}
	files := s.of(types.Type_NC_File)
	if len(files) != 1 || files[0].(*types.File).Length != 8 || files[0].(*types.File).ContentTypeDetected != "image/png" {
		t.Errorf("files %v", files)
	}
}

// TestMailSoftware: products named in greetings and mail clients.
func TestMailSoftware(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"mx.example.com ESMTP Postfix", "Postfix||"},
		{"ESMTP Postfix (Ubuntu)", "Postfix||Ubuntu"},
		{"localhost Python SMTP proxy version 0.3", "Python SMTP proxy|0.3|"},
		{"Dovecot ready.", "Dovecot||"},
		{"Dovecot (Ubuntu) ready.", "Dovecot||Ubuntu"},
		{"mail.example.com Microsoft ESMTP MAIL Service, Version: 6.0.3790.4675 ready at  Mon", "ESMTP MAIL Service|6.0.3790.4675|"},
		{"xc90.websitewelcome.com ESMTP Exim 4.69 #1 Mon", "Exim|4.69|"},
		{"ESMTP Sendmail 8.14.1/8.13.1; Fri", "Sendmail|8.14.1|"},
		{"localhost Python SMTP 1.4.3", "aiosmtpd|1.4.3|"},
		{"POP3 ready", "||"},
		{"mail.eximious.example ESMTP", "||"},
	} {
		p, _, v, n := mailSoftware(c.text)
		if got := p + "|" + v + "|" + n; got != c.want {
			t.Errorf("mailSoftware(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	for _, c := range []struct{ text, want string }{
		{"Microsoft Office Outlook 12.0", "Microsoft Office Outlook|12.0"},
		{"Mutt/1.5.20 (2009-12-10)", "Mutt|1.5.20"},
		{"Apple Mail (2.1283)", "Apple Mail|2.1283"},
		{"swaks v20201014.0 jetmore.org/john/code/swaks/", "swaks|20201014.0"},
	} {
		p, v, _ := splitProductVersion(c.text)
		if got := p + "|" + v; got != c.want {
			t.Errorf("splitProductVersion(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// decodeWordsCases are header values with encoded words (RFC 2047 and
// the forms mailers send).
var decodeWordsCases = []string{
	"plain",
	"=?utf-8?q?caf=C3=A9?=",
	"=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=",
	"a =?utf-8?q?x?=\r\n =?utf-8?q?y?= b",
	"=?ISO-8859-1?B?Qw==?==?ISO-8859-1?B?YW4=?==?ISO-8859-1?B??=",
	"xx:=?UTF-8?Q?=20a?=",
	"=?gb2312?B?xeTQxbK7xNw6?=",
	"=?utf-8?q?bad=ZZ?= text",
	"=?utf-8?x?what?=",
	"=?utf-8?q?unterminated",
	"=?us-ascii?q?hi=FF?=",
	"=?iso-8859-1?q?=E9?= and =?iso-8859-1?q?=E8?=",
	"=??q?x?=",
}

// goDecodeHeader decodes a header value with Go's mime.WordDecoder, which
// replaces the bytes outside ASCII of a us-ascii word with U+FFFD; ours
// keeps them (UTF-8, or escaped in the record) as both do for utf-8 words,
// so Go reads us-ascii words as utf-8 here.
func goDecodeHeader(s string) (string, error) {
	s = usASCIIWord.ReplaceAllStringFunc(s, func(w string) string {
		u := usASCIIWord.ReplaceAllString(w, "=?utf-8?$1?$2?=")
		if _, err := new(mime.WordDecoder).Decode(u); err != nil {
			return w // not a word Go decodes: it stays as written
		}
		return u
	})
	return new(mime.WordDecoder).DecodeHeader(s)
}

// usASCIIWord is a whole us-ascii encoded word (its text ends at the first
// "?=", as Go reads it).
var usASCIIWord = regexp.MustCompile(`(?is)=\?us-ascii\?([bq])\?(.*?)\?=`)

// TestDecodeWordsAgainstGo: where Go's mime.WordDecoder decodes a value
// (it gives up on a whole value with a charset it does not know), ours is
// the same.
func TestDecodeWordsAgainstGo(t *testing.T) {
	for _, c := range decodeWordsCases {
		want, err := goDecodeHeader(c)
		if err != nil {
			continue
		}
		if got := decodeWords(c); got != want {
			t.Errorf("decodeWords(%q) = %q, Go %q", c, got, want)
		}
	}
	if got := decodeWords("=?gb2312?B?xeTQxbK7xNw6?= =?utf-8?q?x?="); got != "=?gb2312?B?xeTQxbK7xNw6?= x" {
		t.Errorf("unknown charset: %q", got)
	}
}

func FuzzDecodeWords(f *testing.F) {
	for _, c := range decodeWordsCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := decodeWords(s)
		want, err := goDecodeHeader(s)
		if err == nil && got != want {
			t.Errorf("decodeWords(%q) = %q, Go %q", s, got, want)
		}
	})
}

// FuzzQuotedPrintable: our line decoder against Go's reader, on lines
// Go accepts.
func FuzzQuotedPrintable(f *testing.F) {
	f.Add("a=3Db =\r\nc=\r\n\r\nd \t\r\n")
	f.Add("=e9t=E9\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Count(s, "\r") != strings.Count(s, "\r\n") {
			return // a CR that ends no line
		}
		want, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(s)))
		if err != nil {
			return
		}
		var got []byte
		var eol []byte
		for _, line := range strings.SplitAfter(s, "\n") {
			if line == "" {
				continue
			}
			got = append(got, eol...)
			eol = nil
			content, e := splitEOL([]byte(line))
			out, soft := decodeQPLine(content, false)
			got = append(got, out...)
			if e != nil && !soft {
				eol = e
			}
		}
		got = append(got, eol...)
		if !bytes.Equal(got, want) {
			t.Errorf("decode(%q) = %q, Go %q", s, got, want)
		}
	})
}

// FuzzSMTPSession feeds arbitrary bytes as a conversation (split into
// turns at 0xff bytes, alternating sides) through an SMTP session.
func FuzzSMTPSession(f *testing.F) {
	f.Add([]byte("220 mx ESMTP\r\n\xffEHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n\xff250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n\xff" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Transfer-Encoding: base64\r\nContent-Type: image/gif\r\n\r\nR0lGODlh\r\n--b--\r\n.\r\nAUTH PLAIN AGEAYg==\r\nBDAT 3 LAST\r\nabcQUIT\r\n\xff235 ok\r\n221 bye\r\n"))
	f.Add([]byte("220 mx ESMTP\r\n\xffAUTH LOGIN\r\n\xff334 VXNlcm5hbWU6\r\n\xffdQ==\r\n\xff334 x\r\n\xffcA==\r\nSTARTTLS\r\n\xff235 ok\r\n220 go\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzConversation(t, smtpProtocol{}, data)
	})
}

// FuzzPOP3Session: the same through a POP3 session.
func FuzzPOP3Session(f *testing.F) {
	f.Add([]byte("+OK ready <1.2@x>\r\n\xffUSER a\r\nPASS b\r\nRETR 1\r\nTOP 1 0\r\n\xff+OK\r\n+OK\r\n+OK\r\nSubject: x\r\n\r\n..y\r\n.\r\n+OK\r\nA: b\r\n.\r\n\xffAUTH PLAIN\r\n\xff+ \r\n\xffAGEAYg==\r\nAPOP a b\r\nCAPA\r\n\xff+OK\r\n-ERR\r\n+OK\r\nX\r\n.\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzConversation(t, pop3Protocol{}, data)
	})
}

// FuzzMailReader: arbitrary bytes as a message, written in arbitrary
// pieces.
func FuzzMailReader(f *testing.F) {
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n"+
		"Content-Transfer-Encoding: quoted-printable\r\n\r\na=3D=\r\nb\r\n--c--\r\n--b\r\nContent-Disposition: attachment; filename*=UTF-8''%C3%A9\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\nAw==\r\n--b--\r\n"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		sink := &mailSink{recs: map[types.Type][]proto.Message{}}
		r := NewRun(Options{MaxBodyBytes: 1 << 12}, allProtocols, ownObservers)
		w := r.Worker(func(ty types.Type, m proto.Message) error {
			sink.recs[ty] = append(sink.recs[ty], m)
			return nil
		})
		c := newConn(w, reassembly.ConnInfo{Client: reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.1")}, Server: reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.2")}})
		m := newMailReader(c, mailEnvelope{Origin: "SMTP"}, 1)
		n := int(step) + 1
		for p := data; len(p) > 0; {
			k := min(n, len(p))
			m.Write(p[:k])
			p = p[k:]
		}
		m.finish()
		checkStrings(t, sink)
		mails := sink.of(types.Type_NC_Mail)
		if len(mails) != 1 || mails[0].(*types.Mail).Size != int64(len(data)) || mails[0].(*types.Mail).Sha256 != sha256hex(data) {
			t.Fatalf("mail records %v", mails)
		}
	})
}

// fuzzConversation splits data into turns at 0xff bytes (a turn that
// starts with 0xfe is a gap) and runs them straight through a session of
// the protocol (no detection: the session must cope with anything).
func fuzzConversation(t *testing.T, p Protocol, data []byte) {
	sink := &mailSink{recs: map[types.Type][]proto.Message{}}
	r := NewRun(Options{MaxBodyBytes: 1 << 12}, allProtocols, ownObservers)
	w := r.Worker(func(ty types.Type, m proto.Message) error {
		sink.recs[ty] = append(sink.recs[ty], m)
		return nil
	})
	c := newConn(w, reassembly.ConnInfo{
		Transport: reassembly.TCP,
		Client:    reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.1"), Port: 40000},
		Server:    reassembly.Endpoint{Addr: netip.MustParseAddr("192.0.2.2"), Port: p.Ports()[0]},
	})
	s := p.New(c)
	dir := ServerToClient
	for i, turn := range bytes.Split(data, []byte{0xff}) {
		if i > 0 {
			dir = 1 - dir
		}
		if len(turn) > 0 && turn[0] == 0xfe {
			s.Gap(dir, int64(len(turn)))
			continue
		}
		s.Data(dir, turn, int64(i))
	}
	s.Close(int64(len(data)))
	checkStrings(t, sink)
	// One session record, whatever happened.
	if n := len(sink.of(types.Type_NC_SMTP)) + len(sink.of(types.Type_NC_POP3)); n != 1 {
		t.Fatalf("%d session records", n)
	}
}

// TestMailLongLines: an attachment in one base64 line of 100 kB and a
// text line of 30 kB go through in pieces, the attachment intact.
func TestMailLongLines(t *testing.T) {
	data := make([]byte, 75000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	text := strings.Repeat("0123456789", 3000)
	msg := "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n" +
		"--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(data) + "\r\n--B--\r\n"
	s := converse(t, Options{}, 25, s2c("220 mx ESMTP\r\n"), c2s("DATA\r\n"), s2c("354 go\r\n"), c2s(msg+".\r\n"), s2c("250 ok\r\n"))
	files := s.of(types.Type_NC_File)
	mails := mailsOf(s)
	if len(files) != 1 || files[0].(*types.File).Sha256 != sha256hex(data) || len(mails) != 1 || mails[0].Body[0].Content != text || mails[0].Size != int64(len(msg)) {
		t.Errorf("%d files, %d mails", len(files), len(mails))
	}
}
