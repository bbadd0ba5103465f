package packet_test

import (
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/types"
)

// ethernetCase compares every Ethernet header, tunnelled ones (VXLAN,
// Geneve, ERSPAN, GRE bridging) included.
var ethernetCase = tsharkCase{
	typ:    "Ethernet",
	filter: "eth",
	fields: []tf{
		{ours: "SrcMAC", tshark: "eth.src"},
		{ours: "DstMAC", tshark: "eth.dst"},
		// An 802.3 frame has a length where Ethernet II has its type;
		// tshark writes it as eth.len, gopacket (and Netcap) write
		// EthernetType LLC, which is 0.
		{ours: "EthernetType", tshark: "eth.type,eth.len", conv: lengthIsLLC},
	},
}

// ethernetAddrCase leaves the type out, for captures with packets where an
// Ethernet II header and an 802.3 header are stacked (ERSPAN carrying CDP):
// there tshark lists one eth.type and one eth.len for two headers, and which
// header each belongs to is lost.
var ethernetAddrCase = tsharkCase{
	typ:    "Ethernet",
	filter: "eth",
	fields: ethernetCase.fields[:2],
}

// lengthIsLLC maps an 802.3 length (below 0x600, never an EtherType) to
// layers.EthernetTypeLLC, the type gopacket gives such frames.
func lengthIsLLC(v string) string {
	if n, err := strconv.Atoi(v); err == nil && n < 0x600 {
		return strconv.Itoa(int(layers.EthernetTypeLLC))
	}
	return v
}

func TestEthernetAgainstTshark(t *testing.T) {
	compareWithTshark(t, ethernetCase,
		testutil.Testdata(t, "mixed.pcap"),
		// Ethernet and Linux SLL interfaces in one file: the SLL frames
		// must not yield Ethernet records.
		testutil.Testdata(t, "mixed.pcapng"),
		l2Synthetic(t, layers.LinkTypeEthernet),
	)
}

func TestEthernetAgainstTsharkPublic(t *testing.T) {
	compareWithTshark(t, ethernetCase,
		testutil.Shared(t, "public/community-id/pcaps/arp.pcap"),
		// 802.3 frames with LLC (STP, CDP, LLDP next to them).
		testutil.Shared(t, "public/tcpdump/802.1D_spanning_tree.pcap"),
		testutil.Shared(t, "public/tcpdump/LLDP_and_CDP.pcap"),
		testutil.Shared(t, "public/arkime/bacnet-stack-services.pcap"),
		// VLAN tags, single and stacked.
		testutil.Shared(t, "public/arkime/twovlan.pcap"),
		testutil.Shared(t, "public/tcpdump/802.1ad_QinQ.pcap"),
		// Ethernet in tunnels: two or three Ethernet headers per packet.
		testutil.Shared(t, "public/tcpdump/various_gre.pcap"),
		testutil.Shared(t, "public/tcpdump/vxlan.pcap"),
		testutil.Shared(t, "public/ndpi/vxlan.pcap"),
		testutil.Shared(t, "public/arkime/tcpdump-geneve.pcap"),
		testutil.Shared(t, "public/ja4/pcap/gre-erspan-vxlan.pcap"),
		testutil.Shared(t, "public/suricata-verify/decode-erspan-typeI-02/input.pcap"),
		testutil.Shared(t, "public/tcpdump/erspan-type-ii-2.pcap"),
	)
	compareWithTshark(t, ethernetAddrCase,
		testutil.Shared(t, "public/arkime/gre-erspan.pcap"),
	)
}

// ethernetPayloadSizeCase reads what PayloadSize is compared with: tshark
// shows padding and trailers as part of the Ethernet layer, gopacket leaves
// them in the payload, so it is all after the 14-byte header, except that an
// 802.3 payload ends where its length says.
var ethernetPayloadSizeCase = tsharkCase{
	typ:    "Ethernet",
	filter: "eth",
	fields: []tf{{ours: "PayloadSize", tshark: "frame.cap_len"}, {ours: "PayloadSize", tshark: "eth.len"}},
}

