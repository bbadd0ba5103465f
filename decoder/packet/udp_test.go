package packet_test

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
)

// udpCase compares every UDP header. The filter leaves out the UDP header
// quoted in an ICMP/ICMPv6 error: tshark dissects it, gopacket ends an
// ICMP layer with its payload, so no record comes from it (the packets
// left out have no other UDP header). Tunnels (VXLAN, Geneve, GRE, ERSPAN)
// are decoded by both, so a UDP packet inside VXLAN gives two records and
// two tshark occurrences.
var udpCase = tsharkCase{
	typ:    "UDP",
	filter: `udp && !(frame.protocols matches "icmp(v6)?:ip(v6)?:udp")`,
	fields: []tf{
		{ours: "SrcPort", tshark: "udp.srcport"},
		{ours: "DstPort", tshark: "udp.dstport"},
		{ours: "Length", tshark: "udp.length"},
		{ours: "Checksum", tshark: "udp.checksum"},
	},
}

// udpPayloadCase checks PayloadSize: what the UDP length covers after the
// header (none of these captures is cut short by a snap length). tshark's
// udp.payload cannot serve: it is absent where the payload is empty, which
// misaligns its occurrences with the other fields' in a tunnel.
var udpPayloadCase = tsharkDerivedCase{
	typ:    "UDP",
	filter: udpCase.filter,
	ours:   []string{"SrcPort", "PayloadSize"},
	tshark: []string{"udp.srcport", "udp.length"},
	derive: func(raw []string) [][]string {
		ports, lens := splitOccurrences(raw[0]), splitOccurrences(raw[1])
		var out [][]string
		for i := range ports {
			l := "missing"
			if i < len(lens) {
				l = udpPayloadLen(lens[i])
			}
			out = append(out, []string{ports[i], l})
		}
		return out
	},
}

func TestUDPAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := []string{testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng")}
	compareWithTshark(t, udpCase, pcaps...)
	compareDerivedWithTshark(t, udpPayloadCase, pcaps...)
	// Without tunnels the first IP header is the UDP packet's own.
	compareWithTshark(t, tsharkCase{typ: "UDP", filter: udpCase.filter, fields: []tf{
		{ours: "SrcPort", tshark: "udp.srcport"},
		{ours: "SrcIP", tshark: "ip.src,ipv6.src"},
		{ours: "DstIP", tshark: "ip.dst,ipv6.dst"},
	}}, pcaps...)
}

// udpPublic are public captures with UDP, plain and in tunnels: VXLAN and
// Geneve (two UDP headers per packet), GRE, ERSPAN, MPLS over UDP,
// UDP-encapsulated ESP/IKE, QUIC, and UDP in IPv4 in PPP in GRE over IPv6.
var udpPublic = []string{
	"public/community-id/pcaps/udp.pcap",
	"public/ndpi/quic.pcap",
	"public/ndpi/ipsec_isakmp_esp.pcap",
	"public/tcpdump/vxlan.pcap",
	"public/ndpi/vxlan.pcap",
	"public/suricata-verify/vxlan-decoder-01/input.pcap",
	"public/zeek/traces/tunnels/vxlan.pcap",
	"public/arkime/tcpdump-geneve.pcap",
	"public/suricata-verify/geneve-decoder/input.pcap",
	"public/zeek/traces/tunnels/geneve.pcap",
	"public/arkime/gre-sample.pcap",
	"public/arkime/gre-erspan-vxlan.pcap",
	"public/tcpdump/erspan-type-ii-2.pcap",
	"public/tcpdump/mpls-over-udp.pcap",
	"public/arkime/6-4-gre-ppp-udp-4-dns.pcap",
}

func TestUDPAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	var pcaps []string
	for _, p := range udpPublic {
		pcaps = append(pcaps, testutil.Shared(t, p))
	}
	compareWithTshark(t, udpCase, pcaps...)
	compareDerivedWithTshark(t, udpPayloadCase, pcaps...)
	// SrcIP/DstIP are the packet's first IP header (the outer one in a
	// tunnel), for every UDP record of the packet.
	compareFirstIPWithTshark(t, "UDP", udpCase.filter, pcaps...)
}

// TestUDPAgainstTsharkPPP is UDP inside MPLS on a PPP link.
func TestUDPAgainstTsharkPPP(t *testing.T) {
	t.Parallel()
	compareWithTshark(t, udpCase, testutil.Shared(t, "public/tcpdump/mpls-traceroute.pcap"))
}

