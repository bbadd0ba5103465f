package packet_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/collector"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
	"github.com/netcap-go/netcap/types"
)

// Hellos are read per TCP segment: tshark must not reassemble TCP either,
// so that a hello split across segments is left out on both sides (we
// count it as skipped), and must dissect every segment, including those its
// sequence analysis calls retransmissions (a reused port pair confuses it).
var perSegment = []string{"-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE"}

// joinNormalized joins tshark's values of a list field, each normalised.
func joinNormalized(vs []string) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = tsharktest.Normalize(v)
	}
	return strings.Join(out, "|")
}

func joinInt32(vs []int32) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Itoa(int(v))
	}
	return strings.Join(out, "|")
}

var clientHelloCase = tsharktest.Case{
	Type: "TLSClientHello",
	// TCP only: tshark also dissects the ClientHello in QUIC Initial
	// packets, which it decrypts; that is not a TLS record on TCP.
	Filter: "tls.handshake.type == 1 && tcp",
	Args:   perSegment,
	Read: []string{
		"tls.record.content_type", "tls.record.version", "tls.record.length", "tls.handshake.length", "tls.handshake.version",
		"tls.handshake.random", "tls.handshake.session_id", "tls.handshake.cipher_suites_length",
		"tls.handshake.extensions_length", "tls.handshake.extensions_server_name", "tls.handshake.ciphersuite",
		"tls.handshake.comp_method", "tls.handshake.extension.type", "tls.handshake.extensions_supported_group",
		"tls.handshake.extensions_ec_point_format", "tls.handshake.sig_hash_alg_len", "tls.handshake.sig_hash_alg",
		"tls.handshake.extensions_alpn_str",
		"tls.handshake.extensions.supported_version", "tls.handshake.ja3_full", "tls.handshake.ja3",
		"tcp.srcport", "tcp.dstport", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
	},
	Columns: []string{"Version", "MessageLen", "HandshakeLen", "HandshakeVersion", "Random", "SessionID",
		"CipherSuiteLen", "ExtensionLen", "SNI", "CipherSuites", "CompressMethods", "Extensions", "SupportedGroups",
		"SupportedPoints", "SignatureAlgs", "ALPNs", "SupportedVersions", "Ja3String", "Ja3", "SrcPort", "DstPort", "SrcIP", "DstIP"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.TLSClientHello)
		alpn := strings.Join(r.ALPNs, "|")
		return []string{strconv.Itoa(int(r.Version)), strconv.Itoa(int(r.MessageLen)), strconv.Itoa(int(r.HandshakeLen)),
			strconv.Itoa(int(r.HandshakeVersion)), hex.EncodeToString(r.Random), hex.EncodeToString(r.SessionID),
			strconv.Itoa(int(r.CipherSuiteLen)), strconv.Itoa(int(r.ExtensionLen)), r.SNI, joinInt32(r.CipherSuites),
			joinInt32(r.CompressMethods), joinInt32(r.Extensions), joinInt32(r.SupportedGroups), joinInt32(r.SupportedPoints),
			joinInt32(r.SignatureAlgs), alpn, joinInt32(r.SupportedVersions), r.Ja3String, r.Ja3,
			strconv.Itoa(int(r.SrcPort)), strconv.Itoa(int(r.DstPort)), r.SrcIP, r.DstIP}
	},
	FrameRows: func(f tsharktest.Frame) [][]string {
		if len(f.All("tls.handshake.ja3")) != 1 {
			return nil // not one whole ClientHello in this segment
		}
		src, dst := f.At("ip.src", 0), f.At("ip.dst", 0)
		if src == "" {
			src, dst = f.At("ipv6.src", 0), f.At("ipv6.dst", 0)
		}
		// The record fields are those of the handshake record (a TLS 1.3
		// client may send a ChangeCipherSpec record before its second
		// ClientHello in the same segment).
		rec := max(slices.Index(f.All("tls.record.content_type"), "22"), 0)
		return [][]string{{
			f.At("tls.record.version", rec), f.At("tls.record.length", rec), f.At("tls.handshake.length", 0),
			f.At("tls.handshake.version", 0), f.At("tls.handshake.random", 0), f.At("tls.handshake.session_id", 0),
			f.At("tls.handshake.cipher_suites_length", 0), f.At("tls.handshake.extensions_length", 0),
			f.At("tls.handshake.extensions_server_name", 0), joinNormalized(f.All("tls.handshake.ciphersuite")),
			joinNormalized(f.All("tls.handshake.comp_method")), joinNormalized(f.All("tls.handshake.extension.type")),
			joinNormalized(f.All("tls.handshake.extensions_supported_group")),
			joinNormalized(f.All("tls.handshake.extensions_ec_point_format")),
			joinNormalized(signatureAlgorithms(f)), strings.Join(f.All("tls.handshake.extensions_alpn_str"), "|"),
			joinNormalized(f.All("tls.handshake.extensions.supported_version")),
			f.At("tls.handshake.ja3_full", 0), f.At("tls.handshake.ja3", 0),
			f.At("tcp.srcport", 0), f.At("tcp.dstport", 0), src, dst,
		}}
	},
}

