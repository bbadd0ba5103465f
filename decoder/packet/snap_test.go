package packet_test

import (
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// snapPIDFields are tshark's fields for the SNAP protocol ID: llc.type for
// OUI 0 (an EtherType), an OUI-specific field for the organisations tshark
// knows, llc.pid for the others.
var snapPIDFields = []string{
	"llc.type", "llc.pid", "llc.cisco_pid", "llc.apple_atalk_pid", "llc.foundry_pid",
	"llc.extreme_pid", "llc.iana_pid", "llc.force10_pid", "llc.nortel_pid", "llc.apple_awdl_pid",
	"llc.bluetooth_pid", "llc.hpteam_pid", "llc.wlccp_pid", "llc.cimetrics_pid",
}

var snapCase = tsharktest.Case{
	Type:   "SNAP",
	Filter: "llc.oui",
	Fields: []tsharktest.Field{
		// Our OUI is 3 bytes (hex in the tuples), tshark's a number.
		{Ours: "OrganizationalCode", Tshark: "llc.oui", Conv: ouiHex},
		{Ours: "Type", Tshark: strings.Join(snapPIDFields, ",")},
	},
}

func TestSNAPAgainstTshark(t *testing.T) {
	compare(t, snapCase, linkLayerCaptures(t)...)
}

func TestSNAPAgainstTsharkPublic(t *testing.T) {
	compare(t, snapCase, sharedCaptures(t, snapPublic...)...)
}

// snapPublic are captures with SNAP (so with LLC too, see llcPublic).
var snapPublic = []string{
	// Cisco OUI (CDP) on Ethernet 802.3, behind GRE/802.1Q, ERSPAN and
	// MPLS.
	"public/tcpdump/LLDP_and_CDP.pcap",
	"public/tcpdump/various_gre.pcap",
	"public/arkime/gre-erspan.pcap",
	"public/arkime/mpls-basic.pcap",
	// RFC 1042 encapsulation in 802.11 data frames, with and without
	// radiotap.
	"public/arkime/80211http.pcap",
	"public/zeek/traces/radiotap.pcap",
	"public/zeek/traces/arp-who-has-radiotap.pcap",
	"public/zeek/traces/wlanmon.pcap",
}

func FuzzSNAP(f *testing.F) {
	var seeds [][]byte
	for _, p := range linkLayerPayloadsOf(0) {
		// The LLC header is 3 bytes in the SNAP payloads.
		if len(p) >= 8 && p[0] == 0xaa && p[1] == 0xaa {
			seeds = append(seeds, p[3:])
		}
	}
	fuzzLayer(f, layers.LayerTypeSNAP, seeds...)
}
