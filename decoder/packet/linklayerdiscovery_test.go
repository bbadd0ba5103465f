package packet_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// lldpCase compares the LinkLayerDiscovery records with the TLVs of
// tshark's dissection (their bytes from its PDML): the first three are the
// chassis ID (subtype and ID), port ID and TTL; every TLV after them but
// the End TLV is in Values (type, length and value), in order. tshark ends
// the data unit where 802.1AB does: at the End TLV or at a repeated
// chassis ID, port ID or TTL TLV.
var lldpCase = tsharktest.Case{
	Type:    "LinkLayerDiscovery",
	Filter:  "lldp",
	Columns: []string{"ChassisID", "PortID", "TTL", "Values"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.LinkLayerDiscovery)
		var vals []string
		for _, v := range r.Values {
			vals = append(vals, decimal(v.Type)+";"+decimal(v.Length)+";"+hex.EncodeToString(v.Value))
		}
		return []string{
			decimal(r.ChassisID.GetSubtype()) + ";" + hex.EncodeToString(r.ChassisID.GetID()),
			decimal(r.PortID.GetSubtype()) + ";" + hex.EncodeToString(r.PortID.GetID()),
			decimal(r.TTL), strings.Join(vals, "|"),
		}
	},
	PacketRows: func(f tsharktest.Packet) [][]string {
		typs := f.All("lldp.tlv.type")
		tlvs := l2TLVs(f, "lldp.tlv.type")
		if len(tlvs) < 3 || len(typs) != len(tlvs) {
			return [][]string{{"tshark has " + decimal(len(tlvs)) + " TLVs"}}
		}
		id := func(tlv *tsharktest.Node) string {
			b := l2Bytes(tlv)
			if len(b) < 3 {
				return "short TLV " + tlv.Value
			}
			return decimal(b[2]) + ";" + hex.EncodeToString(b[3:])
		}
		var vals []string
		for i, tlv := range tlvs[3:] {
			if typ := typs[3+i].Show; typ != "0" {
				b := l2Bytes(tlv)
				vals = append(vals, typ+";"+decimal(len(b)-2)+";"+hex.EncodeToString(b[2:]))
			}
		}
		ttl := l2Bytes(tlvs[2])
		if len(ttl) < 4 {
			return [][]string{{"short TTL TLV " + tlvs[2].Value}}
		}
		return [][]string{{id(tlvs[0]), id(tlvs[1]), decimal(int(ttl[2])<<8 | int(ttl[3])), strings.Join(vals, "|")}}
	},
}

// lldpCaptures are the public captures with LLDP: Cisco and HP switches,
// Extreme and ProCurve with 802.1, 802.3 and TIA TR-41 (MED) TLVs and
// management addresses, an LLDP data unit without an End TLV that repeats
// the TTL TLV (wireshark-lldp), and a Rockwell switch (enip_cip_example).
var lldpCaptures = []string{
	"public/tcpdump/LLDP_and_CDP.pcap",
	"public/arkime/wireshark-lldp.pcap",
	"public/icsnpp-enip/traces/enip_cip_example.pcap",
	"public/suricata-verify/enip-keywords/enip_cip_example.pcap",
}

func TestLinkLayerDiscoveryAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, lldpCase, sharedCaptures(t, lldpCaptures...)...)
}

// TestLinkLayerDiscoverySynthAgainstTshark compares data units the public
// captures lack: chassis IDs of the locally assigned, interface name and
// network address (IPv4, IPv6) subtypes, port IDs of the network address
// and agent circuit ID subtypes, reserved TLV types, a second management
// address, a repeated TTL TLV, a data unit without an End TLV and one cut
// short.
func TestLinkLayerDiscoverySynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, lldpCase, lldpSyntheticCapture(t))
}

func FuzzLinkLayerDiscovery(f *testing.F) {
	var seeds [][]byte
	for _, fr := range lldpSyntheticFrames() {
		seeds = append(seeds, fr[14:])
	}
	fuzzLayer(f, layers.LayerTypeLinkLayerDiscovery, seeds...)
}

