package stream_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// svConv is one conversation as tshark sees it.
type svConv struct {
	transport        string // "tcp" or "udp"
	client, server   string // ip:port, joined as our idents are
	first            int    // frame number of its first frame
	firstServer      []byte // payload of the server's first data frame
	payload, frames  [2]int64
	serverSent, midS bool
}

// svConversations reads every TCP and UDP conversation of a capture from
// tshark, per frame: who is the client (the sender of a SYN without ACK,
// the receiver of a SYN-ACK; mid-stream, the higher port; UDP, the first
// sender), the payload bytes of each direction and the frame bytes
// (frame.len, what conv,tcp counts). TCP payload bytes are the sequence
// space the data covers, from the lowest tcp.seq to the highest
// tcp.nxtseq of the frames with data (relative numbers): retransmitted and
// re-segmented bytes count once, as reassembly delivers them, and bytes
// never captured count too, as our Gap does. UDP payload bytes are
// udp.length minus the 8-byte header, summed.
func svConversations(t *testing.T, pcap string) map[string]*svConv {
	t.Helper()
	convs := map[string]*svConv{}
	rows := hvFields(t, pcap, "(tcp || udp) && !icmp && !icmpv6", "frame.number", "tcp.stream", "udp.stream", "ip.src", "ipv6.src", "tcp.srcport", "udp.srcport",
		"ip.dst", "ipv6.dst", "tcp.dstport", "udp.dstport", "tcp.len", "udp.length", "tcp.flags.syn", "tcp.flags.ack", "frame.len", "tcp.payload", "udp.payload",
		"tcp.seq", "tcp.nxtseq", "tcp.flags.fin")
	type span struct{ lo, hi int64 }
	spans := map[*svConv]*[2]span{}
	for _, r := range rows {
		tr, stream := "tcp", r[1]
		if stream == "" {
			tr, stream = "udp", r[2]
		}
		src := joinHostPort(r[3]+r[4], r[5]+r[6])
		dst := joinHostPort(r[7]+r[8], r[9]+r[10])
		sport, _ := strconv.Atoi(r[5] + r[6])
		dport, _ := strconv.Atoi(r[9] + r[10])
		k := tr + stream
		c := convs[k]
		syn, ack := r[13] == "1", r[14] == "1"
		if c == nil {
			c = &svConv{transport: tr, client: src, server: dst}
			c.first, _ = strconv.Atoi(r[0])
			switch {
			case tr == "udp", syn && !ack:
			case syn && ack:
				c.client, c.server = dst, src
			default:
				c.midS = true
				if sport < dport {
					c.client, c.server = dst, src
				}
			}
			convs[k] = c
			spans[c] = &[2]span{{-1, -1}, {-1, -1}}
		}
		dir := 0
		if src == c.server {
			dir = 1
		}
		var n int64
		if tr == "tcp" {
			n, _ = strconv.ParseInt(r[11], 10, 64)
			if n > 0 {
				seq, _ := strconv.ParseInt(r[18], 10, 64)
				nxt, _ := strconv.ParseInt(r[19], 10, 64)
				// tshark's nxtseq counts the FIN's (and SYN's) sequence
				// number too.
				if r[20] == "1" {
					nxt--
				}
				if syn {
					seq++
				}
				sp := &spans[c][dir]
				if sp.lo < 0 || seq < sp.lo {
					sp.lo = seq
				}
				sp.hi = max(sp.hi, nxt)
				c.payload[dir] = sp.hi - sp.lo
			}
		} else {
			n, _ = strconv.ParseInt(r[12], 10, 64)
			n -= 8
			c.payload[dir] += n
		}
		fl, _ := strconv.ParseInt(r[15], 10, 64)
		c.frames[dir] += fl
		if dir == 1 && n > 0 && !c.serverSent {
			c.serverSent = true
			c.firstServer, _ = hex.DecodeString(strings.ReplaceAll(r[16]+r[17], ":", ""))
		}
	}
	return convs
}

