package packet_test

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

var serverHelloCase = tsharktest.Case{
	Type:   "TLSServerHello",
	Filter: "tls.handshake.type == 2 && tcp",
	Args:   perSegment,
	Read: []string{
		"tls.handshake.type", "tls.handshake.version", "tls.handshake.random", "tls.handshake.session_id",
		"tls.handshake.ciphersuite", "tls.handshake.comp_method", "tls.handshake.extension.type",
		"tls.handshake.extensions_alpn_str", "tls.handshake.extensions.supported_version",
		"tls.handshake.extensions_key_share_group", "tls.handshake.extensions_key_share_selected_group",
		"tls.handshake.ja3s_full", "tls.handshake.ja3s",
		"tcp.srcport", "tcp.dstport", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
	},
	Columns: []string{"Version", "Random", "SessionID", "CipherSuite", "CompressionMethod", "Extensions",
		"OCSPStapling", "TicketSupported", "SecureRenegotiationSupported", "Ems", "AlpnProtocol",
		"SupportedVersion", "SelectedGroup", "Ja3sString", "Ja3s", "SrcPort", "DstPort", "SrcIP", "DstIP"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.TLSServerHello)
		return []string{strconv.Itoa(int(r.Version)), hex.EncodeToString(r.Random), hex.EncodeToString(r.SessionID),
			strconv.Itoa(int(r.CipherSuite)), strconv.Itoa(int(r.CompressionMethod)), joinInt32(r.Extensions),
			boolDigit(r.OCSPStapling), boolDigit(r.TicketSupported), boolDigit(r.SecureRenegotiationSupported), boolDigit(r.Ems),
			r.AlpnProtocol, strconv.Itoa(int(r.SupportedVersion)), strconv.Itoa(int(r.SelectedGroup)), r.Ja3SString, r.Ja3S,
			strconv.Itoa(int(r.SrcPort)), strconv.Itoa(int(r.DstPort)), r.SrcIP, r.DstIP}
	},
	FrameRows: func(f tsharktest.Frame) [][]string {
		if len(f.All("tls.handshake.ja3s")) != 1 {
			return nil
		}
		// The ServerHello's extensions are those tshark lists before the
		// next handshake message's (e.g. a Certificate has none in 1.2,
		// its entries' extensions in 1.3 are encrypted): the fields are
		// per frame, so keep the ones of the first message only when the
		// frame holds no other handshake message with extensions.
		exts := f.All("tls.handshake.extension.type")
		has := func(e string) string { return boolDigit(slices.Contains(exts, e)) }
		src, dst := f.At("ip.src", 0), f.At("ip.dst", 0)
		if src == "" {
			src, dst = f.At("ipv6.src", 0), f.At("ipv6.dst", 0)
		}
		group := f.At("tls.handshake.extensions_key_share_group", 0)
		if group == "" { // a HelloRetryRequest names only the group it wants
			group = f.At("tls.handshake.extensions_key_share_selected_group", 0)
		}
		if group == "" {
			group = "0"
		}
		supported := f.At("tls.handshake.extensions.supported_version", 0)
		if supported == "" {
			supported = "0"
		}
		return [][]string{{
			f.At("tls.handshake.version", 0), f.At("tls.handshake.random", 0), f.At("tls.handshake.session_id", 0),
			f.At("tls.handshake.ciphersuite", 0), f.At("tls.handshake.comp_method", 0), joinNormalized(exts),
			has("5"), has("35"), has("65281"), has("23"), f.At("tls.handshake.extensions_alpn_str", 0),
			supported, group, f.At("tls.handshake.ja3s_full", 0), f.At("tls.handshake.ja3s", 0),
			f.At("tcp.srcport", 0), f.At("tcp.dstport", 0), src, dst,
		}}
	},
}

// compareServerHellos compares our ServerHello records with tshark's
// dissection segment by segment. One difference is allowed: a ServerHello
// whose TLS record continues in the next segment (a record holding the
// hello and the certificate, say) is complete in its segment, and we read
// it there, while tshark without reassembly cannot dissect the record.
// Such a record of ours must equal, but for its timestamp, the hello with
// the same random that tshark finds when it reassembles.
func compareServerHellos(t *testing.T, pcaps ...string) {
	t.Helper()
	c := serverHelloCase
	for _, pcap := range pcaps {
		var theirs []string
		for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: c.Filter, Fields: c.Read, Args: c.Args}) {
			for _, row := range c.FrameRows(f) {
				theirs = append(theirs, f.Time+"\t"+joinRow(row))
			}
		}
		var ours []string
		for _, m := range decodeCapture(t, pcap).Records(types.Type_NC_TLSServerHello) {
			ours = append(ours, tsharktest.RecordTime(m)+"\t"+joinRow(c.OursRow(m)))
		}
		onlyOurs, onlyTheirs := tsharktest.MultisetDiff(ours, theirs)
		reassembled := map[string]bool{} // rows without the timestamp
		if len(onlyOurs) > 0 {
			for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: c.Filter, Fields: c.Read}) {
				for _, row := range c.FrameRows(f) {
					reassembled[joinRow(row)] = true
				}
			}
		}
		spanning := 0
		for _, o := range onlyOurs {
			_, row, _ := strings.Cut(o, "\t")
			if reassembled[row] {
				spanning++
				continue
			}
			if reason, ok := unverifiableServerHellos[filepath.Base(pcap)+" "+row[strings.LastIndex(row, "\t")+1:]+" "+portOf(row)]; ok {
				t.Logf("%s: not compared: %s", pcap, reason)
				spanning++
				continue
			}
			onlyTheirs = append(onlyTheirs, "") // force a failure below
			t.Errorf("%s: ServerHello only here, not in tshark even reassembled:\n  %s", pcap, o)
		}
		for _, m := range onlyTheirs {
			if m != "" {
				t.Errorf("%s: ServerHello only in tshark:\n  %s", pcap, m)
			}
		}
		if len(ours) == 0 {
			t.Errorf("%s: no ServerHello record", pcap)
		}
		t.Logf("TLSServerHello on %s: %d records agree with tshark (%d in a record spanning segments, matched with tshark's reassembly)", pcap, len(ours)-len(onlyOurs)+spanning, spanning)
	}
}