// compareEthernetPayloadSize checks PayloadSize on captures with one
// Ethernet header per frame (frame.cap_len counts from the outer one).
func compareEthernetPayloadSize(t *testing.T, pcaps ...string) {
	t.Helper()
	for _, pcap := range pcaps {
		var theirs []string
		for _, tu := range tsharkTuples(t, pcap, ethernetPayloadSizeCase) {
			parts := strings.Split(tu, "\t")
			capLen, err := strconv.Atoi(parts[1])
			if err != nil {
				t.Fatalf("%s: frame.cap_len %q", pcap, parts[1])
			}
			size := capLen - 14
			if parts[2] != "" {
				n, err := strconv.Atoi(parts[2])
				if err != nil {
					t.Fatalf("%s: eth.len %q", pcap, parts[2])
				}
				size = min(size, n)
			}
			theirs = append(theirs, parts[0]+"\t"+strconv.Itoa(size))
		}
		if len(theirs) == 0 {
			t.Errorf("%s: tshark finds no Ethernet frame", pcap)
			continue
		}
		c := tsharkCase{typ: "Ethernet", fields: []tf{{ours: "PayloadSize", tshark: "min(frame.cap_len-14, eth.len)"}}}
		diffTuples(t, c, pcap, recordTuples(t, decodeCapture(t, pcap), c), theirs)
	}
}

func TestEthernetPayloadSizeAgainstTshark(t *testing.T) {
	compareEthernetPayloadSize(t,
		testutil.Testdata(t, "mixed.pcap"),
		testutil.Testdata(t, "mixed.pcapng"),
		l2Synthetic(t, layers.LinkTypeEthernet),
	)
}

func TestEthernetPayloadSizeAgainstTsharkPublic(t *testing.T) {
	compareEthernetPayloadSize(t,
		testutil.Shared(t, "public/tcpdump/802.1D_spanning_tree.pcap"),
		testutil.Shared(t, "public/tcpdump/LLDP_and_CDP.pcap"),
		testutil.Shared(t, "public/ndpi/tor.pcap"),
		testutil.Shared(t, "public/arkime/bacnet-stack-services.pcap"),
	)
}

// expectNoEthernet checks captures of other link types, where tshark finds
// no Ethernet header: they must yield no Ethernet record.
func expectNoEthernet(t *testing.T, pcaps ...string) {
	t.Helper()
	for _, pcap := range pcaps {
		l2ExpectNone(t, types.Type_NC_Ethernet, "eth", pcap)
	}
}

func TestEthernetOnlyOnEthernet(t *testing.T) {
	expectNoEthernet(t,
		testutil.Testdata(t, "icmp-sll2.pcap"),
		l2Synthetic(t, layers.LinkTypeLinuxSLL),
		l2Synthetic(t, layers.LinkTypeLinuxSLL2),
	)
}

func TestEthernetOnlyOnEthernetPublic(t *testing.T) {
	expectNoEthernet(t,
		testutil.Shared(t, "public/zeek/traces/linuxsll-arp.pcap"),    // Linux SLL
		testutil.Shared(t, "public/zeek/traces/linux_dlt_sll2.pcap"),  // Linux SLL2
		testutil.Shared(t, "public/ja4/pcap/tls-alpn-h2.pcap"),        // BSD null
		testutil.Shared(t, "public/gopacket/pcap/test_loopback.pcap"), // BSD null
		testutil.Shared(t, "public/tcpdump/LINKTYPE_RAW_ipv4.pcap"),   // raw IP
		testutil.Shared(t, "public/tcpdump/LINKTYPE_IPV6.pcap"),       // raw IPv6
		testutil.Shared(t, "public/zeek/traces/radiotap.pcap"),        // 802.11 + radiotap
		testutil.Shared(t, "public/zeek/traces/wlanmon.pcap"),         // 802.11
		testutil.Shared(t, "public/tcpdump/ppp_ip_udp_dns.pcap"),      // PPP
	)
}

func FuzzEthernet(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeEthernet, l2SyntheticFrames(layers.LinkTypeEthernet)...)
}

// The helpers below are shared by the link-layer tests (Ethernet, ARP,
// Dot1Q, LLC, SNAP).

// l2ExpectNone checks that tshark finds nothing matching filter in pcap and
// that we write no record of type typ for it.
func l2ExpectNone(t *testing.T, typ types.Type, filter, pcap string) {
	t.Helper()
	if theirs := tsharkTuples(t, pcap, tsharkCase{filter: filter}); len(theirs) != 0 {
		t.Errorf("%s: tshark finds %d packets with %q; compare it with compareWithTshark", pcap, len(theirs), filter)
	}
	if n := len(decodeCapture(t, pcap).Records(typ)); n != 0 {
		t.Errorf("%s: %d %s records, tshark finds none", pcap, n, typ.Name())
	} else {
		t.Logf("%s on %s: no records, as tshark", typ.Name(), pcap)
	}
}

