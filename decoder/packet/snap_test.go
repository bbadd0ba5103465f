package packet_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
)

// snapPIDFields are tshark's fields for the SNAP protocol ID: llc.type for
// OUI 0 (an EtherType), an OUI-specific field for the organisations tshark
// knows, llc.pid for the others.
var snapPIDFields = []string{
	"llc.type", "llc.pid", "llc.cisco_pid", "llc.apple_atalk_pid", "llc.foundry_pid",
	"llc.extreme_pid", "llc.iana_pid", "llc.force10_pid", "llc.nortel_pid", "llc.apple_awdl_pid",
	"llc.bluetooth_pid", "llc.hpteam_pid", "llc.wlccp_pid", "llc.cimetrics_pid",
}

var snapCase = tsharkCase{
	typ:    "SNAP",
	filter: "llc.oui",
	fields: []tf{
		// Our OUI is 3 bytes (hex in the tuples), tshark's a number.
		{ours: "OrganizationalCode", tshark: "llc.oui", conv: ouiHex},
		{ours: "Type", tshark: strings.Join(snapPIDFields, ",")},
	},
}

// ouiHex writes an OUI number as 6 hex digits.
func ouiHex(v string) string {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%06x", n)
}

func TestSNAPAgainstTshark(t *testing.T) {
	compareWithTshark(t, snapCase,
		l2Synthetic(t, layers.LinkTypeEthernet),
		l2Synthetic(t, layers.LinkTypeLinuxSLL),
		l2Synthetic(t, layers.LinkTypeLinuxSLL2),
	)
}

func TestSNAPAgainstTsharkPublic(t *testing.T) {
	compareWithTshark(t, snapCase,
		// Cisco OUI (CDP) on Ethernet 802.3, behind GRE/802.1Q,
		// ERSPAN and MPLS.
		testutil.Shared(t, "public/tcpdump/LLDP_and_CDP.pcap"),
		testutil.Shared(t, "public/tcpdump/various_gre.pcap"),
		testutil.Shared(t, "public/arkime/gre-erspan.pcap"),
		testutil.Shared(t, "public/arkime/mpls-basic.pcap"),
		// RFC 1042 encapsulation in 802.11, with and without radiotap.
		testutil.Shared(t, "public/arkime/80211http.pcap"),
		testutil.Shared(t, "public/zeek/traces/radiotap.pcap"),
		testutil.Shared(t, "public/zeek/traces/arp-who-has-radiotap.pcap"),
		testutil.Shared(t, "public/zeek/traces/wlanmon.pcap"),
	)
}

func FuzzSNAP(f *testing.F) {
	var seeds [][]byte
	for _, p := range l2Payloads() {
		// The LLC header is 3 bytes in the SNAP payloads.
		if p.typ == 0 && len(p.payload) >= 8 && p.payload[0] == 0xaa && p.payload[1] == 0xaa {
			seeds = append(seeds, p.payload[3:])
		}
	}
	fuzzLayer(f, layers.LayerTypeSNAP, seeds...)
}
