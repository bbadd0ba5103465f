package credentials_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/internal/streamtest"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// hvCreds returns our credentials of some services as "service flow user
// password" lines, and the records by that key.
func hvCreds(sink *ncio.MemorySink, services ...string) ([]string, map[string]*types.Credentials) {
	var out []string
	by := map[string]*types.Credentials{}
	for _, m := range sink.Records(types.Type_NC_Credentials) {
		r := m.(*types.Credentials)
		if slices.Contains(services, r.Service) {
			k := fmt.Sprintf("%s %s %s %s", r.Service, r.Flow, r.User, r.Password)
			out = append(out, k)
			by[k] = r
		}
	}
	slices.Sort(out)
	return out, by
}

// hvFlow is our Flow ident for a client and server address and port.
func hvFlow(cip, cport, sip, sport string) string {
	return streamtest.JoinHostPort(cip, cport) + "->" + streamtest.JoinHostPort(sip, sport)
}

// hvFTPCaptures are the public captures with FTP logins (README coverage).
var hvFTPCaptures = []string{
	"arkime/ftp.pcap",
	"suricata-verify/sip-method/sip.pcap",
	"suricata-verify/ftp/ftp-download-passive/input.pcap",
	"zeek/traces/ftp/ipv4.pcap",
	"zeek/traces/ftp/ipv6.pcap",
	"zeek/traces/ftp/bruteforce.pcap",
	"ndpi/ftp.pcap",
}

// TestFTPCredentialsAgainstTshark: every USER/PASS pair tshark dissects is
// one FTP credential of the same connection, and its Notes start with the
// code of the server's next reply (ftp.response.code).
func TestFTPCredentialsAgainstTshark(t *testing.T) {
	for _, rel := range hvFTPCaptures {
		pcap := testutil.Shared(t, filepath.Join("public", rel))
		rows := streamtest.TsharkFields(t, pcap, "ftp", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
			"ftp.request.command", "ftp.request.arg", "ftp.response.code")
		user := map[string]string{}
		waiting := map[string]string{} // stream → the credential key waiting for its reply
		codes := map[string]string{}
		var want []string
		for _, r := range rows {
			stream, src, dst := r[0], r[1]+r[2], r[4]+r[5]
			switch {
			case r[7] == "USER":
				user[stream] = r[8]
			case r[7] == "PASS":
				k := fmt.Sprintf("FTP %s %s %s", hvFlow(src, r[3], dst, r[6]), user[stream], r[8])
				want = append(want, k)
				waiting[stream] = k
			case r[9] != "" && waiting[stream] != "":
				codes[waiting[stream]] = r[9]
				delete(waiting, stream)
			}
		}
		slices.Sort(want)
		got, by := hvCreds(streamtest.Decode(t, pcap, collector.Config{}, "Credentials"), "FTP")
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s: FTP credentials\n ours   %q\n tshark %q", rel, got, want)
			continue
		}
		for k, code := range codes {
			if !strings.HasPrefix(by[k].Notes, code+" ") {
				t.Errorf("%s: %s: notes %q, tshark's reply code %s", rel, k, by[k].Notes, code)
			}
		}
		t.Logf("%s: %d FTP credentials as tshark", rel, len(got))
	}
}

// TestFTPCredentialsAgainstZeek: Zeek's ftp.log names the same user and
// password for the session.
func TestFTPCredentialsAgainstZeek(t *testing.T) {
	for _, c := range []struct{ pcap, log string }{
		{"zeek/traces/ftp/ipv4.pcap", "zeek/expected/scripts.base.protocols.ftp.ftp-ipv4/ftp.log"},
		{"zeek/traces/ftp/ipv6.pcap", "zeek/expected/scripts.base.protocols.ftp.ftp-ipv6/ftp.log"},
	} {
		pcap := testutil.Shared(t, filepath.Join("public", c.pcap))
		log, err := os.ReadFile(testutil.Shared(t, filepath.Join("public", c.log)))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, l := range strings.Split(string(log), "\n") {
			f := strings.Split(l, "\t")
			if strings.HasPrefix(l, "#") || len(f) < 8 {
				continue
			}
			want[fmt.Sprintf("FTP %s %s %s", hvFlow(f[2], f[3], f[4], f[5]), f[6], f[7])] = true
		}
		got, _ := hvCreds(streamtest.Decode(t, pcap, collector.Config{}, "Credentials"), "FTP")
		if len(want) != 1 || len(got) != 1 || !want[got[0]] {
			t.Errorf("%s: ours %q, Zeek %v", c.pcap, got, want)
		}
	}
}