// hexColons writes a byte string tshark prints as plain hex ("0a0b0c") the
// way we write hardware addresses of any length ("0a:0b:0c"). Other values
// (MAC and IPv4 addresses) are returned unchanged.
func hexColons(v string) string {
	if v == "" || len(v)%2 != 0 || strings.ContainsAny(v, ":.") {
		return v
	}
	for _, c := range v {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return v
		}
	}
	var sb strings.Builder
	for i := 0; i < len(v); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(v[i : i+2])
	}
	return sb.String()
}

// Synthetic frames: headers our public captures lack (LLC I and S frames,
// group and response SAP bits, VLAN priority and DEI, VLAN and LLC behind
// Linux SLL and SLL2, an ARP with a hardware address that is no MAC, RARP).
// The expected values still come from tshark.

var (
	l2MacA  = net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	l2MacB  = net.HardwareAddr{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}
	l2Bcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	l2STP   = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}
)

func l2Cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func l2U16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// l2EthII is an Ethernet II header of type typ.
func l2EthII(dst, src net.HardwareAddr, typ uint16) []byte {
	return l2Cat(dst, src, l2U16(typ))
}

// l2Eth8023 is an 802.3 frame whose length covers payload, followed by pad
// zero bytes that are not part of it.
func l2Eth8023(dst, src net.HardwareAddr, payload []byte, pad int) []byte {
	return l2Cat(dst, src, l2U16(uint16(len(payload))), payload, make([]byte, pad))
}

// l2VLAN is an 802.1Q tag.
func l2VLAN(pcp uint8, dei bool, vid uint16, typ uint16) []byte {
	tci := uint16(pcp)<<13 | vid&0xfff
	if dei {
		tci |= 0x1000
	}
	return l2Cat(l2U16(tci), l2U16(typ))
}

// l2ARP is an ARP packet for IPv4 over hardware addresses of any length.
func l2ARP(hwType, op uint16, sha net.HardwareAddr, spa string, tha net.HardwareAddr, tpa string) []byte {
	return l2Cat(l2U16(hwType), l2U16(0x0800), []byte{byte(len(sha)), 4}, l2U16(op),
		sha, net.ParseIP(spa).To4(), tha, net.ParseIP(tpa).To4())
}

// l2LLC is an 802.2 LLC header; control is one byte (U format) or two (I
// and S formats), in transmission order.
func l2LLC(dsap, ssap byte, control ...byte) []byte {
	return l2Cat([]byte{dsap, ssap}, control)
}

// l2SNAP is an LLC UI header with a SNAP header.
func l2SNAP(oui uint32, pid uint16) []byte {
	return l2Cat(l2LLC(0xaa, 0xaa, 0x03), []byte{byte(oui >> 16), byte(oui >> 8), byte(oui)}, l2U16(pid))
}

// l2IPv4UDP is a small IPv4/UDP datagram.
func l2IPv4UDP() []byte {
	return l2Cat(
		[]byte{0x45, 0, 0, 30, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2},
		[]byte{0x30, 0x39, 0x00, 0x35, 0, 10, 0, 0, 'h', 'i'},
	)
}