// svConvTable reads `tshark -q -z conv,tcp` (and udp): the frame bytes of
// each conversation by its two endpoints, where tshark prints them exactly
// (it rounds to kB from 10,000 bytes on).
func svConvTable(t *testing.T, pcap, transport string) map[string]int64 {
	m := map[string]int64{}
	for _, c := range tsharktest.Conversations(t, pcap, transport) {
		if total, exact := tsharktest.ExactBytes(c.Bytes[2]); exact {
			m[svEndpoint(c.A)+" "+svEndpoint(c.B)] = total
			m[svEndpoint(c.B)+" "+svEndpoint(c.A)] = total
		}
	}
	return m
}

// svEndpoint turns tshark's "addr:port" into our "addr:port" or
// "[v6]:port".
func svEndpoint(s string) string {
	i := strings.LastIndexByte(s, ':')
	return joinHostPort(strings.Trim(s[:i], "[]"), s[i+1:])
}

var svCaptures = []string{
	"public/arkime/ftp.pcap",
	"public/arkime/imap.pcap",
	"public/ndpi/telnet.pcap",
	"public/ndpi/ftp.pcap",
	"public/zeek/traces/ftp/ipv4.pcap",
	"public/zeek/traces/ftp/ipv6.pcap",
	"public/zeek/traces/ftp/bruteforce.pcap",
	"public/zeek/traces/smtp.pcap",
	"public/zeek/traces/pop3/pop3.pcap",
	"public/arkime/mpls-basic.pcap",
}

func svPcaps(t *testing.T) []string {
	out := []string{testutil.Testdata(t, "mixed.pcap")}
	for _, rel := range svCaptures {
		if p, ok := testutil.SharedIfPresent(t, rel); ok {
			out = append(out, p)
		}
	}
	return out
}

// TestServicesAgainstTshark: each server that sent data in a TCP or UDP
// conversation (per tshark) is exactly one Service, whose Flows are those
// conversations, whose BytesServer and BytesClient are their payload bytes
// summed, and whose Banner starts with the server's first payload when
// that is text.
//
// What is counted: our bytes are payload (the reassembled stream), tshark's
// conv table counts frames (headers included, retransmissions twice). The
// test therefore takes the payload of each direction from tshark's
// sequence numbers (see svConversations), and checks on the side that the
// frames' frame.len add up to what conv,tcp (conv,udp) prints for the
// conversation, so both views have the same conversations and frames.
func TestServicesAgainstTshark(t *testing.T) {
	for _, pcap := range svPcaps(t) {
		name := filepath.Base(pcap)
		convs := svConversations(t, pcap)
		// mpls-basic.pcap: the client's frames carry MPLS labels, the
		// server's do not; the dispatcher looks past the labels, so both
		// directions reach the same worker.
		cfg := collector.Config{Workers: 2}
		table := map[string]map[string]int64{"tcp": svConvTable(t, pcap, "tcp"), "udp": svConvTable(t, pcap, "udp")}
		type agg struct {
			flows          []string
			server, client int64
			first          *svConv
		}
		want := map[string]*agg{}
		for _, c := range convs {
			if total, ok := table[c.transport][c.client+" "+c.server]; ok && total != c.frames[0]+c.frames[1] {
				t.Errorf("%s: %s %s->%s: frame bytes %d, conv table %d", name, c.transport, c.client, c.server, c.frames[0]+c.frames[1], total)
			}
			if !c.serverSent {
				continue
			}
			k := c.transport + " " + c.server
			a := want[k]
			if a == nil {
				a = &agg{}
				want[k] = a
			}
			a.flows = append(a.flows, c.client+"->"+c.server)
			a.server += c.payload[1]
			a.client += c.payload[0]
			if a.first == nil || c.first < a.first.first {
				a.first = c
			}
		}
		got := map[string]*types.Service{}
		for _, m := range hvDecode(t, pcap, cfg, "Service").Records(types.Type_NC_Service) {
			r := m.(*types.Service)
			tr := "tcp"
			if svIsUDP(convs, r.Flows[0]) {
				tr = "udp"
			}
			k := tr + " " + joinHostPort(r.IP, strconv.Itoa(int(r.Port)))
			if got[k] != nil {
				t.Errorf("%s: two services %s", name, k)
			}
			got[k] = r
		}
		for k, w := range want {
			r := got[k]
			if r == nil {
				t.Errorf("%s: no service %s (tshark: %d conversations)", name, k, len(w.flows))
				continue
			}
			slices.Sort(w.flows)
			flows := slices.Sorted(slices.Values(r.Flows))
			if !slices.Equal(flows, w.flows) {
				t.Errorf("%s: %s: flows %q, tshark %q", name, k, flows, w.flows)
			}
			if int64(r.BytesServer) != w.server || int64(r.BytesClient) != w.client {
				t.Errorf("%s: %s: bytes server %d client %d, tshark payload %d %d", name, k, r.BytesServer, r.BytesClient, w.server, w.client)
			}
			if b := w.first.firstServer; len(b) > 0 && utf8.Valid(b) && svPrintable(string(b)) {
				banner, err := types.UnescapeWire(r.Banner)
				if p := b[:min(len(b), 64)]; err != nil || !bytes.HasPrefix(banner, p) {
					t.Errorf("%s: %s: banner %q (%v), tshark's first server payload %q", name, k, r.Banner, err, p)
				}
			}
		}
		for k := range got {
			if want[k] == nil {
				t.Errorf("%s: service %s, tshark has no server sending there", name, k)
			}
		}
		t.Logf("%s: %d services as tshark", name, len(got))
	}
}

