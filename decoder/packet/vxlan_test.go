package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// vxlanCase compares the VXLAN header: the I flag, the VNI and the group
// policy extension's G, D and A flags and group policy ID.
var vxlanCase = tsharktest.Case{
	Type:   "VXLAN",
	Filter: "vxlan",
	Fields: []tsharktest.Field{
		{Ours: "ValidIDFlag", Tshark: "vxlan.flag_i"},
		{Ours: "VNI", Tshark: "vxlan.vni"},
		{Ours: "GBPExtension", Tshark: "vxlan.flag_g"},
		{Ours: "GBPDontLearn", Tshark: "vxlan.flag_d"},
		{Ours: "GBPApplied", Tshark: "vxlan.flag_a"},
		{Ours: "GBPGroupPolicyID", Tshark: "vxlan.gbp"},
	},
}

// vxlanPublic are captures with VXLAN on UDP port 4789, carrying ARP, ICMP,
// TCP and UDP, behind a VLAN tag, and inside ERSPAN in GRE.
var vxlanPublic = []string{
	"public/tcpdump/vxlan.pcap",
	"public/arkime/vxlan.pcap",
	"public/zeek/traces/tunnels/vxlan.pcap",
	"public/ndpi/vxlan.pcap",
	"public/suricata-verify/vxlan-decoder-01/input.pcap",
	"public/arkime/gre-erspan-vxlan.pcap",
}

func TestVXLANAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, vxlanCase, sharedCaptures(t, vxlanPublic...)...)
}

func FuzzVXLAN(f *testing.F) { fuzzLayer(f, layers.LayerTypeVXLAN, vxlanSamples(f)...) }

// vxlanSamples are VXLAN headers with what the public captures lack, each
// followed by an Ethernet frame: the group policy extension's flags and
// ID, a clear I flag, the largest VNI, reserved bits set.
func vxlanSamples(tb testing.TB) [][]byte {
	vxlan := func(flags0, flags1 byte, gbp uint16, vni uint32) []byte {
		return slices.Concat([]byte{flags0, flags1}, be16(gbp), be32(vni<<8), innerFrame(tb))
	}
	return [][]byte{
		vxlan(0x88, 0x48, 0x1234, 0xabcdef), // G and I; D and A; policy ID
		vxlan(0x80, 0x40, 0xffff, 0xffffff), // G only, D only
		vxlan(0x00, 0x08, 0, 0),             // A only, I clear, VNI 0
		vxlan(0x08|0x77, 0xb7, 7, 1),        // I and reserved bits
	}
}

// TestVXLANAgainstTsharkSynthetic puts vxlanSamples in UDP over IPv4 and
// IPv6, on the destination port and on the source port.
func TestVXLANAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	s := vxlanSamples(t)
	pcap := writePcap(t, layers.LinkTypeEthernet,
		udpOverIPv4(t, 40000, 4789, s[0]),
		udpOverIPv6(t, 4789, 40001, s[1]),
		udpOverIPv4(t, 40002, 4789, s[2]),
		udpOverIPv4(t, 40003, 4789, s[3]),
	)
	compare(t, vxlanCase, pcap)
	compare(t, udpCase, pcap)
}
