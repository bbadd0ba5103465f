package packet_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// radiusCase compares every field of the RADIUS record with tshark's
// dissection: the header, the attributes (type, length, value and the
// Vendor-Id of a Vendor-Specific one) and the packet context. An
// attribute's value is the bytes of tshark's AVP after its type and
// length. tshark names no type and length for a Vendor-Specific attribute
// too short for a Vendor-Id: those are then the AVP's first byte and its
// size.
var radiusCase = tsharktest.Case{
	Type:    "RADIUS",
	Filter:  "radius",
	Columns: []string{"Code", "Identifier", "Length", "Authenticator", "Attributes", "SrcIP", "DstIP", "SrcPort", "DstPort"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.RADIUS)
		var attrs []string
		for _, a := range r.Attributes {
			attrs = append(attrs, strings.Join([]string{decimal(a.Type), decimal(a.Length), hexOf(a.Value), decimal(a.VendorID)}, ";"))
		}
		return []string{decimal(r.Code), decimal(r.Identifier), decimal(r.Length), hexOf(r.Authenticator), joinList(attrs),
			r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
	},
	PacketRows: func(p tsharktest.Packet) [][]string {
		src, dst := p.Addrs()
		sport, dport := p.Ports()
		var rows [][]string
		for _, r := range p.Outer("radius") {
			var attrs []string
			for _, a := range r.Fields("radius.avp") {
				attrs = append(attrs, radiusExpectedAttr(a))
			}
			rows = append(rows, []string{r.Val("radius.code"), r.Val("radius.id"), r.Val("radius.length"),
				hexOf(r.FieldBytes("radius.authenticator")), joinList(attrs), src, dst, sport, dport})
		}
		return rows
	},
}

// radiusExpectedAttr renders tshark's AVP a like OursRow renders an
// attribute.
func radiusExpectedAttr(a *tsharktest.Node) string {
	b := a.Bytes()
	typ, length := a.Val("radius.avp.type"), a.Val("radius.avp.length")
	if typ == "" && len(b) > 0 {
		typ, length = strconv.Itoa(int(b[0])), strconv.Itoa(a.Size)
	}
	vendor := a.Val("radius.avp.vendor_id")
	if vendor == "" {
		vendor = "0"
	}
	value := ""
	if len(b) >= 2 {
		value = hexOf(b[2:])
	}
	return strings.Join([]string{typ, length, value, vendor}, ";")
}

// radiusEAPCase compares the EAP records of EAP carried in RADIUS with
// tshark's EAP dissection there. tshark reassembles the EAP packet from
// the values of a run of EAP-Message attributes (radius.eap_fragment) and
// shows the EAP fields at offsets into that: the type data are the
// reassembled bytes after the type, up to the EAP Length.
var radiusEAPCase = tsharktest.Case{
	Type:    "EAP",
	Filter:  "eap && radius",
	Columns: []string{"Code", "Id", "Length", "Type", "TypeData"},
	OursRow: eapCase.OursRow,
	PacketRows: func(p tsharktest.Packet) [][]string {
		var rows [][]string
		for _, r := range p.Outer("radius") {
			var run []byte // the EAP-Message values up to this AVP
			for _, a := range r.Fields("radius.avp") {
				if a.Val("radius.avp.type") != "79" {
					run = nil
					continue
				}
				run = append(run, a.FieldBytes("radius.eap_fragment")...)
				if e := a.Child("eap"); e != nil {
					rows = append(rows, radiusExpectedEAP(e, run))
				}
			}
		}
		return rows
	},
}

// radiusExpectedEAP renders tshark's EAP packet e, reassembled in run.
func radiusExpectedEAP(e *tsharktest.Node, run []byte) []string {
	data := ""
	if n, err := strconv.Atoi(e.Val("eap.len")); err == nil && n > 5 && n <= len(run) && e.Field("eap.type") != nil {
		data = hexOf(run[5:n])
	}
	return []string{e.Val("eap.code"), e.Val("eap.id"), e.Val("eap.len"), zeroWhenAbsent(e.Val("eap.type")), data}
}

// radiusAVP is an attribute: type, length, value.
func radiusAVP(typ byte, value []byte) []byte {
	return slices.Concat([]byte{typ, byte(2 + len(value))}, value)
}

// radiusVSA is a Vendor-Specific attribute with one vendor attribute
// in RFC 2865 5.26's suggested format.
func radiusVSA(vendor uint32, typ byte, value []byte) []byte {
	return radiusAVP(26, slices.Concat(be32(vendor), []byte{typ, byte(2 + len(value))}, value))
}

