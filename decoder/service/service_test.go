package service_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/streamtest"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// svConvTable reads `tshark -q -z conv,tcp` (and udp): the frame bytes of
// each conversation by its two endpoints, where tshark prints them exactly
// (it rounds to kB from 10,000 bytes on).
func svConvTable(t *testing.T, pcap, transport string) map[string]int64 {
	m := map[string]int64{}
	for _, c := range tsharktest.Conversations(t, pcap, transport) {
		if total, exact := tsharktest.ExactBytes(c.Bytes[2]); exact {
			m[streamtest.Endpoint(c.A)+" "+streamtest.Endpoint(c.B)] = total
			m[streamtest.Endpoint(c.B)+" "+streamtest.Endpoint(c.A)] = total
		}
	}
	return m
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
		convs := streamtest.Conversations(t, pcap)
		// mpls-basic.pcap: the client's frames carry MPLS labels, the
		// server's do not; the dispatcher looks past the labels, so both
		// directions reach the same worker.
		cfg := collector.Config{Workers: 2}
		table := map[string]map[string]int64{"tcp": svConvTable(t, pcap, "tcp"), "udp": svConvTable(t, pcap, "udp")}
		type agg struct {
			flows          []string
			server, client int64
			first          *streamtest.Conversation
		}
		want := map[string]*agg{}
		for _, c := range convs {
			if total, ok := table[c.Transport][c.Client+" "+c.Server]; ok && total != c.Frames[0]+c.Frames[1] {
				t.Errorf("%s: %s %s->%s: frame bytes %d, conv table %d", name, c.Transport, c.Client, c.Server, c.Frames[0]+c.Frames[1], total)
			}
			if !c.ServerSent {
				continue
			}
			k := c.Transport + " " + c.Server
			a := want[k]
			if a == nil {
				a = &agg{}
				want[k] = a
			}
			a.flows = append(a.flows, c.Client+"->"+c.Server)
			a.server += c.Payload[1]
			a.client += c.Payload[0]
			if a.first == nil || c.First < a.first.First {
				a.first = c
			}
		}
		got := map[string]*types.Service{}
		for _, m := range streamtest.Decode(t, pcap, cfg, "Service").Records(types.Type_NC_Service) {
			r := m.(*types.Service)
			tr := "tcp"
			if svIsUDP(convs, r.Flows[0]) {
				tr = "udp"
			}
			k := tr + " " + streamtest.JoinHostPort(r.IP, strconv.Itoa(int(r.Port)))
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
			if b := w.first.FirstServer; len(b) > 0 && utf8.Valid(b) && svPrintable(string(b)) {
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

func svIsUDP(convs map[string]*streamtest.Conversation, flow string) bool {
	for _, c := range convs {
		if c.Client+"->"+c.Server == flow {
			return c.Transport == "udp"
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

// TestServiceNames: the IANA name of each service's port is the one in
// Wireshark's services file (which follows the IANA registry), except for
// 465, which IANA lists twice ("urd", first, and "submissions", the name
// RFC 8314 gives it and that we use).
func TestServiceNames(t *testing.T) {
	names := streamtest.WiresharkServiceNames(t)
	n := 0
	for _, pcap := range svPcaps(t) {
		convs := streamtest.Conversations(t, pcap)
		for _, m := range streamtest.Decode(t, pcap, collector.Config{}, "Service").Records(types.Type_NC_Service) {
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
			sink := streamtest.Decode(t, pcap, collector.Config{Workers: w}, "Service", "Software")
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
		rows := streamtest.TsharkFields(t, pcap, c.filter, c.field)
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
		sink := streamtest.Decode(t, pcap, collector.Config{}, "Service", "Software")
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
	for _, i := range registry.Infos() {
		if i.Group == decoder.GroupStream {
			names = append(names, i.Name)
		}
	}
	ssh := false
	for _, m := range streamtest.Decode(t, pcap, collector.Config{}, "Service").Records(types.Type_NC_Service) {
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