// signatureAlgorithms picks the values of the signature_algorithms
// extension (13) out of tshark's tls.handshake.sig_hash_alg, which also
// holds those of delegated_credentials (34) and signature_algorithms_cert
// (50), in extension order; tls.handshake.sig_hash_alg_len gives each
// list's length in bytes.
func signatureAlgorithms(f tsharktest.Frame) []string {
	all, lens := f.All("tls.handshake.sig_hash_alg"), f.All("tls.handshake.sig_hash_alg_len")
	next, list := 0, 0
	for _, ext := range f.All("tls.handshake.extension.type") {
		switch ext {
		case "13", "34", "50":
			if list >= len(lens) {
				return []string{"<sig_hash_alg_len missing>"}
			}
			n, _ := strconv.Atoi(lens[list])
			list++
			end := min(next+n/2, len(all))
			if ext == "13" {
				return all[next:end]
			}
			next = end
		}
	}
	return nil
}

// TestTLSClientHelloAgainstTshark compares every field, including the JA3
// string and hash, with tshark's dissection and JA3.
func TestTLSClientHelloAgainstTshark(t *testing.T) {
	compare(t, clientHelloCase, testutil.Testdata(t, "tls.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

func TestTLSClientHelloAgainstTsharkPublic(t *testing.T) {
	compare(t, clientHelloCase, sharedCaptures(t,
		"public/ja4/pcap/tls12.pcap",
		"public/ja4/pcap/tls3.pcapng",
		"public/ja4/pcap/tls-handshake.pcapng",
		"public/ja4/pcap/tls-sni.pcapng",
		"public/ja4/pcap/tls-alpn-h2.pcap",
		"public/ja4/pcap/ipv6.pcapng",
		"public/ja4/pcap/badcurveball.pcap",
		"public/ja4/pcap/https-connect.pcap",
		"public/arkime/openssl-tls1-tls1_2.pcap",
		"public/arkime/curl-enabled-tls13.pcap",
		"public/suricata-verify/tls/tls-subjectaltname/input.pcap",
	)...)
}

// ja4Snapshot reads the ClientHello fingerprints of TCP streams from a JA4
// reference snapshot (FoxIO's Rust implementation, insta YAML): one
// "src dst src_port dst_port ja4" line per stream with a ja4 value. Only
// the ja4 key is read; the other JA4+ values in the files are not used.
func ja4Snapshot(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	entry := map[string]string{}
	flush := func() {
		if entry["transport"] == "tcp" && entry["ja4"] != "" {
			out = append(out, strings.Join([]string{entry["src"], entry["dst"], entry["src_port"], entry["dst_port"], entry["ja4"]}, " "))
		}
		entry = map[string]string{}
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "- ") {
			flush()
			line = "  " + line[2:]
		}
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok && strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") {
			entry[k] = strings.Trim(v, `"'`)
		}
	}
	flush()
	slices.Sort(out)
	return out
}

// TestJA4AgainstFoxIOReference: the JA4 of every ClientHello on TCP equals
// the FoxIO reference implementation's (Rust snapshots), stream by stream.
// The reference fingerprints the first ClientHello of a stream; we write a
// record for every hello (a client answering a HelloRetryRequest sends a
// second one), so the first per stream is compared. QUIC streams (ja4 "q…") are not compared: QUIC Initial packets are
// encrypted and are not decoded here.
func TestJA4AgainstFoxIOReference(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "ja4")
	for _, name := range []string{
		"tls12.pcap", "tls3.pcapng", "tls-handshake.pcapng", "tls-sni.pcapng", "tls-alpn-h2.pcap",
		"ipv6.pcapng", "badcurveball.pcap", "https-connect.pcap", "http2-with-cookies.pcapng",
		"ssh2.pcapng", "chrome-cloudflare-quic-with-secrets.pcapng",
	} {
		want := ja4Snapshot(t, filepath.Join(dir, "expected", "rust-snapshots", "ja4__insta@"+name+".snap"))
		pcap := filepath.Join(dir, "pcap", name)
		first := map[string]*types.TLSClientHello{}
		for _, m := range decodeCapture(t, pcap).Records(types.Type_NC_TLSClientHello) {
			r := m.(*types.TLSClientHello)
			stream := fmt.Sprintf("%s %s %d %d", r.SrcIP, r.DstIP, r.SrcPort, r.DstPort)
			if f, ok := first[stream]; !ok || r.Timestamp < f.Timestamp {
				first[stream] = r
			}
		}
		var got []string
		for stream, r := range first {
			got = append(got, stream+" "+r.Ja4)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: JA4 differs from the reference\nours:\n  %s\nreference:\n  %s", name, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			continue
		}
		t.Logf("%s: %d JA4 fingerprints equal the reference", name, len(want))
	}
}

