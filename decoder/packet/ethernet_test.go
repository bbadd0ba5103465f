package packet_test

import (
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// ethernetCase compares every Ethernet header, tunnelled ones (VXLAN,
// Geneve, ERSPAN, GRE bridging) included.
var ethernetCase = tsharktest.Case{
	Type:   "Ethernet",
	Filter: "eth",
	Fields: []tsharktest.Field{
		{Ours: "SrcMAC", Tshark: "eth.src"},
		{Ours: "DstMAC", Tshark: "eth.dst"},
		// An 802.3 frame has a length where Ethernet II has its type;
		// tshark writes it as eth.len, gopacket (and Netcap) write
		// EthernetType LLC, which is 0.
		{Ours: "EthernetType", Tshark: "eth.type,eth.len", Conv: lengthIsLLC},
	},
}

// ethernetAddrCase leaves the type out, for captures with packets where an
// Ethernet II header and an 802.3 header are stacked (ERSPAN carrying CDP):
// there tshark lists one eth.type and one eth.len for two headers, and which
// header each belongs to is lost.
var ethernetAddrCase = tsharktest.Case{
	Type:   "Ethernet",
	Filter: "eth",
	Fields: ethernetCase.Fields[:2],
}

func TestEthernetAgainstTshark(t *testing.T) {
	compare(t, ethernetCase,
		testutil.Testdata(t, "mixed.pcap"),
		// Ethernet and Linux SLL interfaces in one file: the SLL frames
		// must not yield Ethernet records.
		testutil.Testdata(t, "mixed.pcapng"),
		linkLayerCapture(t, layers.LinkTypeEthernet),
	)
}

func TestEthernetAgainstTsharkPublic(t *testing.T) {
	compare(t, ethernetCase,
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
	compare(t, ethernetAddrCase,
		testutil.Shared(t, "public/arkime/gre-erspan.pcap"),
	)
}

// ethernetPayloadSizeCase reads what PayloadSize is compared with: tshark
// shows padding and trailers as part of the Ethernet layer, gopacket leaves
// them in the payload, so it is all after the 14-byte header, except that an
// 802.3 payload ends where its length says. It is for captures with one
// Ethernet header per frame (frame.cap_len counts from the outer one).
var ethernetPayloadSizeCase = tsharktest.Case{
	Type:    "Ethernet",
	Filter:  "eth",
	Read:    []string{"frame.cap_len", "eth.len"},
	Columns: []string{"PayloadSize"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		capLen, err := strconv.Atoi(f.At("frame.cap_len", 0))
		if err != nil {
			return [][]string{{"bad frame.cap_len " + f.At("frame.cap_len", 0)}}
		}
		lens := f.All("eth.len")
		if len(lens) == 0 {
			lens = []string{""} // Ethernet II
		}
		var rows [][]string
		for _, l := range lens {
			size := capLen - 14
			if l != "" {
				n, err := strconv.Atoi(l)
				if err != nil {
					return [][]string{{"bad eth.len " + l}}
				}
				size = min(size, n)
			}
			rows = append(rows, []string{strconv.Itoa(size)})
		}
		return rows
	},
}

func TestEthernetPayloadSizeAgainstTshark(t *testing.T) {
	compare(t, ethernetPayloadSizeCase,
		testutil.Testdata(t, "mixed.pcap"),
		testutil.Testdata(t, "mixed.pcapng"),
		linkLayerCapture(t, layers.LinkTypeEthernet),
	)
}

func TestEthernetPayloadSizeAgainstTsharkPublic(t *testing.T) {
	compare(t, ethernetPayloadSizeCase,
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
		if n := len(tsharktest.Fields(t, pcap, tsharktest.Query{Filter: "eth"})); n != 0 {
			t.Errorf("%s: tshark finds %d packets with Ethernet; compare it with compare", pcap, n)
		}
		if n := len(decodeCapture(t, pcap).Records(types.Type_NC_Ethernet)); n != 0 {
			t.Errorf("%s: %d Ethernet records, tshark finds none", pcap, n)
		} else {
			t.Logf("Ethernet on %s: no records, as tshark", pcap)
		}
	}
}

func TestEthernetOnlyOnEthernet(t *testing.T) {
	expectNoEthernet(t,
		testutil.Testdata(t, "icmp-sll2.pcap"),
		linkLayerCapture(t, layers.LinkTypeLinuxSLL),
		linkLayerCapture(t, layers.LinkTypeLinuxSLL2),
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
	fuzzLayer(f, layers.LayerTypeEthernet, linkLayerFrames(layers.LinkTypeEthernet)...)
}
