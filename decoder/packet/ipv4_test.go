package packet_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

var ipv4Case = tsharktest.Case{
	Type:   "IPv4",
	Filter: "ip",
	Fields: []tsharktest.Field{
		{Ours: "Version", Tshark: "ip.version"},
		{Ours: "IHL", Tshark: "ip.hdr_len", Conv: div4},
		{Ours: "TOS", Tshark: "ip.dsfield"},
		{Ours: "Length", Tshark: "ip.len"},
		{Ours: "Id", Tshark: "ip.id"},
		{Ours: "Flags", Tshark: "ip.flags"},
		{Ours: "FragOffset", Tshark: "ip.frag_offset"},
		{Ours: "TTL", Tshark: "ip.ttl"},
		{Ours: "Protocol", Tshark: "ip.proto"},
		{Ours: "Checksum", Tshark: "ip.checksum"},
		{Ours: "SrcIP", Tshark: "ip.src"},
		{Ours: "DstIP", Tshark: "ip.dst"},
	},
}

func TestIPv4AgainstTshark(t *testing.T) {
	t.Parallel()
	// The ICMP port unreachable in these captures quotes an IPv4+UDP
	// header. gopacket (like Netcap) leaves an ICMP message's body
	// undecoded, so we write one record for the packet's own IPv4 header,
	// while tshark dissects the quoted header as a second ip layer: only
	// the first occurrence is compared. The captures have no IP tunnels.
	c := ipv4Case
	c.First = true
	compare(t, c, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"),
		testutil.Testdata(t, "icmp-sll2.pcap"))
}

func TestIPv4AgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	// Fragments (first, middle and last, and 1252 garbage fragments),
	// IPv4 in GRE, Geneve and VXLAN tunnels (every header is a record),
	// router alert options (IGMP) and ICMP errors quoting IPv4 headers.
	// The quoted headers are dropped by ipDecodedRows; see there.
	compare(t, withColumn(derivedFromCase(ipv4Case, ipDecodedRows("ip")), "PayloadSize", nil, ipv4PayloadSizes),
		testutil.Shared(t, "public/zeek/traces/ipv4/fragmented-1.pcap"),
		testutil.Shared(t, "public/zeek/traces/ipv4/fragmented-2.pcap"),
		testutil.Shared(t, "public/ndpi/ip_fragmented_garbage.pcap"),
		testutil.Shared(t, "public/suricata-verify/defrag/bug-6887-defrag-ipv4-tcp-syn/frag-ip-tcp-syn.pcap"),
		testutil.Shared(t, "public/arkime/gre-sample.pcap"),
		testutil.Shared(t, "public/ja4/pcap/tcpdump-geneve.pcap"),
		testutil.Shared(t, "public/tcpdump/vxlan.pcap"),
		testutil.Shared(t, "public/tcpdump/IGMP_V2.pcap"),
		testutil.Shared(t, "public/community-id/pcaps/icmp.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp-destunreach-udp.pcap"),
		testutil.Shared(t, "public/ja4/pcap/ssh2.pcapng"),
		testutil.Shared(t, "public/ndpi/nintendo.pcap"),
	)
}

// ipv4PayloadSizes are the PayloadSize of the IPv4 records of a frame: the
// total length less the header length (gopacket cuts the payload at the
// total length, dropping Ethernet padding; the captures are not cut short by
// a snap length).
func ipv4PayloadSizes(f tsharktest.Frame, n int) []string {
	sizes := make([]string, n)
	for i := range sizes {
		total, err1 := strconv.Atoi(f.At("ip.len", i))
		hdr, err2 := strconv.Atoi(f.At("ip.hdr_len", i))
		if err1 != nil || err2 != nil {
			sizes[i] = "bad lengths " + f.At("ip.len", i) + "/" + f.At("ip.hdr_len", i)
			continue
		}
		sizes[i] = strconv.Itoa(total - hdr)
	}
	return sizes
}

// TestIPv4OptionsAgainstTshark compares the options of every IPv4 header
// on captures whose options are all router alerts (RFC 2113, carried by
// IGMP): type, length and the 2-byte value as data.
func TestIPv4OptionsAgainstTshark(t *testing.T) {
	t.Parallel()
	c := tsharktest.Case{
		Type:    "IPv4",
		Filter:  "ip",
		Read:    []string{"ip.opt.type", "ip.opt.len", "ip.opt.ra"},
		Columns: []string{"Options"},
		FrameRows: func(f tsharktest.Frame) [][]string {
			if f.Count("ip") != 1 {
				return [][]string{{"cannot attribute the options of several IPv4 headers"}}
			}
			var opts []string
			for i, typ := range f.All("ip.opt.type") {
				if typ != "148" {
					return [][]string{{"option " + typ + " is not a router alert"}}
				}
				ra, err := strconv.ParseUint(f.At("ip.opt.ra", i), 10, 16)
				if err != nil {
					return [][]string{{"bad router alert value " + f.At("ip.opt.ra", i)}}
				}
				opts = append(opts, fmt.Sprintf("(%s;%s;%04x)", typ, f.At("ip.opt.len", i), ra))
			}
			return [][]string{{strings.Join(opts, "|")}}
		},
	}
	compare(t, c,
		testutil.Shared(t, "public/tcpdump/IGMP_V2.pcap"),
		testutil.Shared(t, "public/tcpdump/igmpv3-queries.pcap"),
		testutil.Shared(t, "public/arkime/igmp.pcap"),
		testutil.Shared(t, "public/zeek/traces/dns/mdns.pcap"),
	)
}

func FuzzIPv4(f *testing.F) { fuzzLayer(f, layers.LayerTypeIPv4) }

// ipDecodedRows returns how many headers of an IP layer ("ip" or "ipv6")
// we decode in a frame: those before the first ICMP message. gopacket, like
// Netcap, does not decode the packet an ICMP error quotes, while tshark
// dissects it as a further IP layer.
func ipDecodedRows(layer string) func(f tsharktest.Frame) int {
	return func(f tsharktest.Frame) int { return f.Count(layer, "icmp", "icmpv6") }
}