// arkimeTLS is what an Arkime test file says of one session's TLS.
type arkimeTLS struct {
	client, server   string // "ip port"
	ja3, ja3String   []string
	ja3s, ja3sString []string
}

// arkimeSessions reads the sessions with TLS fingerprints from an Arkime
// test file (its expected session JSON).
func arkimeSessions(t *testing.T, path string) []arkimeTLS {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Sessions []struct {
			Body struct {
				Source struct {
					IP   string
					Port int
				} `json:"source"`
				Destination struct {
					IP   string
					Port int
				} `json:"destination"`
				TLS *struct {
					JA3        []string `json:"ja3"`
					JA3String  []string `json:"ja3string"`
					JA3S       []string `json:"ja3s"`
					JA3SString []string `json:"ja3sstring"`
				} `json:"tls"`
			} `json:"body"`
		} `json:"sessions3"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []arkimeTLS
	for _, s := range doc.Sessions {
		b := s.Body
		if b.TLS == nil {
			continue
		}
		out = append(out, arkimeTLS{
			client: fmt.Sprintf("%s %d", b.Source.IP, b.Source.Port), server: fmt.Sprintf("%s %d", b.Destination.IP, b.Destination.Port),
			ja3: b.TLS.JA3, ja3String: b.TLS.JA3String, ja3s: b.TLS.JA3S, ja3sString: b.TLS.JA3SString,
		})
	}
	return out
}

func sortedSet(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// TestJA3AgainstArkime: JA3 and JA3S (hashes and strings) of every TLS
// session in Arkime's test captures equal Arkime's expected values. Not
// used: openvpn_synthetic (TLS inside OpenVPN framing) and quicietf (QUIC),
// which carry no TLS records on TCP.
func TestJA3AgainstArkime(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "arkime")
	sessions := 0
	for _, name := range []string{
		"badcurveball", "curl-enabled-tls13", "https-connect", "https2-301-get", "openssl-tls1-tls1_2",
		"openssl-tls1", "openssl-tls1_2", "pppoe", "smtp-starttls", "socks4-https", "ssl-selfsign",
		"tls-alpn-h2", "tls-client-sessionid", "tls13",
	} {
		sink := decodeCapture(t, filepath.Join(dir, name+".pcap"))
		type fp struct{ ja3, ja3String, ja3s, ja3sString []string }
		ours := map[string]*fp{} // by "client server"
		get := func(k string) *fp {
			if ours[k] == nil {
				ours[k] = &fp{}
			}
			return ours[k]
		}
		for _, m := range sink.Records(types.Type_NC_TLSClientHello) {
			r := m.(*types.TLSClientHello)
			f := get(fmt.Sprintf("%s %d %s %d", r.SrcIP, r.SrcPort, r.DstIP, r.DstPort))
			f.ja3, f.ja3String = append(f.ja3, r.Ja3), append(f.ja3String, r.Ja3String)
		}
		for _, m := range sink.Records(types.Type_NC_TLSServerHello) {
			r := m.(*types.TLSServerHello)
			f := get(fmt.Sprintf("%s %d %s %d", r.DstIP, r.DstPort, r.SrcIP, r.SrcPort))
			f.ja3s, f.ja3sString = append(f.ja3s, r.Ja3S), append(f.ja3sString, r.Ja3SString)
		}
		for _, want := range arkimeSessions(t, filepath.Join(dir, name+".test")) {
			sessions++
			got := get(want.client + " " + want.server)
			for _, c := range []struct {
				what       string
				have, want []string
			}{
				{"JA3", got.ja3, want.ja3}, {"JA3 string", got.ja3String, want.ja3String},
				{"JA3S", got.ja3s, want.ja3s}, {"JA3S string", got.ja3sString, want.ja3sString},
			} {
				if !slices.Equal(sortedSet(c.have), sortedSet(c.want)) {
					t.Errorf("%s %s → %s: %s %q, Arkime %q", name, want.client, want.server, c.what, sortedSet(c.have), sortedSet(c.want))
				}
			}
		}
	}
	t.Logf("%d Arkime TLS sessions compared", sessions)
}

// ndpiFlowRE matches a flow line of nDPI's expected output: protocol, the
// two endpoints, and later the JA3 fields.
var (
	ndpiFlowRE = regexp.MustCompile(`^\s*\d+\s+(TCP|UDP) (\S+) <-> (\S+) `)
	ndpiJA3CRE = regexp.MustCompile(`\[JA3C: ([0-9a-f]{32})`)
	ndpiJA3SRE = regexp.MustCompile(`\[JA3S: ([0-9a-f]{32})`)
)

// endpointPair keys a flow by its two endpoints in a fixed order.
func endpointPair(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + " " + b
}

// ndpiEndpoint turns nDPI's "1.2.3.4:443" or "[2001:db8::1]:443" into
// "1.2.3.4:443" / "2001:db8::1:443"-free form "ip port".
// nDPI writes IPv6 addresses in its own way (a single zero group
// compressed, "b00c::2"); they are compared in RFC 5952 form, as Go and
// tshark write them.
func ndpiEndpoint(s string) string {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s
	}
	host := strings.Trim(s[:i], "[]")
	if a, err := netip.ParseAddr(host); err == nil {
		host = a.String()
	}
	return host + " " + s[i+1:]
}

// TestJA3AgainstNDPI: the JA3 and JA3S nDPI reports for every TCP flow of
// its test captures equal those of the flow's first ClientHello and
// ServerHello here (hellos spanning several TCP segments are read from the
// reassembled stream). Every nDPI fingerprint must be found.
func TestJA3AgainstNDPI(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "ndpi")
	outs, _ := filepath.Glob(filepath.Join(dir, "expected", "*.out"))
	compared := 0
	for _, out := range outs {
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("[JA3C: ")) && !bytes.Contains(data, []byte("[JA3S: ")) {
			continue
		}
		pcap := filepath.Join(dir, strings.TrimSuffix(filepath.Base(out), ".out"))
		if _, err := os.Stat(pcap); err != nil {
			continue
		}
		sink := decodeCapture(t, pcap)
		firstJA3, firstJA3S := map[string]*types.TLSClientHello{}, map[string]*types.TLSServerHello{}
		for _, m := range sink.Records(types.Type_NC_TLSClientHello) {
			r := m.(*types.TLSClientHello)
			k := endpointPair(fmt.Sprintf("%s %d", r.SrcIP, r.SrcPort), fmt.Sprintf("%s %d", r.DstIP, r.DstPort))
			if f := firstJA3[k]; f == nil || r.Timestamp < f.Timestamp {
				firstJA3[k] = r
			}
		}
		for _, m := range sink.Records(types.Type_NC_TLSServerHello) {
			r := m.(*types.TLSServerHello)
			k := endpointPair(fmt.Sprintf("%s %d", r.SrcIP, r.SrcPort), fmt.Sprintf("%s %d", r.DstIP, r.DstPort))
			if f := firstJA3S[k]; f == nil || r.Timestamp < f.Timestamp {
				firstJA3S[k] = r
			}
		}
		for _, line := range strings.Split(string(data), "\n") {
			m := ndpiFlowRE.FindStringSubmatch(line)
			if m == nil || m[1] != "TCP" {
				continue
			}
			k := endpointPair(ndpiEndpoint(m[2]), ndpiEndpoint(m[3]))
			check := func(what, want string, have string, ok bool) {
				if ok {
					compared++
					if have != want {
						t.Errorf("%s %s: %s %s, nDPI %s", filepath.Base(pcap), k, what, have, want)
					}
					return
				}
				t.Errorf("%s %s: no %s record (nDPI %s)", filepath.Base(pcap), k, what, want)
			}
			if c := ndpiJA3CRE.FindStringSubmatch(line); c != nil {
				r, ok := firstJA3[k]
				have := ""
				if ok {
					have = r.Ja3
				}
				check("JA3", c[1], have, ok)
			}
			if s := ndpiJA3SRE.FindStringSubmatch(line); s != nil {
				r, ok := firstJA3S[k]
				have := ""
				if ok {
					have = r.Ja3S
				}
				check("JA3S", s[1], have, ok)
			}
		}
	}
	if compared < 100 {
		t.Errorf("only %d nDPI fingerprints compared", compared)
	}
	t.Logf("%d nDPI JA3/JA3S fingerprints equal ours", compared)
}

// TestClientHelloSplitAcrossSegments: a ClientHello cut into two TCP
// segments yields no record per packet (counted as skipped); with stream
// reassembly (the default) it is read from the stream, so both hellos —
// split and whole — give a record, with the same fingerprints; without
// reassembly only the whole one does.
func TestClientHelloSplitAcrossSegments(t *testing.T) {
	var hello []byte
	f, err := source.OpenFile(testutil.Testdata(t, "tls.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	for hello == nil {
		data, ci, err := f.ReadPacket()
		if err != nil {
			t.Fatal("no ClientHello in tls.pcap")
		}
		pkt := gopacket.NewPacket(data, ci.LinkType, gopacket.Default)
		if tcp, ok := pkt.TransportLayer().(*layers.TCP); ok && len(tcp.Payload) > 6 && tcp.Payload[0] == 22 && tcp.Payload[5] == 1 {
			hello = append([]byte(nil), tcp.Payload...)
		}
	}
	f.Close()
	segment := func(sport uint16, seq uint32, payload []byte) []byte {
		tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: 8443, Seq: seq, ACK: true, PSH: true, Window: 512}
		return serializeFrame(t, ethernetLayer(layers.EthernetTypeIPv4), ipv4Layer(layers.IPProtocolTCP, "192.0.2.1", "192.0.2.2"), tcp, gopacket.Payload(payload))
	}
	pcap := writePcap(t, layers.LinkTypeEthernet,
		segment(40000, 1000, hello[:100]), segment(40000, 1100, hello[100:]), // split
		segment(40001, 5000, hello), // whole, on a port that is not 443
	)
	for _, reassemble := range []bool{true, false} {
		src, err := source.OpenFile(pcap)
		if err != nil {
			t.Fatal(err)
		}
		sink := ncio.NewMemorySink()
		sum, err := collector.Run(context.Background(), src, pcap, collector.Config{Workers: 1, Sink: sink, NoReassembly: !reassemble})
		src.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if reassemble {
			want = 2
		}
		recs := sink.Records(types.Type_NC_TLSClientHello)
		if len(recs) != want {
			t.Errorf("reassembly %v: %d ClientHello records, want %d", reassemble, len(recs), want)
		}
		for _, m := range recs {
			if r := m.(*types.TLSClientHello); r.Ja3 != "87b9bfc7da97115ed2276737b09f8d74" || r.SNI != "tls.example.test" {
				t.Errorf("JA3 %s SNI %s", r.Ja3, r.SNI)
			}
		}
		if n := sum.Stats.Skipped["TLSClientHello: hello continues in a later TCP segment"]; n != 1 {
			t.Errorf("skipped %v, want one split hello", sum.Stats.Skipped)
		}
	}
}

// helloSegments are TCP headers with hello payloads, seeds for the fuzz
// targets of both TLS decoders (which read TCP payloads).
func helloSegments(f *testing.F) [][]byte {
	var out [][]byte
	for _, seed := range layerSeeds(f, testutil.Testdata(f, "tls.pcap"), layers.LayerTypeTCP, 64) {
		if len(seed) > 40 && seed[12]>>4 >= 5 && len(seed) > int(seed[12]>>4)*4 && seed[int(seed[12]>>4)*4] == 22 {
			out = append(out, seed)
		}
	}
	return out
}

func FuzzTLSClientHello(f *testing.F) { fuzzLayer(f, layers.LayerTypeTCP, helloSegments(f)...) }