// TestIMAPCredentialsAgainstTshark: the LOGIN of arkime's IMAP capture, as
// tshark's imap.request.username/password. tshark keeps the quotes of the
// quoted user name ("neulingern") and drops those of the password: both
// are IMAP quoted strings (RFC 3501 4.3), whose value has no quotes.
func TestIMAPCredentialsAgainstTshark(t *testing.T) {
	pcap := testutil.Shared(t, "public/arkime/imap.pcap")
	rows := streamtest.TsharkFields(t, pcap, "imap.request.username", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "imap.request.username", "imap.request.password", "imap.request_tag")
	var want []string
	for _, r := range rows {
		want = append(want, fmt.Sprintf("IMAP %s %s %s", hvFlow(r[0], r[1], r[2], r[3]), strings.Trim(r[4], `"`), strings.Trim(r[5], `"`)))
	}
	got, by := hvCreds(streamtest.Decode(t, pcap, collector.Config{}, "Credentials"), "IMAP")
	if !slices.Equal(got, want) || len(want) != 1 {
		t.Fatalf("IMAP credentials\n ours   %q\n tshark %q", got, want)
	}
	// Notes: the tagged response tshark pairs with the LOGIN.
	resp := streamtest.TsharkFields(t, pcap, "imap.response_tag == \""+rows[0][6]+"\"", "imap.response")
	if len(resp) != 1 || by[got[0]].Notes != strings.TrimPrefix(resp[0][0], rows[0][6]+" ") {
		t.Errorf("notes %q, tshark's response %q", by[got[0]].Notes, resp)
	}
}