// l2Payloads are the link-layer payloads of the synthetic frames, each with
// the EtherType or 802.3 length that announces it (length 0: 802.2 LLC).
func l2Payloads() []struct {
	typ     uint16
	payload []byte
} {
	arpReq := l2ARP(1, 1, l2MacA, "192.0.2.1", make(net.HardwareAddr, 6), "192.0.2.2")
	arpRep := l2ARP(1, 2, l2MacB, "192.0.2.2", l2MacA, "192.0.2.1")
	// A hardware address of 8 bytes (e.g. an EUI-64), not a MAC.
	arpEUI := l2ARP(27, 1, net.HardwareAddr{1, 2, 3, 4, 5, 6, 7, 8}, "198.51.100.1", make(net.HardwareAddr, 8), "198.51.100.2")
	data := []byte("netcap link-layer test")
	return []struct {
		typ     uint16
		payload []byte
	}{
		{0x0806, arpReq},
		{0x0806, arpRep},
		{0x0806, arpEUI},
		// RARP: tshark's ARP dissector reads it, gopacket does not.
		{0x8035, l2ARP(1, 3, l2MacA, "0.0.0.0", l2MacA, "0.0.0.0")},
		{0x0800, l2IPv4UDP()},
		// VLAN tags: priority and DEI set, a tag carrying an 802.3
		// length and LLC, stacked tags.
		{0x8100, l2Cat(l2VLAN(5, true, 100, 0x0806), arpRep)},
		{0x8100, l2Cat(l2VLAN(0, false, 4094, 0x0800), l2IPv4UDP())},
		{0x8100, l2Cat(l2VLAN(7, false, 1, uint16(3+len(data))), l2LLC(0x42, 0x42, 0x03), data)},
		{0x88a8, l2Cat(l2VLAN(3, true, 200, 0x8100), l2VLAN(1, false, 300, 0x0806), arpReq)},
		// LLC: UI with a group DSAP, XID command to the null SAP, I frame
		// (N(S) 5, N(R) 10, P set) as a response, S frame RR (N(R) 5, F
		// set) as a response and SABME.
		{0, l2Cat(l2LLC(0xf1, 0xf0, 0x03), data)},
		{0, l2Cat(l2LLC(0x00, 0xf0, 0xaf), []byte{0x81, 0x01, 0x00})},
		{0, l2Cat(l2LLC(0xf0, 0xf1, 0x0a, 0x15), data)},
		{0, l2LLC(0x04, 0x09, 0x01, 0x0b)},
		{0, l2LLC(0xf0, 0xf0, 0x7f)},
		// SNAP: RFC 1042 (OUI 0) with IPv4 and ARP, and an OUI that
		// tshark knows no protocol IDs for.
		{0, l2Cat(l2SNAP(0, 0x0800), l2IPv4UDP())},
		{0, l2Cat(l2SNAP(0, 0x0806), arpReq)},
		{0, l2Cat(l2SNAP(0x123456, 0x4242), data)},
	}
}

// l2SyntheticFrames returns the synthetic frames for a link type: Ethernet,
// Linux SLL or Linux SLL2.
func l2SyntheticFrames(link layers.LinkType) [][]byte {
	var frames [][]byte
	for i, p := range l2Payloads() {
		typ := p.typ
		switch link {
		case layers.LinkTypeEthernet:
			if typ == 0 {
				// Pad the short ones to the 60-byte minimum:
				// the padding is outside the 802.3 length.
				frames = append(frames, l2Eth8023(l2STP, l2MacA, p.payload, max(0, 46-len(p.payload))))
				continue
			}
			dst := l2Bcast
			if i%2 == 1 {
				dst = l2MacB
			}
			frames = append(frames, l2Cat(l2EthII(dst, l2MacA, typ), p.payload))
		case layers.LinkTypeLinuxSLL:
			if typ == 0 {
				typ = 0x0004 // LINUX_SLL_P_802_2
			}
			// Packet type: outgoing; ARPHRD_ETHER; a 6-byte address.
			frames = append(frames, l2Cat(l2U16(4), l2U16(1), l2U16(6), l2MacA, []byte{0, 0}, l2U16(typ), p.payload))
		case layers.LinkTypeLinuxSLL2:
			if typ == 0 {
				typ = 0x0004
			}
			// Protocol, reserved, interface 2, ARPHRD_ETHER, packet type
			// host, a 6-byte address.
			frames = append(frames, l2Cat(l2U16(typ), l2U16(0), []byte{0, 0, 0, 2}, l2U16(1), []byte{0, 6}, l2MacB, []byte{0, 0}, p.payload))
		}
	}
	return frames
}

// l2Synthetic writes the synthetic frames of a link type to a pcap file in
// the test's temporary directory and returns its path.
func l2Synthetic(t *testing.T, link layers.LinkType) string {
	t.Helper()
	// pcap file header: magic, version 2.4, zone, sigfigs, snaplen, link
	// type; little-endian, microsecond timestamps.
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, uint32(link))
	for i, frame := range l2SyntheticFrames(link) {
		b = le.AppendUint32(b, uint32(1700000000+i)) // seconds
		b = le.AppendUint32(b, uint32(i*1000))       // microseconds
		b = le.AppendUint32(b, uint32(len(frame)))   // captured
		b = le.AppendUint32(b, uint32(len(frame)))   // on the wire
		b = append(b, frame...)
	}
	path := filepath.Join(t.TempDir(), "l2-"+strings.ReplaceAll(strings.ToLower(link.String()), " ", "-")+".pcap")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