// lldpTLV is an LLDP TLV: 7-bit type, 9-bit length, value.
func lldpTLV(typ int, value ...[]byte) []byte {
	var v []byte
	for _, b := range value {
		v = append(v, b...)
	}
	return append(be16(uint16(typ)<<9|uint16(len(v))), v...)
}

// lldpFrame is an Ethernet frame to the LLDP multicast address with the
// given TLVs.
func lldpFrame(tlvs ...[]byte) []byte {
	f := ethernetII([]byte{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}, macA, 0x88cc)
	for _, t := range tlvs {
		f = append(f, t...)
	}
	return f
}

var (
	lldpEnd = lldpTLV(0)
	lldpTTL = lldpTLV(3, be16(120))
)

// lldpSyntheticFrames are LLDP frames with IDs, TLVs and values the public
// captures lack.
func lldpSyntheticFrames() [][]byte {
	mgmtV4 := lldpTLV(8, []byte{5, 1, 192, 0, 2, 7, 2}, be32(3), []byte{8}, mustHex("2b06010401090101"))
	mgmtV6 := lldpTLV(8, []byte{17, 2}, l2ip6("2001:db8::7"), []byte{3}, be32(0xfffffff0), []byte{0})
	return [][]byte{
		// Locally assigned chassis ID, network address port ID (IPv4),
		// two management addresses (an OID on the first), a reserved TLV
		// type, system capabilities with C-VLAN, S-VLAN and TPMR bits.
		lldpFrame(lldpTLV(1, []byte{7}, []byte("chassis-7")), lldpTLV(2, []byte{4, 1, 198, 51, 100, 4}), lldpTTL,
			lldpTLV(4, []byte("uplink\tport")), lldpTLV(5, []byte("sw-1")), lldpTLV(6, []byte("line 1\nline 2")),
			lldpTLV(7, be16(0x07ff), be16(0x0704)), mgmtV4, mgmtV6, lldpTLV(9, []byte{1, 2, 3}),
			lldpTLV(127, []byte{0x00, 0x80, 0xc2, 0x01}, be16(100)), lldpEnd, make([]byte, 4)),
		// Interface name chassis ID and agent circuit ID port ID; an IPv6
		// network address chassis ID; a TTL of 0 (shutdown).
		lldpFrame(lldpTLV(1, []byte{6}, []byte("eth0")), lldpTLV(2, []byte{6}, []byte("circuit-1")), lldpTLV(3, be16(0)), lldpEnd),
		lldpFrame(lldpTLV(1, []byte{5, 2}, l2ip6("2001:db8::1")), lldpTLV(2, []byte{2}, []byte("port component")), lldpTTL,
			lldpTLV(126, []byte("reserved")), lldpEnd),
		// A repeated TTL TLV ends the data unit: the system description
		// after it is not read. A data unit without an End TLV.
		lldpFrame(lldpTLV(1, []byte{4}, macB), lldpTLV(2, []byte{3}, macA), lldpTTL, lldpTLV(5, []byte("sw-2")),
			lldpTLV(3, be16(60)), lldpTLV(6, []byte("not read")), lldpEnd),
		lldpFrame(lldpTLV(1, []byte{4}, macB), lldpTLV(2, []byte{5}, []byte("ge-0/0/1")), lldpTTL, lldpTLV(5, []byte("sw-3"))),
		// Cut short in a TLV (by the capture): the TLVs before it count.
		lldpFrame(lldpTLV(1, []byte{4}, macB), lldpTLV(2, []byte{3}, macB), lldpTTL, lldpTLV(4, []byte("port 9")),
			be16(6<<9|40), []byte("cut")),
	}
}

func lldpSyntheticCapture(t *testing.T) string {
	return writePcap(t, layers.LinkTypeEthernet, lldpSyntheticFrames()...)
}

func l2ip6(s string) []byte {
	b, _ := hex.DecodeString(ipHex(s))
	return b
}

var _ = testutil.Shared