// radiusPacket is a RADIUS packet whose Length covers its attributes.
func radiusPacket(code, id byte, auth string, attrs ...[]byte) []byte {
	body := slices.Concat(attrs...)
	return slices.Concat([]byte{code, id}, be16(uint16(20+len(body))), mustHex(auth), body)
}

// withLength sets a packet's Length.
func withLength(p []byte, n uint16) []byte {
	p = slices.Clone(p)
	copy(p[2:4], be16(n))
	return p
}

const (
	radiusAuth1 = "0f403f9473978057bd83d5cb98f4227a"
	radiusAuth2 = "00000000000000000000000000000000"
	radiusAuth3 = "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
)

// radiusSamples are RADIUS packets of RFC 2865 and 2866 with the ports
// they go to: Access-Request (User-Name, User-Password, NAS-IP-Address,
// NAS-Port, an EAP Identity response, Message-Authenticator),
// Access-Challenge (an EAP MD5-Challenge split over two EAP-Message
// attributes, State), Access-Accept (EAP Success, a Microsoft
// Vendor-Specific attribute), Access-Reject (EAP Failure, Reply-Message),
// Accounting-Request and -Response on 1813 (an attribute of length 2, a
// Cisco Vendor-Specific attribute), Status-Server, the legacy ports 1645
// and 1646, and RFC 5176 requests on 3799 and 1700.
func radiusSamples() []radiusSample {
	identity := eapPacket(2, 1, 1, []byte("alice"))
	md5 := eapPacket(1, 2, 4, slices.Concat([]byte{16}, mustHex("00112233445566778899aabbccddeeff")))
	return []radiusSample{
		{1812, radiusPacket(1, 1, radiusAuth1, radiusAVP(1, []byte("alice")), radiusAVP(2, mustHex("ffeeddccbbaa99887766554433221100")),
			radiusAVP(4, []byte{192, 0, 2, 10}), radiusAVP(5, be32(7)), radiusAVP(79, identity), radiusAVP(80, mustHex(radiusAuth3)))},
		{1812, radiusPacket(11, 1, radiusAuth3, radiusAVP(79, md5[:10]), radiusAVP(79, md5[10:]), radiusAVP(24, []byte("state-1")),
			radiusAVP(80, mustHex(radiusAuth1)))},
		{1812, radiusPacket(2, 2, radiusAuth1, radiusAVP(8, []byte{10, 1, 2, 3}), radiusAVP(27, be32(3600)),
			radiusVSA(311, 16, mustHex("8011223344556677")), radiusAVP(79, eapPacket(3, 2, 0, nil)), radiusAVP(18, []byte("welcome")))},
		{1812, radiusPacket(3, 3, radiusAuth3, radiusAVP(18, []byte("denied\r\n")), radiusAVP(79, eapPacket(4, 3, 0, nil)))},
		{1813, radiusPacket(4, 4, radiusAuth2, radiusAVP(40, be32(1)), radiusAVP(44, []byte("sess-0001")), radiusAVP(11, nil),
			radiusAVP(42, be32(0xfffffff0)), radiusAVP(55, be32(1700000000)), radiusVSA(9, 1, []byte("shell:priv-lvl=15")))},
		{1813, radiusPacket(5, 4, radiusAuth1)},
		{1812, radiusPacket(12, 5, radiusAuth1, radiusAVP(80, mustHex(radiusAuth2)))},
		{1645, radiusPacket(1, 6, radiusAuth3, radiusAVP(1, []byte("bob")), radiusAVP(3, mustHex("01000102030405060708090a0b0c0d0e0f")))},
		{1646, radiusPacket(4, 7, radiusAuth2, radiusAVP(40, be32(2)), radiusAVP(46, be32(120)))},
		{3799, radiusPacket(43, 8, radiusAuth1, radiusAVP(1, []byte("alice")), radiusAVP(85, be32(300)))},
		{1700, radiusPacket(40, 9, radiusAuth3, radiusAVP(44, []byte("sess-0001")))},
	}
}

type radiusSample struct {
	port   int
	packet []byte
}

