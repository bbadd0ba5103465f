package stream_test

// testdata/ftp.pcap (8.6 kB, 102 frames) holds two FTP control
// connections of real programs and their four data connections. It was
// made on Debian 12 as root, with a veth pair between two network
// namespaces (IPv6 and TCP timestamps off in both, to keep it small):
//
//	ip netns add ncftp-srv; ip netns add ncftp-cli
//	ip link add ncftp-s type veth peer name ncftp-c
//	ip link set ncftp-s netns ncftp-srv; ip link set ncftp-c netns ncftp-cli
//	ip netns exec ncftp-srv sysctl -w net.ipv6.conf.all.disable_ipv6=1 net.ipv4.tcp_timestamps=0  (and in ncftp-cli)
//	ip netns exec ncftp-srv ip addr add 10.21.0.1/24 dev ncftp-s  (ncftp-cli: 10.21.0.2/24 on ncftp-c; links up)
//
// the server pyftpdlib 1.5.7 (Debian's python3-pyftpdlib) in a directory
// holding hello.txt ("hello from pyftpdlib\n"), the capture on its side:
//
//	ip netns exec ncftp-srv /usr/bin/python3 -m pyftpdlib -i 10.21.0.1 -p 21 -w -d DIR -u alice -P secret -r 50000-50010
//	ip netns exec ncftp-srv tcpdump -i ncftp-s -s 0 -U -w ftp.pcap tcp
//
// and curl 7.88.1 as the client, a second apart: passive (PASV), an
// upload (STOR), a listing (LIST) and a download (RETR) on one connection;
// active (EPRT), a download on another (up.txt holds "uploaded by curl\n"):
//
//	ip netns exec ncftp-cli curl -sS --disable-epsv -T up.txt ftp://alice:secret@10.21.0.1/passive.txt -o /dev/null \
//	    ftp://alice:secret@10.21.0.1/ -o /dev/null ftp://alice:secret@10.21.0.1/hello.txt -o /dev/null
//	ip netns exec ncftp-cli curl -sS -P 10.21.0.2 ftp://alice:secret@10.21.0.1/hello.txt -o /dev/null

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/streamfuzz"
	"github.com/netcap-go/netcap/internal/streamtest"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// ftpCaptures are the captures the FTP records are compared on: ours, and
// the public ones with FTP control connections.
var ftpCaptures = []string{
	"testdata/ftp.pcap",
	"public/arkime/ftp.pcap",
	"public/ndpi/ftp.pcap",
	"public/zeek/traces/ftp/ipv4.pcap",
	"public/zeek/traces/ftp/ipv6.pcap",
	"public/zeek/traces/ftp/bruteforce.pcap",
}

// ftpView is what is compared of one control connection, each list in
// order: commands ("verb arg"), replies ("code text", the first line of
// each), data connections ("PASV ip port"), transfers ("RETR name code"),
// and the other lines of multi-line replies: ours all of them (more, by
// reply), tshark's those that start a segment (inner: "i text", in reply
// i).
type ftpView struct {
	commands, replies, data, files []string
	more                           [][]string
	inner                          []string
	waiting                        []string // tshark's requests waiting for their final response
}

// ourFTPViews returns our FTP records of a capture as views by flow.
func ourFTPViews(t *testing.T, pcap string) map[string]*ftpView {
	out := map[string]*ftpView{}
	for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_FTP) {
		r := m.(*types.FTP)
		v := &ftpView{}
		for _, c := range r.Commands {
			v.commands = append(v.commands, c.Verb+" "+c.Argument)
		}
		for _, re := range r.Replies {
			v.replies = append(v.replies, fmt.Sprintf("%d %s", re.Code, re.Text))
			v.more = append(v.more, re.More)
		}
		for _, d := range r.DataConns {
			v.data = append(v.data, fmt.Sprintf("%s %s %d", d.Command, d.IP, d.Port))
		}
		for _, f := range r.Files {
			v.files = append(v.files, fmt.Sprintf("%s %s %d", f.Command, f.Name, f.Code))
		}
		out[mailHostPort(r.ClientIP, r.ClientPort)+"->"+mailHostPort(r.ServerIP, r.ServerPort)] = v
	}
	return out
}

