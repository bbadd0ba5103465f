package flow_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// convCaptures are compared with tshark's conversations: the project's
// own captures and shared ones with many TCP and UDP conversations (no
// tunnels: tshark counts a tunnelled packet in the outer UDP conversation
// and in the inner one, the table only in the inner one, as Zeek does).
var convCaptures = []string{
	"testdata:mixed.pcap", "testdata:http.pcap", "testdata:smtp.pcap", "testdata:tls.pcap",
	"dns.pcap", "ssh.pcap", "udp.pcap", "icmp.pcap",
	"public/zeek/traces/dns-edns-ecs.pcap",
	"public/zeek/traces/wikipedia.pcap",
	"public/ndpi/reddit.pcap",
	"public/ndpi/webex.pcap",
	"public/ndpi/wechat.pcap",
	"public/ndpi/android.pcap",
	"public/ndpi/kerberos.pcap",
	"public/ndpi/snmp.pcap",
	"public/ndpi/dropbox.pcap",
	"public/ndpi/http_ipv6.pcap",
	"public/ndpi/quic.pcap",
	"public/hassh/ssh_zeek_test_pcaps.pcap",
	"public/arkime/tcp-reassembly-synthetic.pcap",
}

func capturePath(t *testing.T, name string) (string, bool) {
	if rel, ok := strings.CutPrefix(name, "testdata:"); ok {
		return testutil.Testdata(t, rel), true
	}
	return testutil.SharedIfPresent(t, name)
}

// tsharkConv is one tshark conversation (a tcp.stream or udp.stream).
type tsharkConv struct {
	proto       string
	a, b        string // endpoints "ip|port"; a sent the first frame
	first, last int64
	frames      [2]int64 // a to b, b to a
	bytes       [2]int64
	app         string // tshark's application protocol (dpi names), "" for none
}

func last(s string) string {
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		return s[i+1:]
	}
	return s
}

// tsharkConversations aggregates tshark's frames by TCP and UDP stream
// index: the numbers `tshark -z conv,tcp` and `-z conv,udp` print (whose
// byte columns are rounded, "334 kB", hence the aggregation here). Frames
// that quote a packet inside an ICMP error are left out: tshark gives the
// quoted header a stream index, the table counts the frame as ICMP.
func tsharkConversations(t *testing.T, path string) map[string]*tsharkConv {
	frames := tsharktest.Fields(t, path, tsharktest.Query{Fields: []string{
		"frame.time_epoch", "frame.len", "frame.protocols",
		"ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
		"tcp.stream", "tcp.srcport", "tcp.dstport",
		"udp.stream", "udp.srcport", "udp.dstport"}})
	convs := map[string]*tsharkConv{}
	for _, fr := range frames {
		f := fr.Row()
		if strings.Contains(f[2], "icmp") {
			continue
		}
		src, dst := last(f[3]), last(f[5])
		if f[4] != "" {
			src, dst = last(f[4]), last(f[6])
		}
		var proto, stream, sp, dp string
		switch {
		case f[7] != "" && !strings.Contains(f[7], ","):
			proto, stream, sp, dp = "TCP", f[7], f[8], f[9]
		case f[10] != "" && !strings.Contains(f[10], ","):
			proto, stream, sp, dp = "UDP", f[10], f[11], f[12]
		default:
			continue
		}
		ts, _ := strconv.ParseInt(fr.Time, 10, 64)
		size, _ := strconv.ParseInt(f[1], 10, 64)
		id := proto + stream
		if proto == "UDP" {
			// tshark's SNMP (and some other) dissectors make conversations
			// with a wildcard port, so a response gets another udp.stream
			// than its request on the same ports; a UDP conversation here
			// is its address and port pair, as for the table.
			a, b := src+"|"+sp, dst+"|"+dp
			if a > b {
				a, b = b, a
			}
			id = "UDP " + a + " " + b
		}
		c := convs[id]
		if c == nil {
			c = &tsharkConv{proto: proto, a: src + "|" + sp, b: dst + "|" + dp, first: ts, last: ts}
			convs[id] = c
		}
		d := 0
		if src+"|"+sp != c.a {
			d = 1
		}
		c.frames[d]++
		c.bytes[d] += size
		c.first, c.last = min(c.first, ts), max(c.last, ts)
		// The first application protocol tshark names, except that a
		// NetBIOS session carrying SMB is SMB.
		if app := tsharkApp(f[2]); app != "" && (c.app == "" || c.app == "NetBIOS" && app == "SMB") {
			c.app = app
		}
	}
	return convs
}