// TestUDPAgainstTsharkSynthetic covers what the captures lack: UDP over
// IPv6, VXLAN over IPv6 carrying IPv4 (two UDP records whose SrcIP/DstIP
// are the IPv6 addresses), the largest ports, and a zero checksum with
// bytes after the UDP length (the payload ends at the length).
func TestUDPAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	vxlan := append([]byte{0x08, 0, 0, 0, 0, 0, 5, 0}, synInner(t)...)
	short := []byte{0xff, 0xff, 0x00, 0x07, 0, 13, 0, 0, 'h', 'e', 'l', 'l', 'o', 't', 'r', 'a', 'i', 'l'}
	pcap := writeSyntheticPcap(t,
		serializeFrame(t, synEth(layers.EthernetTypeIPv6), synIPv6(layers.IPProtocolUDP, "2001:db8::1", "2001:db8::2"),
			synUDP(65535, 53), gopacket.Payload("not dns")),
		serializeFrame(t, synEth(layers.EthernetTypeIPv6), synIPv6(layers.IPProtocolUDP, "2001:db8::1", "2001:db8::2"),
			synUDP(40000, 4789), gopacket.Payload(vxlan)),
		serializeFrame(t, synEth(layers.EthernetTypeIPv4), synIPv4(layers.IPProtocolUDP, "192.0.2.1", "192.0.2.2"),
			gopacket.Payload(short)),
	)
	compareWithTshark(t, udpCase, pcap)
	compareDerivedWithTshark(t, udpPayloadCase, pcap)
	compareFirstIPWithTshark(t, "UDP", udpCase.filter, pcap)
}

func FuzzUDP(f *testing.F) { fuzzLayer(f, layers.LayerTypeUDP) }

// Helpers shared by the tunnel and transport tests (udp, sctp, gre, mpls,
// vxlan, geneve, ipsecah, ipsecesp).

// udpPayloadLen is a UDP length without the 8-byte header.
func udpPayloadLen(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil {
		return v
	}
	return strconv.Itoa(n - 8)
}

// hexByteCount turns tshark's hex bytes into their count.
func hexByteCount(v string) string { return strconv.Itoa(len(v) / 2) }

// zeroWhenAbsent is 0 for a field tshark leaves out where the header lacks it
// (an optional GRE field, Geneve options) and the record holds 0.
func zeroWhenAbsent(v string) string {
	if v == "" {
		return "0"
	}
	return v
}

// wrapInt32 renders an unsigned 32-bit value the way an int32 record field
// holds it (Netcap's schema has int32 for some 32-bit wire fields).
func wrapInt32(v string) string {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return v
	}
	return strconv.Itoa(int(int32(uint32(n))))
}

// tsharkRawRows runs tshark on pcap and returns, per packet the filter
// selects, its timestamp (Unix nanoseconds) and the raw values of fields,
// several occurrences joined by ",".
func tsharkRawRows(t *testing.T, pcap, filter string, fields []string, args ...string) [][]string {
	t.Helper()
	a := []string{"-r", pcap, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
		"-Y", filter, "-T", "fields", "-E", "separator=/t", "-E", "aggregator=,", "-e", "frame.time_epoch"}
	for _, f := range fields {
		a = append(a, "-e", f)
	}
	a = append(a, args...)
	var stderr bytes.Buffer
	cmd := exec.Command(testutil.Tshark(t), a...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %s: %v: %s", strings.Join(a, " "), err, stderr.String())
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		row := strings.Split(line, "\t")
		for len(row) < len(fields)+1 {
			row = append(row, "")
		}
		row[0] = epochNanos(row[0])
		rows = append(rows, row)
	}
	return rows
}

// tsharkDerivedCase compares record fields with values computed from tshark
// fields, for facts tshark spreads over several fields or occurrences.
type tsharkDerivedCase struct {
	typ    string
	filter string
	ours   []string // record fields
	tshark []string // tshark fields given to derive
	// derive turns one packet's raw tshark values (occurrences joined by
	// ",") into the expected values of ours, one slice per record.
	derive func(raw []string) [][]string
	// set compares sets instead of multisets (packet context fields, the
	// same in every record of a packet).
	set  bool
	args []string
}

func compareDerivedWithTshark(t *testing.T, c tsharkDerivedCase, pcaps ...string) {
	t.Helper()
	var head []tf
	for _, o := range c.ours {
		head = append(head, tf{ours: o, tshark: "derived"})
	}
	for _, pcap := range pcaps {
		var theirs []string
		for _, row := range tsharkRawRows(t, pcap, c.filter, c.tshark, c.args...) {
			for _, vals := range c.derive(row[1:]) {
				for i := range vals {
					vals[i] = normalize(vals[i])
				}
				theirs = append(theirs, row[0]+"\t"+strings.Join(vals, "\t"))
			}
		}
		if len(theirs) == 0 {
			t.Errorf("%s on %s: tshark selects no packet with %q: the capture does not test this type", c.typ, pcap, c.filter)
			continue
		}
		ours := recordTuples(t, decodeCapture(t, pcap), tsharkCase{typ: c.typ, fields: head})
		if c.set {
			theirs, ours = dedupSorted(theirs), dedupSorted(ours)
		}
		diffTuples(t, tsharkCase{typ: c.typ, fields: head}, pcap, ours, theirs)
	}
}

func dedupSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// splitOccurrences splits a raw tshark value into its occurrences; an
// absent field has none.
func splitOccurrences(raw string) []string {
	if raw == "" {
		return nil
	}
	return strings.Split(raw, ",")
}

// compareFirstIPWithTshark checks SrcIP/DstIP of the records of typ: the
// addresses of the packet's first IP header, IPv4 or IPv6, in every record
// of the packet. frame.protocols tells which version comes first, and
// tshark's first occurrence of its src/dst is that header even when
// tunnels repeat it.
func compareFirstIPWithTshark(t *testing.T, typ, filter string, pcaps ...string) {
	t.Helper()
	compareDerivedWithTshark(t, tsharkDerivedCase{
		typ:    typ,
		filter: filter,
		ours:   []string{"SrcIP", "DstIP"},
		tshark: []string{"frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst"},
		derive: func(raw []string) [][]string {
			for _, p := range strings.Split(raw[0], ":") {
				var src, dst []string
				switch p {
				case "ip":
					src, dst = splitOccurrences(raw[1]), splitOccurrences(raw[2])
				case "ipv6":
					src, dst = splitOccurrences(raw[3]), splitOccurrences(raw[4])
				default:
					continue
				}
				if len(src) == 0 || len(dst) == 0 {
					break
				}
				return [][]string{{src[0], dst[0]}}
			}
			return [][]string{{"", ""}}
		},
		set: true,
	}, pcaps...)
}

// Synthetic captures: frames built here for header values the public
// captures lack (flags, options, large numbers, IPv6), written to a pcap
// that tshark and our pipeline both read. tshark gives the expected values.

// writeSyntheticPcap writes Ethernet frames to a pcap file (microsecond
// timestamps, one millisecond apart) in a temporary directory.
func writeSyntheticPcap(t testing.TB, frames ...[]byte) string {
	t.Helper()
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], uint32(layers.LinkTypeEthernet))
	b.Write(hdr)
	for i, f := range frames {
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], 1600000000)
		le.PutUint32(rec[4:], uint32(1000*(i+1)))
		le.PutUint32(rec[8:], uint32(len(f)))
		le.PutUint32(rec[12:], uint32(len(f)))
		b.Write(rec)
		b.Write(f)
	}
	p := filepath.Join(t.TempDir(), "synthetic.pcap")
	// NETCAP_SYNTHETIC_DIR keeps the capture there, to look at with tshark.
	if d := os.Getenv("NETCAP_SYNTHETIC_DIR"); d != "" {
		p = filepath.Join(d, t.Name()+".pcap")
	}
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// serializeFrame serializes layers, fixing lengths and checksums; transport
// layers get their checksum pseudo-header from the IP layer before them.
func serializeFrame(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	var nl gopacket.NetworkLayer
	for _, l := range ls {
		switch l := l.(type) {
		case *layers.IPv4:
			nl = l
		case *layers.IPv6:
			nl = l
		case *layers.UDP:
			if nl != nil {
				_ = l.SetNetworkLayerForChecksum(nl)
			}
		case *layers.TCP:
			if nl != nil {
				_ = l.SetNetworkLayerForChecksum(nl)
			}
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// Building blocks for synthetic frames.

func synEth(et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{
		SrcMAC:       net.HardwareAddr{0x02, 0, 0, 0, 0, 1},
		DstMAC:       net.HardwareAddr{0x02, 0, 0, 0, 0, 2},
		EthernetType: et,
	}
}

func synIPv4(p layers.IPProtocol, src, dst string) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: p, SrcIP: net.ParseIP(src).To4(), DstIP: net.ParseIP(dst).To4()}
}

func synIPv6(next layers.IPProtocol, src, dst string) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
}

func synBE16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

func synBE32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// synJoin concatenates byte strings.
func synJoin(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// synOver4 and synOver6 put a payload of protocol p in IPv4 or IPv6 in
// Ethernet.
func synOver4(tb testing.TB, p layers.IPProtocol, payload []byte) []byte {
	return serializeFrame(tb, synEth(layers.EthernetTypeIPv4), synIPv4(p, "192.0.2.1", "192.0.2.2"), gopacket.Payload(payload))
}

func synOver6(tb testing.TB, p layers.IPProtocol, payload []byte) []byte {
	return serializeFrame(tb, synEth(layers.EthernetTypeIPv6), synIPv6(p, "2001:db8::1", "2001:db8::2"), gopacket.Payload(payload))
}

func synUDP(src, dst int) *layers.UDP {
	return &layers.UDP{SrcPort: layers.UDPPort(src), DstPort: layers.UDPPort(dst)}
}

// synInner is an Ethernet frame with IPv4 and UDP, to put in tunnels.
func synInner(t testing.TB) []byte {
	return serializeFrame(t, synEth(layers.EthernetTypeIPv4), synIPv4(layers.IPProtocolUDP, "10.1.0.1", "10.1.0.2"),
		synUDP(40404, 40405), gopacket.Payload("inner"))
}