// ftpDataFields are tshark's addresses of data connections, by the
// command that negotiates them.
var ftpDataFields = []struct{ command, ip, ipv6, port string }{
	{"PORT", "ftp.active.cip", "", "ftp.active.port"},
	{"EPRT", "ftp.eprt.ip", "ftp.eprt.ipv6", "ftp.eprt.port"},
	{"PASV", "ftp.passive.ip", "", "ftp.passive.port"},
	{"EPSV", "ftp.epsv.ip", "ftp.epsv.ipv6", "ftp.epsv.port"},
}

// tsharkFTPViews returns tshark's FTP dissection of a capture as views by
// flow. tshark reads the first line of each segment: a request, or a
// response, with a code when the line starts with one (the other lines
// of a multi-line reply have none).
func tsharkFTPViews(t *testing.T, pcap string) map[string]*ftpView {
	fields := []string{"ftp.request.command", "ftp.request.arg", "ftp.response.code", "ftp.response.arg"}
	for _, d := range ftpDataFields {
		fields = append(fields, d.ip, d.port)
		if d.ipv6 != "" {
			fields = append(fields, d.ipv6)
		}
	}
	out := map[string]*ftpView{}
	for _, p := range mailTshark(t, pcap, "ftp.request.command or ftp.response.arg or ftp.response.code", fields...) {
		request := p.first("ftp.request.command") != ""
		flow := p.flow(request)
		v := out[flow]
		if v == nil {
			v = &ftpView{}
			out[flow] = v
		}
		for _, d := range ftpDataFields {
			if port := p.first(d.port); port != "" {
				v.data = append(v.data, d.command+" "+p.first(d.ip)+p.first(d.ipv6)+" "+port)
			}
		}
		if request {
			c := types.WireString(p.first("ftp.request.command") + " " + p.first("ftp.request.arg"))
			v.commands = append(v.commands, c)
			v.waiting = append(v.waiting, c)
		} else {
			v.tsharkResponse(p.first("ftp.response.code"), types.WireString(p.first("ftp.response.arg")))
		}
	}
	return out
}

// tsharkResponse adds a response tshark shows. A final one (2xx to 5xx)
// answers the oldest request waiting: when that is RETR, STOR, STOU or
// APPE, a transfer with that code.
func (v *ftpView) tsharkResponse(code, arg string) {
	if code == "" {
		if len(v.replies) > 0 {
			v.inner = append(v.inner, fmt.Sprintf("%d %s", len(v.replies)-1, arg))
		}
		return
	}
	v.replies = append(v.replies, code+" "+arg)
	if n, _ := strconv.Atoi(code); n < 200 || len(v.waiting) == 0 {
		return
	}
	c := v.waiting[0]
	v.waiting = v.waiting[1:]
	if verb, _, _ := strings.Cut(c, " "); slices.Contains([]string{"RETR", "STOR", "STOU", "APPE"}, strings.ToUpper(verb)) {
		v.files = append(v.files, c+" "+code)
	}
}

// innerLinesMissing returns tshark's lines inside multi-line replies that
// do not end one of our lines of that reply (a segment may start inside a
// line).
func innerLinesMissing(ours, tshark *ftpView) []string {
	var missing []string
	for _, in := range tshark.inner {
		i, text, _ := strings.Cut(in, " ")
		n, _ := strconv.Atoi(i)
		if n >= len(ours.more) || !slices.ContainsFunc(ours.more[n], func(l string) bool { return strings.HasSuffix(l, text) }) {
			missing = append(missing, in)
		}
	}
	return missing
}