// TestConnectionsMatchTshark compares every TCP and UDP connection with
// tshark's conversation of the same endpoints and start: packets and bytes
// per direction, start and duration. Timeouts and the close delay are set
// to a day: tshark's conversations never time out, and it keeps packets
// that come long after a close in the closed conversation (by default the
// table writes a closed connection 5 s after its last packet, as Zeek
// does, and later stragglers make a new one).
func TestConnectionsMatchTshark(t *testing.T) {
	total, agreed := 0, 0
	for _, name := range convCaptures {
		path, ok := capturePath(t, name)
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			f, err := source.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sink := ncio.NewMemorySink()
			day := 24 * time.Hour
			_, err = collector.Run(context.Background(), f, path, collector.Config{
				Workers: 2, Sink: sink, Include: []string{"Connection"},
				Flows: flow.Config{TCPTimeout: day, OtherTimeout: day, CloseDelay: day},
			})
			if err != nil {
				t.Fatal(err)
			}
			ours := map[string]*types.Connection{}
			for _, m := range sink.Records(types.Type_NC_Connection) {
				c := m.(*types.Connection)
				if c.TransportProto != "TCP" && c.TransportProto != "UDP" {
					continue
				}
				k := convKey(c.TransportProto, c.SrcIP+"|"+c.SrcPort, c.DstIP+"|"+c.DstPort, c.TimestampFirst)
				if ours[k] != nil {
					t.Errorf("two connections %s", k)
				}
				ours[k] = c
			}
			theirs := tsharkConversations(t, path)
			n, bad := 0, 0
			for _, tc := range theirs {
				n++
				k := convKey(tc.proto, tc.a, tc.b, tc.first)
				c := ours[k]
				if c == nil {
					bad++
					t.Errorf("tshark conversation %s (%d+%d frames): no connection", k, tc.frames[0], tc.frames[1])
					continue
				}
				delete(ours, k)
				// Our client may be tshark's B (a SYN-ACK seen first).
				ab := [2]int64{c.BytesClientToServer, c.BytesServerToClient}
				ap := [2]int64{c.PacketsClientToServer, c.PacketsServerToClient}
				if c.SrcIP+"|"+c.SrcPort != tc.a {
					ab[0], ab[1] = ab[1], ab[0]
					ap[0], ap[1] = ap[1], ap[0]
				}
				if ab != tc.bytes || ap != tc.frames || c.Duration != tc.last-tc.first || int64(c.NumPackets) != tc.frames[0]+tc.frames[1] {
					bad++
					t.Errorf("%s: ours %v frames %v bytes %d ns, tshark %v %v %d ns", k, ap, ab, c.Duration, tc.frames, tc.bytes, tc.last-tc.first)
				}
			}
			for k, c := range ours {
				bad++
				t.Errorf("connection %s (%d packets) has no tshark conversation", k, c.NumPackets)
			}
			t.Logf("%d conversations, %d agree with tshark", n, n-bad)
			total += n
			agreed += n - bad
		})
	}
	t.Logf("all captures: %d of %d TCP/UDP conversations agree with tshark", agreed, total)
	if total == 0 {
		t.Fatal("no conversation compared")
	}
}

func convKey(proto, a, b string, first int64) string {
	if a > b {
		a, b = b, a
	}
	return fmt.Sprintf("%s %s %s @%d", proto, a, b, first)
}

// tsharkApp returns the first protocol after the transport in a
// frame.protocols list that decoder/dpi has a name for.
func tsharkApp(protocols string) string {
	parts := strings.Split(protocols, ":")
	for i, p := range parts {
		if p != "tcp" && p != "udp" {
			continue
		}
		found, session := "", false
		for _, q := range parts[i+1:] {
			if n, ok := testutil.TsharkProtocols[q]; ok {
				if session && n == "SMB" {
					return n // SMB in a NetBIOS session
				}
				if found == "" {
					found, session = n, q == "nbss"
				}
			}
		}
		return found
	}
	return ""
}

