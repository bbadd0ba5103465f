package packet_test

import (
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
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

// clearLowBit clears bit 0 of a number: a SAP address without its I/G or
// C/R bit.
func clearLowBit(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil {
		return v
	}
	return strconv.Itoa(n &^ 1)
}

func TestLLCAgainstTshark(t *testing.T) {
	compareWithTshark(t, llcCase,
		l2Synthetic(t, layers.LinkTypeEthernet),
		l2Synthetic(t, layers.LinkTypeLinuxSLL),
		l2Synthetic(t, layers.LinkTypeLinuxSLL2),
	)
}

func TestLLCAgainstTsharkPublic(t *testing.T) {
	compareWithTshark(t, llcCase,
		// Ethernet 802.3: STP, BACnet, CDP (with SNAP).
		testutil.Shared(t, "public/tcpdump/802.1D_spanning_tree.pcap"),
		testutil.Shared(t, "public/arkime/bacnet-stack-services.pcap"),
		testutil.Shared(t, "public/tcpdump/LLDP_and_CDP.pcap"),
		testutil.Shared(t, "public/ndpi/tor.pcap"),
		testutil.Shared(t, "public/icsnpp-enip/traces/enip_cip_example.pcap"),
		// Behind GRE, 802.1Q, ERSPAN and MPLS.
		testutil.Shared(t, "public/tcpdump/various_gre.pcap"),
		testutil.Shared(t, "public/arkime/gre-erspan.pcap"),
		testutil.Shared(t, "public/arkime/mpls-basic.pcap"),
		// 802.11 data frames, with and without radiotap.
		testutil.Shared(t, "public/arkime/80211http.pcap"),
		testutil.Shared(t, "public/zeek/traces/radiotap.pcap"),
		testutil.Shared(t, "public/zeek/traces/arp-who-has-radiotap.pcap"),
		testutil.Shared(t, "public/zeek/traces/wlanmon.pcap"),
	)
}

func FuzzLLC(f *testing.F) {
	var seeds [][]byte
	for _, p := range l2Payloads() {
		if p.typ == 0 {
			seeds = append(seeds, p.payload)
		}
	}
	fuzzLayer(f, layers.LayerTypeLLC, seeds...)
}