// TestFTPAgainstTshark: every FTP control connection tshark dissects is
// one FTP record and the reverse; its commands (ftp.request.command and
// .arg), the first line of each reply (ftp.response.code and .arg), the
// data connections PORT, EPRT, PASV and EPSV negotiate (ftp.active,
// ftp.eprt, ftp.passive, ftp.epsv) and the transfers are tshark's, in
// order. The FTP logins are still the credential harvester's: one
// Credentials record per PASS tshark shows.
func TestFTPAgainstTshark(t *testing.T) {
	var total ftpCounts
	for _, rel := range ftpCaptures {
		pcap, ok := mailCapture(t, rel)
		if !ok {
			continue
		}
		n := compareFTP(t, rel, pcap)
		t.Logf("%s: %s", rel, n)
		for i := range total {
			total[i] += n[i]
		}
	}
	t.Logf("in all: %s", total)
	if min := streamtest.AtLeast(t, 36, 2); total[0] < min {
		t.Fatalf("compared %d connections, want %d", total[0], min)
	}
}

// ftpCounts are what a comparison compared: connections, commands,
// replies, data connections, transfers, lines inside multi-line replies.
type ftpCounts [6]int

func (n ftpCounts) String() string {
	return fmt.Sprintf("%d connections, %d commands, %d replies (and %d lines inside them), %d data connections, %d transfers equal to tshark's",
		n[0], n[1], n[2], n[5], n[3], n[4])
}

// compareFTP compares one capture's FTP records with tshark's view of it,
// and its FTP Credentials records with tshark's PASS commands.
func compareFTP(t *testing.T, rel, pcap string) ftpCounts {
	ours, want := ourFTPViews(t, pcap), tsharkFTPViews(t, pcap)
	var n ftpCounts
	passes := 0
	for flow, w := range want {
		o := ours[flow]
		if o == nil {
			t.Errorf("%s %s: no FTP record", rel, flow)
			continue
		}
		for _, l := range []struct {
			name        string
			ours, their []string
		}{{"commands", o.commands, w.commands}, {"replies", o.replies, w.replies}, {"data connections", o.data, w.data}, {"files", o.files, w.files}} {
			if !slices.Equal(l.ours, l.their) {
				t.Errorf("%s %s: %s\n ours   %q\n tshark %q", rel, flow, l.name, l.ours, l.their)
			}
		}
		if m := innerLinesMissing(o, w); len(m) > 0 {
			t.Errorf("%s %s: lines of multi-line replies tshark shows, not ours: %q", rel, flow, m)
		}
		n = ftpCounts{n[0] + 1, n[1] + len(w.commands), n[2] + len(w.replies), n[3] + len(w.data), n[4] + len(w.files), n[5] + len(w.inner)}
		for _, c := range w.commands {
			if strings.HasPrefix(strings.ToUpper(c), "PASS ") {
				passes++
			}
		}
	}
	for flow := range ours {
		if want[flow] == nil {
			t.Errorf("%s %s: an FTP record tshark has no FTP for", rel, flow)
		}
	}
	creds := 0
	for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_Credentials) {
		if m.(*types.Credentials).Service == "FTP" {
			creds++
		}
	}
	if creds != passes {
		t.Errorf("%s: %d FTP Credentials records, tshark shows %d PASS", rel, creds, passes)
	}
	return n
}