// appCaptures hold the protocols ApplicationProto names, besides
// convCaptures.
var appCaptures = []string{
	"public/arkime/wireshark-dhcp.pcap", "public/icsnpp-enip/traces/enip_cip_example.pcap",
	"public/zeek/traces/ftp/bruteforce.pcap", "public/arkime/imap.pcap", "public/ndpi/mqtt.pcap",
	"public/icsnpp-modbus/traces/modbus_example.pcap", "public/arkime/mysql-allow.pcap",
	"public/zeek/traces/ntp/ntp2.pcap", "public/ndpi/pop3.pcap", "public/ndpi/pgsql.pcap",
	"public/arkime/quicietf.pcap", "public/ndpi/rdp.pcap", "public/ndpi/sip.pcap",
	"public/arkime/smb-smbclient.pcap", "public/ndpi/smtp.pcap", "public/ndpi/telnet.pcap",
	"public/ja4/pcap/tls-sni.pcapng", "public/ndpi/netbios.pcap",
}

// appExplained are conversations where tshark names a protocol by port
// that the content does not show (checked by hand), by capture and
// endpoints.
var appExplained = map[string]string{
	"ssh_zeek_test_pcaps.pcap TCP 172.16.238.131|80 172.16.238.1|49656 @1308930691035044000": "an SSH server on port 80: tshark decodes port 80 as HTTP",
}

// TestApplicationProtoMatchesTshark compares each TCP and UDP Connection's
// ApplicationProto with the first application protocol tshark names in
// that conversation. A conversation we name must never get another name
// from tshark; one tshark names we may leave "unknown" only when its
// content cannot tell (no start of the protocol in the first packets, e.g.
// TLS captured mid-connection, which tshark names by port).
func TestApplicationProtoMatchesTshark(t *testing.T) {
	type tally struct{ tshark, ours, agreed int }
	byProto := map[string]*tally{}
	get := func(p string) *tally {
		if byProto[p] == nil {
			byProto[p] = &tally{}
		}
		return byProto[p]
	}
	unknown := 0
	for _, name := range append(slices.Clone(convCaptures), appCaptures...) {
		path, ok := capturePath(t, name)
		if !ok {
			continue
		}
		f, err := source.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sink := ncio.NewMemorySink()
		day := 24 * time.Hour
		_, err = collector.Run(context.Background(), f, path, collector.Config{
			Workers: 2, Sink: sink, Include: []string{"Connection"},
			Flows: flow.Config{TCPTimeout: day, OtherTimeout: day, CloseDelay: day},
		})
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		ours := map[string]*types.Connection{}
		for _, m := range sink.Records(types.Type_NC_Connection) {
			c := m.(*types.Connection)
			ours[convKey(c.TransportProto, c.SrcIP+"|"+c.SrcPort, c.DstIP+"|"+c.DstPort, c.TimestampFirst)] = c
		}
		for _, tc := range tsharkConversations(t, path) {
			k := convKey(tc.proto, tc.a, tc.b, tc.first)
			c := ours[k]
			if c == nil {
				continue // counted by TestConnectionsMatchTshark
			}
			app := c.ApplicationProto
			if tc.app != "" {
				get(tc.app).tshark++
			}
			if app != "unknown" {
				get(app).ours++
			}
			switch {
			case app == "unknown" && tc.app == "":
			case app == tc.app:
				get(app).agreed++
			case app == "unknown":
				unknown++
				t.Logf("%s %s: tshark %s, content does not tell", filepath.Base(path), k, tc.app)
			case tc.app == "":
				t.Logf("%s %s: %s by content, tshark names no protocol", filepath.Base(path), k, app)
			default:
				if why, ok := appExplained[filepath.Base(path)+" "+k]; ok {
					t.Logf("%s %s: ours %s, tshark %s: %s", filepath.Base(path), k, app, tc.app, why)
					continue
				}
				t.Errorf("%s %s: ours %s, tshark %s", filepath.Base(path), k, app, tc.app)
			}
		}
	}
	names := make([]string, 0, len(byProto))
	for n := range byProto {
		names = append(names, n)
	}
	slices.Sort(names)
	total, agreed := 0, 0
	for _, n := range names {
		c := byProto[n]
		t.Logf("%-10s tshark %4d ours %4d agreed %4d", n, c.tshark, c.ours, c.agreed)
		total += c.tshark
		agreed += c.agreed
	}
	t.Logf("%d of %d conversations tshark names agree; %d left unknown (content does not tell)", agreed, total, unknown)
	if total > 0 && float64(agreed) < 0.9*float64(total) {
		t.Errorf("only %d of %d agree", agreed, total)
	}
	for _, p := range []string{"HTTP", "TLS", "DNS", "SSH", "SMTP"} {
		if c := byProto[p]; c == nil || c.agreed == 0 {
			t.Errorf("no %s conversation agreed", p)
		}
	}
}