// radiusOddities are packets on UDP port 1812 that test the edges:
// padding past Length (once starting like an EAP-Message, which leaves
// tshark's EAP reassembly unfinished), Length past the datagram, a packet
// shorter than its authenticator, an attribute list ended by an attribute
// of length 1, by one running past Length, by a stray byte and by an
// extended attribute (RFC 6929) of length 2, a Vendor-Specific attribute
// too short for a Vendor-Id, EAP-Message attributes that are not
// consecutive, and what tshark does not take for RADIUS: an unknown code,
// a Length of 19 and of 4097, 3 bytes.
func radiusOddities() [][]byte {
	user := radiusAVP(1, []byte("carol"))
	identity := radiusAVP(79, eapPacket(2, 9, 1, []byte("carol")))
	eapFirst := radiusPacket(1, 20, radiusAuth1, user, identity)
	return [][]byte{
		slices.Concat(radiusPacket(1, 10, radiusAuth1, user), []byte("padding")),
		slices.Concat(eapFirst, []byte{79, 2}),
		withLength(radiusPacket(1, 11, radiusAuth1, user), 60),
		radiusPacket(1, 12, radiusAuth1, user)[:14],
		radiusPacket(1, 13, radiusAuth1, user, []byte{5, 1}),
		radiusPacket(1, 14, radiusAuth1, user, []byte{5, 9, 0, 0}),
		radiusPacket(1, 15, radiusAuth1, user, []byte{5}),
		radiusPacket(1, 16, radiusAuth1, user, radiusAVP(241, nil), radiusAVP(5, be32(1))),
		radiusPacket(1, 17, radiusAuth1, radiusAVP(26, []byte{0, 0}), user),
		radiusPacket(1, 18, radiusAuth1, identity, user, radiusAVP(79, eapPacket(2, 10, 1, []byte("dave")))),
		eapFirst,
		radiusPacket(99, 19, radiusAuth1, user),
		withLength(radiusPacket(1, 21, radiusAuth1), 19),
		withLength(radiusPacket(1, 22, radiusAuth1, user), 4097),
		{1, 23, 0},
	}
}

// radiusCapture writes the samples and the oddities, in IPv4 and IPv6,
// from port 1024+i to the sample's port.
func radiusCapture(t *testing.T) string {
	var frames [][]byte
	udp := func(src, dst int, b []byte) []byte {
		if len(frames)%2 == 1 {
			return udpOverIPv6(t, src, dst, b)
		}
		return udpOverIPv4(t, src, dst, b)
	}
	for _, s := range radiusSamples() {
		frames = append(frames, udp(1024+len(frames), s.port, s.packet))
	}
	for _, p := range radiusOddities() {
		frames = append(frames, udp(1024+len(frames), 1812, p))
	}
	return writePcap(t, layers.LinkTypeEthernet, frames...)
}

// TestRADIUSSynthAgainstTshark compares radiusSamples and radiusOddities,
// and the EAP packets they carry.
func TestRADIUSSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	pcap := radiusCapture(t)
	compare(t, radiusCase, pcap)
	compare(t, radiusEAPCase, pcap)
}

// TestRADIUSAgainstTshark compares the public captures: accounting with
// Aruba Vendor-Specific attributes (one holding a vendor attribute of
// length 2), and EAP-MD5 authentication.
func TestRADIUSAgainstTshark(t *testing.T) {
	t.Parallel()
	arkime := testutil.Shared(t, "public/arkime/radius.pcap")
	tcpdump := testutil.Shared(t, "public/tcpdump/RADIUS.pcap")
	compare(t, radiusCase, arkime, tcpdump)
	compare(t, radiusEAPCase, tcpdump)
}

// TestRADIUSCounts: a datagram on a RADIUS port that is no RADIUS is a
// decode error, a packet cut short of its Length is truncated, and
// neither panics.
func TestRADIUSCounts(t *testing.T) {
	t.Parallel()
	var records int
	emit := func(types.Type, proto.Message) error { records++; return nil }
	p := packet.NewParser(packet.Options{}, registry.PacketDecoders(nil), emit)
	for i, b := range radiusOddities() {
		if err := p.Decode(udpOverIPv4(t, 1024+i, 1812, b), 1, 0, layers.LinkTypeEthernet); err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stats()
	if got := st.Layers["RADIUS"]; got.Errors != 4 || got.Records != 11 || st.Truncated != 3 || st.Panics != 0 {
		t.Errorf("RADIUS: %+v, %d truncated, %d panics; want 4 errors, 11 records, 3 truncated (%v)", got, st.Truncated, st.Panics, st.ErrorSamples)
	}
}

func FuzzRADIUS(f *testing.F) {
	var seeds [][]byte
	for _, s := range radiusSamples() {
		seeds = append(seeds, s.packet)
	}
	fuzzLayer(f, layers.LayerTypeRADIUS, append(seeds, radiusOddities()...)...)
}