// unverifiableServerHellos are hellos tshark cannot dissect at all, by
// "capture client-address client-port".
var unverifiableServerHellos = map[string]string{
	// The client reuses port 59691 three seconds after an RST; tshark's
	// sequence analysis then calls the server's first data segments
	// retransmissions and never hands them to the TLS dissector, with or
	// without reassembly. (Our record's JA3S equals the other 39 sessions'
	// to the same servers.)
	"input.pcap 192.168.100.206 59691": "port 59691 reused after an RST: tshark's TCP analysis hides the ServerHello",
}

// portOf returns the DstPort column of a serverHelloCase row.
func portOf(row string) string {
	cols := strings.Split(row, "\t")
	return cols[len(cols)-3]
}

func joinRow(row []string) string {
	out := make([]string, len(row))
	for i, v := range row {
		out[i] = tsharktest.Normalize(v)
	}
	return strings.Join(out, "\t")
}

// TestTLSServerHelloAgainstTshark compares the fields and JA3S with tshark.
func TestTLSServerHelloAgainstTshark(t *testing.T) {
	compareServerHellos(t, testutil.Testdata(t, "tls.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

func TestTLSServerHelloAgainstTsharkPublic(t *testing.T) {
	compareServerHellos(t, sharedCaptures(t,
		"public/ja4/pcap/tls3.pcapng",
		"public/ja4/pcap/tls-handshake.pcapng",
		"public/ja4/pcap/tls-alpn-h2.pcap",
		"public/arkime/openssl-tls1-tls1_2.pcap",
		"public/arkime/openssl-tls1.pcap",
		"public/arkime/curl-enabled-tls13.pcap",
		"public/arkime/tls-client-sessionid.pcap",
		"public/suricata-verify/tls/tls-subjectaltname/input.pcap",
		"public/ndpi/http_ipv6.pcap",
	)...)
}

// TestJA3AgainstSuricataVerify: the JA3 and JA3S values Suricata's own
// tests expect in eve.json (tls.ja3.hash/string, tls.ja3s.hash/string).
func TestJA3AgainstSuricataVerify(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "suricata-verify", "tls")
	value := regexp.MustCompile(`tls\.(ja3s?)\.(hash|string): "([^"]+)"`)
	compared := 0
	for _, c := range []struct{ test, pcap string }{
		{"tls-ja3s", "input.pcap"},
		{"tls13-draft28", "tls13_draft28.pcap"},
		{"tls13-draft18", "tls13_draft18.pcap"},
	} {
		yaml, err := os.ReadFile(filepath.Join(dir, c.test, "test.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		sink := decodeCapture(t, filepath.Join(dir, c.test, c.pcap))
		have := map[string][]string{}
		for _, m := range sink.Records(types.Type_NC_TLSClientHello) {
			r := m.(*types.TLSClientHello)
			have["ja3 hash"] = append(have["ja3 hash"], r.Ja3)
			have["ja3 string"] = append(have["ja3 string"], r.Ja3String)
		}
		for _, m := range sink.Records(types.Type_NC_TLSServerHello) {
			r := m.(*types.TLSServerHello)
			have["ja3s hash"] = append(have["ja3s hash"], r.Ja3S)
			have["ja3s string"] = append(have["ja3s string"], r.Ja3SString)
		}
		for _, m := range value.FindAllStringSubmatch(string(yaml), -1) {
			key := m[1] + " " + m[2]
			compared++
			if !slices.Contains(have[key], m[3]) {
				t.Errorf("%s: %s %q not among ours %q", c.test, key, m[3], have[key])
			}
		}
	}
	if compared < 6 {
		t.Fatalf("only %d Suricata values compared", compared)
	}
	t.Logf("%d Suricata-verify JA3/JA3S values found among ours", compared)
}

func FuzzTLSServerHello(f *testing.F) { fuzzLayer(f, layers.LayerTypeTCP, helloSegments(f)...) }
