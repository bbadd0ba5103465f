package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
)

var llcCase = tsharkCase{
	typ:    "LLC",
	filter: "llc",
	fields: []tf{
		// gopacket splits the DSAP byte into the address (DSAP, low
		// bit cleared) and the individual/group bit (IG), the SSAP
		// byte into the address and the command/response bit (CR);
		// tshark's llc.dsap and llc.ssap are the whole bytes.
		{ours: "DSAP", tshark: "llc.dsap", conv: clearLowBit},
		{ours: "IG", tshark: "llc.dsap.ig"},
		{ours: "SSAP", tshark: "llc.ssap", conv: clearLowBit},
		{ours: "CR", tshark: "llc.ssap.cr"},
		{ours: "Control", tshark: "llc.control"},
	},
}

func TestLLCAgainstTshark(t *testing.T) {
	compareWithTshark(t, llcCase, linkLayerCaptures(t)...)
}

func TestLLCAgainstTsharkPublic(t *testing.T) {
	compareWithTshark(t, llcCase, sharedCaptures(t, llcPublic...)...)
}

// llcPublic are captures with LLC: Ethernet 802.3 (STP, BACnet and others)
// and those with SNAP.
var llcPublic = append([]string{
	"public/tcpdump/802.1D_spanning_tree.pcap",
	"public/arkime/bacnet-stack-services.pcap",
	"public/ndpi/tor.pcap",
	"public/icsnpp-enip/traces/enip_cip_example.pcap",
}, snapPublic...)

func FuzzLLC(f *testing.F) { fuzzLayer(f, layers.LayerTypeLLC, linkLayerPayloadsOf(0)...) }
