package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

var llcCase = tsharktest.Case{
	Type:   "LLC",
	Filter: "llc",
	Fields: []tsharktest.Field{
		// gopacket splits the DSAP byte into the address (DSAP, low
		// bit cleared) and the individual/group bit (IG), the SSAP
		// byte into the address and the command/response bit (CR);
		// tshark's llc.dsap and llc.ssap are the whole bytes.
		{Ours: "DSAP", Tshark: "llc.dsap", Conv: clearLowBit},
		{Ours: "IG", Tshark: "llc.dsap.ig"},
		{Ours: "SSAP", Tshark: "llc.ssap", Conv: clearLowBit},
		{Ours: "CR", Tshark: "llc.ssap.cr"},
		{Ours: "Control", Tshark: "llc.control"},
	},
}

func TestLLCAgainstTshark(t *testing.T) {
	compare(t, llcCase, linkLayerCaptures(t)...)
}

func TestLLCAgainstTsharkPublic(t *testing.T) {
	compare(t, llcCase, sharedCaptures(t, llcPublic...)...)
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