func svIsUDP(convs map[string]*svConv, flow string) bool {
	for _, c := range convs {
		if c.client+"->"+c.server == flow {
			return c.transport == "udp"
		}
	}
	return false
}

func svPrintable(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\r' && r != '\n' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// svWiresharkNames reads Wireshark's services file: "port/transport" →
// name.
func svWiresharkNames(t *testing.T) map[string]string {
	out := tsharktest.Run(t, "-G", "folders")
	var global string
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "Global configuration" {
			global = strings.TrimSpace(v)
		}
	}
	f, err := os.Open(filepath.Join(global, "services"))
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	names := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fs := strings.Fields(line)
		if len(fs) < 2 {
			continue
		}
		parts := strings.Split(fs[1], "/")
		for _, tr := range parts[1:] {
			if _, ok := names[parts[0]+"/"+tr]; !ok {
				names[parts[0]+"/"+tr] = fs[0]
			}
		}
	}
	return names
}

// TestServiceNames: the IANA name of each service's port is the one in
// Wireshark's services file (which follows the IANA registry), except for
// 465, which IANA lists twice ("urd", first, and "submissions", the name
// RFC 8314 gives it and that we use).
func TestServiceNames(t *testing.T) {
	names := svWiresharkNames(t)
	n := 0
	for _, pcap := range svPcaps(t) {
		convs := svConversations(t, pcap)
		for _, m := range hvDecode(t, pcap, collector.Config{}, "Service").Records(types.Type_NC_Service) {
			r := m.(*types.Service)
			tr := "tcp"
			if svIsUDP(convs, r.Flows[0]) {
				tr = "udp"
			}
			if r.Port == 465 || r.Port > 1024 && r.Name == "" {
				continue // ephemeral ports: Wireshark's list is longer than ours
			}
			if w := names[fmt.Sprintf("%d/%s", r.Port, tr)]; r.Name != w {
				t.Errorf("%s %s:%d/%s: name %q, Wireshark %q", filepath.Base(pcap), r.IP, r.Port, tr, r.Name, w)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no service checked")
	}
}

// TestServiceDeterministic: one worker or eight, the same records.
func TestServiceDeterministic(t *testing.T) {
	for _, pcap := range svPcaps(t)[:min(3, len(svPcaps(t)))] {
		var runs [2][]proto.Message
		for i, w := range []int{1, 8} {
			sink := hvDecode(t, pcap, collector.Config{Workers: w}, "Service", "Software")
			runs[i] = append(sink.Records(types.Type_NC_Service), sink.Records(types.Type_NC_Software)...)
		}
		if len(runs[0]) != len(runs[1]) || len(runs[0]) == 0 {
			t.Fatalf("%s: %d and %d records", pcap, len(runs[0]), len(runs[1]))
		}
		for i := range runs[0] {
			if !proto.Equal(runs[0][i], runs[1][i]) {
				t.Errorf("%s: record %d differs:\n%v\n%v", pcap, i, runs[0][i], runs[1][i])
			}
		}
	}
}

// TestBannerSoftware: products and versions named by greetings, found in
// the greeting text tshark dissects (ftp.response.arg, smtp.rsp.parameter,
// imap.line, ssh.protocol), are the Service's Product and Version and a
// Software record (the SSH decoder's for SSH, the SMTP decoder's for SMTP,
// ours from the banner for FTP and IMAP).
func TestBannerSoftware(t *testing.T) {
	for _, c := range []struct {
		pcap, filter, field string
		product, version    string
	}{
		{"public/ndpi/ftp.pcap", "ftp.response.code == 220", "ftp.response.arg", "vsFTPd", "3.0.3"},
		{"public/zeek/traces/smtp.pcap", "smtp.response.code == 220", "smtp.rsp.parameter", "Exim", "4.69"},
		{"public/arkime/imap.pcap", "tcp.srcport == 143 && imap.line", "imap.line", "Exchange Server", "5.5.2650.23"},
		{"testdata/mixed.pcap", "tcp.srcport == 22 && ssh.protocol", "ssh.protocol", "OpenSSH", "9.2p1"},
	} {
		var pcap string
		if strings.HasPrefix(c.pcap, "testdata/") {
			pcap = testutil.Testdata(t, strings.TrimPrefix(c.pcap, "testdata/"))
		} else {
			pcap = testutil.Shared(t, c.pcap)
		}
		rows := hvFields(t, pcap, c.filter, c.field)
		if len(rows) == 0 {
			t.Fatalf("%s: tshark finds no %s", c.pcap, c.filter)
		}
		banner := rows[0][0]
		// The banner names them (in its own case: "IMAP4rev1 server").
		for _, w := range strings.Fields(c.product + " " + c.version) {
			if !strings.Contains(strings.ToLower(banner), strings.ToLower(w)) {
				t.Fatalf("%s: banner %q does not name %q", c.pcap, banner, w)
			}
		}
		sink := hvDecode(t, pcap, collector.Config{}, "Service", "Software")
		found := false
		for _, m := range sink.Records(types.Type_NC_Service) {
			r := m.(*types.Service)
			if r.Product == c.product && r.Version == c.version {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no service with %s %s in %v", c.pcap, c.product, c.version, sink.Records(types.Type_NC_Service))
		}
		// A Software sighting: ours from the banner (FTP, IMAP), or the SMTP
		// decoder's from its greeting.
		var sw []string
		seen := false
		for _, m := range sink.Records(types.Type_NC_Software) {
			r := m.(*types.Software)
			sw = append(sw, r.Product+" "+r.Version+" ("+r.SourceName+")")
			seen = seen || r.Version == c.version && strings.Contains(c.product, r.Product)
		}
		if !seen {
			t.Errorf("%s: no software %s %s: %q", c.pcap, c.product, c.version, sw)
		}
	}
}

// TestServiceProtocol: a server whose conversations a stream protocol
// recognised carries its name (the SSH server of mixed.pcap, where tshark
// dissects ssh), others "TCP" or "UDP" or a stream protocol's name.
func TestServiceProtocol(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	names := []string{"TCP", "UDP"}
	for _, p := range stream.Protocols {
		names = append(names, p.Name())
	}
	ssh := false
	for _, m := range hvDecode(t, pcap, collector.Config{}, "Service").Records(types.Type_NC_Service) {
		r := m.(*types.Service)
		if !slices.Contains(names, r.Protocol) {
			t.Errorf("%s:%d: protocol %q", r.IP, r.Port, r.Protocol)
		}
		if r.Port == 22 {
			ssh = r.Protocol == "SSH"
		}
	}
	if !ssh {
		t.Error("the SSH server's protocol is not SSH")
	}
}