// hvTelnetWant reads the Telnet logins out of tshark's telnet.data (tshark
// removes the option negotiation): per connection, the client's text after
// a server text ending in "login:" is the user, after "Password:" the
// password, each up to its CR or LF.
func hvTelnetWant(t *testing.T, pcap string) []string {
	out := tsharktest.Run(t, "-r", pcap, "-n", "-Y", "telnet.data", "-T", "json",
		"-e", "tcp.stream", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport", "-e", "telnet.data")
	var frames []struct {
		Source struct {
			Layers map[string][]string `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(out, &frames); err != nil {
		t.Fatal(err)
	}
	type state struct {
		server, input, user, field string
	}
	st := map[string]*state{}
	var want []string
	for _, f := range frames {
		l := f.Source.Layers
		s := st[l["tcp.stream"][0]]
		if s == nil {
			s = &state{}
			st[l["tcp.stream"][0]] = s
		}
		text := strings.Join(l["telnet.data"], "")
		if l["tcp.srcport"][0] == "23" {
			s.server += text
			last := s.server[strings.LastIndexAny(s.server, "\r\n")+1:]
			switch last = strings.TrimSpace(last); {
			case strings.HasSuffix(last, "login:"):
				s.field, s.input = "user", ""
			case strings.HasSuffix(last, "Password:"):
				s.field, s.input = "password", ""
			}
			continue
		}
		if s.field == "" {
			continue
		}
		s.input += text
		if i := strings.IndexAny(s.input, "\r\n"); i >= 0 {
			if s.field == "user" {
				s.user = s.input[:i]
			} else {
				flow := hvFlow(l["ip.src"][0], l["tcp.srcport"][0], l["ip.dst"][0], l["tcp.dstport"][0])
				want = append(want, fmt.Sprintf("Telnet %s %s %s", flow, s.user, s.input[:i]))
			}
			s.field = ""
		}
	}
	slices.Sort(want)
	return want
}

// TestTelnetCredentialsAgainstTshark: the three Telnet captures of the
// public set: one login in nDPI's (user "fake"), none in the others (the
// router of mpls-basic asks no password, mixed-vlan-mpls has the client
// side only).
func TestTelnetCredentialsAgainstTshark(t *testing.T) {
	for _, c := range []struct {
		rel string
		n   int
	}{{"ndpi/telnet.pcap", 1}, {"arkime/mpls-basic.pcap", 0}, {"zeek/traces/mixed-vlan-mpls.pcap", 0}} {
		pcap := testutil.Shared(t, filepath.Join("public", c.rel))
		want := hvTelnetWant(t, pcap)
		got, _ := hvCreds(streamtest.Decode(t, pcap, collector.Config{}, "Credentials"), "Telnet")
		if !slices.Equal(got, want) || len(want) != c.n {
			t.Errorf("%s: Telnet credentials\n ours   %q\n tshark %q", c.rel, got, want)
		}
	}
}

// TestHarvestFalsePositives: over every public capture, FTP, IMAP and
// Telnet credentials come only from captures in which tshark sees those
// protocols (the protocol column of the README, tshark's frame.protocols;
// for rows whose list was shortened, asked from tshark here).
func TestHarvestFalsePositives(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public")
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Skip(err)
	}
	n, fired := 0, 0
	for _, l := range strings.Split(string(readme), "\n") {
		f := strings.Split(l, "|")
		if len(f) < 9 || !strings.HasPrefix(strings.TrimSpace(f[2]), "`") {
			continue
		}
		rel := strings.Trim(strings.TrimSpace(f[2]), "`")
		protos := strings.Split(strings.TrimSpace(f[7]), ", ")
		if !slices.Contains(protos, "tcp") && !strings.Contains(f[7], "(+") {
			continue // no TCP: nothing to harvest
		}
		pcap := filepath.Join(dir, rel)
		if strings.Contains(f[7], "(+") {
			protos = nil
			for _, r := range streamtest.TsharkFields(t, pcap, "frame", "frame.protocols") {
				protos = append(protos, strings.Split(r[0], ":")...)
			}
		}
		src, err := source.OpenFile(pcap)
		if err != nil {
			continue // not a capture we read (the README lists a corrupt one)
		}
		sink := ncio.NewMemorySink()
		_, err = collector.Run(context.Background(), src, pcap, collector.Config{Workers: 2, Sink: sink, Include: []string{"Credentials"}})
		src.Close()
		if err != nil {
			continue
		}
		n++
		for svc, proto := range map[string]string{"FTP": "ftp", "IMAP": "imap", "Telnet": "telnet"} {
			got, _ := hvCreds(sink, svc)
			if len(got) > 0 {
				fired++
				if !slices.Contains(protos, proto) {
					t.Errorf("%s: %s credentials %q, but tshark sees no %s", rel, svc, got, proto)
				}
			}
		}
	}
	t.Logf("%d captures with TCP read, %d with FTP/IMAP/Telnet credentials", n, fired)
	if n < 100 {
		t.Errorf("only %d captures read", n)
	}
}

// Synthetic conversations: the login variants the public captures lack
// (IMAP AUTHENTICATE PLAIN and LOGIN, literals, Telnet in character mode
// with backspaces), in a capture that tshark reads too: the expected
// values are those written into it (for IMAP tshark's request lines are
// decoded by the test per RFC 4616 to check the capture says so).

func TestIMAPAuthenticateSynthetic(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	var frames [][]byte
	frames = append(frames, streamtest.TCPConversation(40001, 143,
		streamtest.Seg(1, "PA", "* OK IMAP4rev1 ready\r\n"),
		streamtest.Seg(0, "PA", "a1 AUTHENTICATE PLAIN\r\n"),
		streamtest.Seg(1, "PA", "+ \r\n"),
		streamtest.Seg(0, "PA", b64([]byte("\x00alice\x00s3cret pw"))+"\r\n"),
		streamtest.Seg(1, "PA", "a1 NO [AUTHENTICATIONFAILED] bad\r\n"),
		streamtest.Seg(0, "PA", "a2 authenticate plain "+b64([]byte("admin\x00bob\x00hunter2"))+"\r\n"),
		streamtest.Seg(1, "PA", "a2 OK done\r\n"),
	)...)
	frames = append(frames, streamtest.TCPConversation(40002, 143,
		streamtest.Seg(1, "PA", "* OK ready\r\n"),
		streamtest.Seg(0, "PA", "x LOGIN {5}\r\n"),
		streamtest.Seg(1, "PA", "+ go ahead\r\n"),
		streamtest.Seg(0, "PA", "carol \"p\\\"w d\"\r\n"),
		streamtest.Seg(1, "PA", "x OK LOGIN completed\r\n"),
		streamtest.Seg(0, "PA", "y AUTHENTICATE LOGIN\r\n"),
		streamtest.Seg(1, "PA", "+ VXNlcm5hbWU6\r\n"),
		streamtest.Seg(0, "PA", b64([]byte("dave"))+"\r\n"),
		streamtest.Seg(1, "PA", "+ UGFzc3dvcmQ6\r\n"),
		streamtest.Seg(0, "PA", b64([]byte("letmein"))+"\r\n"),
		streamtest.Seg(1, "PA", "y OK\r\n"),
		// Cancelled: no credential.
		streamtest.Seg(0, "PA", "z AUTHENTICATE PLAIN\r\n"),
		streamtest.Seg(1, "PA", "+ \r\n"),
		streamtest.Seg(0, "PA", "*\r\n"),
		streamtest.Seg(1, "PA", "z BAD cancelled\r\n"),
	)...)
	pcap := streamtest.WritePcap(t, frames)

	// The capture holds what the test wrote: tshark's request lines.
	var lines []string
	for _, r := range streamtest.TsharkFields(t, pcap, "imap.request", "imap.request") {
		lines = append(lines, r[0])
	}
	if len(lines) < 8 || !strings.HasPrefix(lines[2], "a2 authenticate plain ") {
		t.Fatalf("tshark's IMAP requests: %q", lines)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[2], "a2 authenticate plain "))
	if f := strings.Split(string(raw), "\x00"); len(f) != 3 || f[1] != "bob" || f[2] != "hunter2" {
		t.Fatalf("tshark's a2 response decodes to %q", raw)
	}

	c1 := "10.0.0.1:40001->10.0.0.2:143"
	c2 := "10.0.0.1:40002->10.0.0.2:143"
	want := []string{
		"IMAP " + c1 + " alice s3cret pw",
		"IMAP " + c1 + " bob hunter2",
		"IMAP " + c2 + " carol p\"w d",
		"IMAP " + c2 + " dave letmein",
	}
	got, by := hvCreds(streamtest.Decode(t, pcap, collector.Config{}, "Credentials"), "IMAP")
	if !slices.Equal(got, want) {
		t.Fatalf("ours %q\nwant %q", got, want)
	}
	if n := by[want[0]].Notes; n != "NO [AUTHENTICATIONFAILED] bad" {
		t.Errorf("notes %q", n)
	}
}