// TestFTPDetect: which protocol takes a conversation, on synthetic ones.
// The greeting and the client's first command decide; the server port
// only breaks the tie of a 220 greeting that names neither FTP nor SMTP
// before the client speaks. Where one payload tells, the flow
// classifier (decoder/dpi, Connection.ApplicationProto) agrees; with
// "220 Welcome" on port 2121 it needs the port and says "unknown".
func TestFTPDetect(t *testing.T) {
	for _, tc := range []struct {
		name             string
		port             uint16
		greeting, client string
		want, dpi        string
	}{
		{"unnamed greeting on 21", 21, "220 Welcome\r\n", "USER a\r\n", "FTP", "FTP"},
		{"greeting alone on 21", 21, "220 Welcome\r\n", "", "FTP", "FTP"},
		{"greeting names FTP", 2121, "220 ProFTPD Server ready\r\n", "", "FTP", "FTP"},
		{"client decides", 2121, "220 Welcome\r\n", "USER a\r\nPASS b\r\n", "FTP", "unknown"},
		{"FTP-only command first", 2121, "", "FEAT\r\n", "FTP", "FTP"},
		{"SMTP greeting on 21", 21, "220 mx.example.com ESMTP Postfix\r\n", "EHLO a\r\n", "SMTP", "SMTP"},
		{"SMTP client after unnamed greeting", 2525, "220 Welcome\r\n", "EHLO a\r\n", "SMTP", "SMTP"},
		{"POP3 on 21", 21, "+OK ready\r\n", "USER a\r\n", "POP3", "POP3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var segs []streamtest.Segment
			if tc.greeting != "" {
				segs = append(segs, streamtest.Seg(1, "A", tc.greeting))
			}
			if tc.client != "" {
				segs = append(segs, streamtest.Seg(0, "A", tc.client))
			}
			pcap := streamtest.WritePcap(t, streamtest.TCPConversation(40000, tc.port, segs...))
			sink := streamtest.Decode(t, pcap, collector.Config{}, "FTP", "SMTP", "POP3", "Connection")
			var got []string
			for _, typ := range []types.Type{types.Type_NC_FTP, types.Type_NC_SMTP, types.Type_NC_POP3} {
				if len(sink.Records(typ)) > 0 {
					got = append(got, typ.Name())
				}
			}
			if !slices.Equal(got, []string{tc.want}) {
				t.Errorf("records of %v, want %s", got, tc.want)
			}
			for _, m := range sink.Records(types.Type_NC_Connection) {
				if c := m.(*types.Connection); c.ApplicationProto != tc.dpi {
					t.Errorf("classifier: %q, want %q", c.ApplicationProto, tc.dpi)
				}
			}
		})
	}
}

// FuzzFTP feeds both directions of a control connection (as
// streamfuzz.Feed reads them) into an FTP session: no panic, one record
// with escaped strings (streamfuzz checks), within the bounds of ftp.go
// (4096 command and reply lines listed, 1024 bytes a line).
// Detect answers Yes or No once a side holds DetectBytes.
func FuzzFTP(f *testing.F) {
	f.Add([]byte("\x01220 (vsFTPd 3.0.3)\r\n\x00USER a\r\n\x01331 ok\r\n\x00PASS b\r\n\x01230-Hi\r\n x\r\n230 ok\r\n" +
		"\x00PASV\r\n\x01227 Entering Passive Mode (1,2,3,4,5,6).\r\n\x00RETR f\r\n\x01150 go\r\n226 done\r\n"))
	f.Add([]byte("\x00EPRT |2|::1|5282|\r\n\x01200 ok\r\n\x00EPSV\r\n\x01229 (|||6446|)\r\n\x00AUTH TLS\r\n\x01234 go\r\n\x00\x16\x03\x01"))
	f.Add([]byte("\x02\x00PORT 1,2,3,4,300,1\r\n\x03\xff\x01221-\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		c, out := streamfuzz.Conn(t, stream.Options{}, reassembly.TCP, 21)
		streamfuzz.Feed(stream.FTP.New(c), in)
		if len(*out) != 1 {
			t.Fatalf("%d records", len(*out))
		}
		r := (*out)[0].(*types.FTP)
		lines := len(r.Commands)
		for _, re := range r.Replies {
			lines += 1 + len(re.More)
			if text, err := types.UnescapeWire(re.Text); err != nil || len(text) > 1024 {
				t.Fatalf("reply text %q: %v", re.Text, err)
			}
		}
		if lines > 4096 {
			t.Fatalf("%d lines listed", lines)
		}
		full := append(bytes.Repeat([]byte("x"), stream.DetectBytes), in...)
		for _, sides := range [][2][]byte{{in, full}, {full, in}} {
			if v := stream.FTP.Detect(&c.Info, sides[0], sides[1]); v == stream.NeedMore {
				t.Fatalf("NeedMore with a side of %d bytes", stream.DetectBytes)
			}
		}
	})
}
