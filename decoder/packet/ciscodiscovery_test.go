package packet_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// l2TLVs returns the TLVs of a CDP or LLDP packet as tshark's PDML has
// them: for each field named typeField, the unnamed field before it that
// starts where it does is the TLV, whose bytes are its value.
func l2TLVs(f tsharktest.Packet, typeField string) []*tsharktest.Node {
	var out []*tsharktest.Node
	nodes := f.Nodes()
	for i, fl := range nodes {
		if fl.Name == typeField && i > 0 && nodes[i-1].Name == "" && nodes[i-1].Pos == fl.Pos {
			out = append(out, nodes[i-1])
		}
	}
	return out
}

// cdpCase compares the CiscoDiscovery records: version, TTL, checksum and
// every TLV (type, length and value bytes, from the TLV's bytes in tshark's
// PDML).
var cdpCase = tsharktest.Case{
	Type:    "CiscoDiscovery",
	Filter:  "cdp",
	Columns: []string{"Version", "TTL", "Checksum", "Values"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.CiscoDiscovery)
		var vals []string
		for _, v := range r.Values {
			vals = append(vals, decimal(v.Type)+";"+decimal(v.Length)+";"+hex.EncodeToString(v.Value))
		}
		return []string{decimal(r.Version), decimal(r.TTL), decimal(r.Checksum), strings.Join(vals, "|")}
	},
	PacketRows: func(f tsharktest.Packet) [][]string {
		var vals []string
		for _, tlv := range l2TLVs(f, "cdp.tlv.type") {
			b, _ := hex.DecodeString(tlv.Value)
			if len(b) < 4 {
				vals = append(vals, "short TLV "+tlv.Value)
				continue
			}
			vals = append(vals, decimal(int(b[0])<<8|int(b[1]))+";"+decimal(int(b[2])<<8|int(b[3]))+";"+hex.EncodeToString(b[4:]))
		}
		return [][]string{{f.ShowOf("cdp.version"), f.ShowOf("cdp.ttl"), tsharktest.Normalize(f.ShowOf("cdp.checksum")), strings.Join(vals, "|")}}
	},
}

// cdpCaptures are the public captures with CDP: on Ethernet (LLC/SNAP), in
// GRE (protocol 0x2000) and in ERSPAN, from IOS routers and switches
// (hello, VTP, native VLAN, duplex, trust, power and IP prefix TLVs) and a
// Linux host. tcpdump/HDLC.pcap has CDP too, on a Cisco HDLC link, which
// the parser has no decoder for.
var cdpCaptures = []string{
	"public/tcpdump/LLDP_and_CDP.pcap",
	"public/arkime/gre-erspan.pcap",
	"public/arkime/mpls-basic.pcap",
	"public/tcpdump/various_gre.pcap",
}

func TestCiscoDiscoveryAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, cdpCase, sharedCaptures(t, cdpCaptures...)...)
}

// TestCiscoDiscoverySynthAgainstTshark covers the TLVs the public captures
// lack (see cdpSyntheticFrames).
func TestCiscoDiscoverySynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, cdpCase, cdpSyntheticCapture(t))
}

func FuzzCiscoDiscovery(f *testing.F) {
	var seeds [][]byte
	for _, fr := range cdpSyntheticFrames() {
		seeds = append(seeds, fr[22:])
	}
	fuzzLayer(f, layers.LayerTypeCiscoDiscovery, seeds...)
}

// cdpTLV is a CDP TLV: type, length (with the 4-byte header), value.
func cdpTLV(typ uint16, value ...[]byte) []byte {
	var v []byte
	for _, b := range value {
		v = append(v, b...)
	}
	return append(append(be16(typ), be16(uint16(4+len(v)))...), v...)
}

// cdpFrame is an 802.3 frame to the CDP multicast address with LLC/SNAP
// and a CDP version 2 packet of the given TLVs (the checksum is not
// computed: tshark only flags it).
func cdpFrame(tlvs ...[]byte) []byte {
	p := []byte{2, 180, 0x12, 0x34}
	for _, t := range tlvs {
		p = append(p, t...)
	}
	return ethernet8023([]byte{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}, macA, append(snapHeader(0x00000c, 0x2000), p...), 0)
}

// cdpAddrs is an Addresses TLV value: IPv4 (NLPID), IPv6 (802.2) and
// DECnet addresses.
func cdpAddrs() []byte {
	v := be32(3)
	v = append(v, 1, 1, 0xcc)
	v = append(v, be16(4)...)
	v = append(v, 192, 0, 2, 9)
	v = append(v, 2, 8)
	v = append(v, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd)
	v = append(v, be16(16)...)
	v = append(v, l2ip6("2001:db8::9")...)
	v = append(v, 2, 8, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x60, 0x03)
	v = append(v, be16(2)...)
	return append(v, 0x04, 0x01)
}

// cdpSyntheticFrames are CDP packets with the TLVs the public captures lack.
func cdpSyntheticFrames() [][]byte {
	energyWise := append(append(append(append(append(
		make([]byte, 20), be32(7)...), be32(42)...), []byte("WS-C3750E-24PD  ")...), be16(0)...), []byte("V01SN012345678")...)
	energyWise = append(energyWise, make([]byte, 8)...)
	// Sub-TLVs: type, length (with the 8-byte header), value.
	var sub []byte
	for _, st := range []struct {
		typ uint32
		val []byte
	}{{7, []byte("role")}, {8, []byte("domain\x00")}, {9, []byte("name")},
		{0x17, mustHex("0001" + "2b67" + "c0000205" + "0000" + "00000000")}} {
		sub = append(append(append(sub, be32(st.typ)...), be32(uint32(8+len(st.val)))...), st.val...)
	}
	energyWise = append(append(append(energyWise, be16(uint16(len(sub)))...), be16(4)...), sub...)
	return [][]byte{
		cdpFrame(cdpTLV(1, []byte("phone-1")), cdpTLV(2, cdpAddrs()), cdpTLV(3, []byte("Port 1")),
			cdpTLV(4, be32(0x0000019c)), cdpTLV(5, []byte("SIP 9.4\nline 2")), cdpTLV(6, []byte("Cisco IP Phone 7960")),
			cdpTLV(0x0e, []byte{1}, be16(110)), cdpTLV(0x0f, []byte{1}, be16(0)), cdpTLV(0x10, be16(6300)),
			cdpTLV(0x11, be32(1500)), cdpTLV(0x14, []byte("sys.example")),
			cdpTLV(0x15, mustHex("060a2b060104010902012e01")), cdpTLV(0x16, be32(1), []byte{1, 1, 0xcc}, be16(4), ipv4Bytes("203.0.113.5")),
			cdpTLV(0x17, []byte{0}, []byte("rack 4")), cdpTLV(0x19, be16(7), be16(1), be32(15400), be32(12950)),
			cdpTLV(0x1a, be16(7), be16(1), be32(15400)), cdpTLV(0x1f, []byte{0x0b}),
			cdpTLV(0x07, []byte{192, 0, 2, 1}), cdpTLV(0x99, []byte("unknown"))),
		cdpFrame(cdpTLV(1, []byte("switch-2")), cdpTLV(0x1d, energyWise), cdpTLV(0x12, []byte{1}), cdpTLV(0x13, []byte{5})),
	}
}

func cdpSyntheticCapture(t *testing.T) string {
	return writePcap(t, layers.LinkTypeEthernet, cdpSyntheticFrames()...)
}