func TestTelnetCharacterModeSynthetic(t *testing.T) {
	iac := func(b ...byte) string { return string(append([]byte{255}, b...)) }
	segs := []streamtest.Segment{
		streamtest.Seg(1, "PA", iac(253, 24)+iac(251, 1)+iac(251, 3)), // DO TTYPE, WILL ECHO, WILL SGA
		streamtest.Seg(0, "PA", iac(252, 24)+iac(253, 1)+iac(253, 3)),
		streamtest.Seg(1, "PA", "\r\nrouter1\r\n\r\nUsername: "),
	}
	// The user types "adminx", deletes the x, and the server echoes.
	for _, c := range []string{"a", "d", "m", "i", "n", "x", "\x7f"} {
		segs = append(segs, streamtest.Seg(0, "PA", c), streamtest.Seg(1, "PA", c))
	}
	segs = append(segs,
		streamtest.Seg(0, "PA", "\r\x00"),
		streamtest.Seg(1, "PA", "\r\nPassword: "),
		streamtest.Seg(0, "PA", "p"), streamtest.Seg(0, "PA", iac(255)+"w"), // an escaped 0xFF in the password
		streamtest.Seg(0, "PA", iac(250, 31, 0, 80, 0, 24)+iac(240)+"!\r\n"), // NAWS sub-negotiation
		streamtest.Seg(1, "PA", "\r\nrouter1>"),
	)
	pcap := streamtest.WritePcap(t, streamtest.TCPConversation(40003, 23, segs...))
	got, _ := hvCreds(streamtest.Decode(t, pcap, collector.Config{}, "Credentials"), "Telnet")
	want := []string{`Telnet 10.0.0.1:40003->10.0.0.2:23 admin p\xffw!`} // 0xFF kept, escaped
	if !slices.Equal(got, want) {
		t.Fatalf("ours %q\nwant %q", got, want)
	}
}

// TestHarvestLeavesOtherProtocols: USER/PASS lines in a conversation whose
// server speaks POP3 ("+OK") or IRC are not FTP credentials.
func TestHarvestLeavesOtherProtocols(t *testing.T) {
	var frames [][]byte
	frames = append(frames, streamtest.TCPConversation(40004, 110,
		streamtest.Seg(1, "PA", "+OK POP3 ready\r\n"),
		streamtest.Seg(0, "PA", "USER bob\r\n"),
		streamtest.Seg(1, "PA", "+OK\r\n"),
		streamtest.Seg(0, "PA", "PASS secret\r\n"),
		streamtest.Seg(1, "PA", "+OK logged in\r\n"),
	)...)
	frames = append(frames, streamtest.TCPConversation(40005, 6667,
		streamtest.Seg(0, "PA", "PASS hunter2\r\nNICK bob\r\nUSER bob 0 * :Bob\r\n"),
		streamtest.Seg(1, "PA", ":irc.example NOTICE * :hello\r\n:irc.example 001 bob :Welcome\r\n"),
	)...)
	pcap := streamtest.WritePcap(t, frames)
	got, _ := hvCreds(streamtest.Decode(t, pcap, collector.Config{}, "Credentials"), "FTP", "IMAP", "Telnet")
	if len(got) != 0 {
		t.Errorf("credentials %q", got)
	}
}
