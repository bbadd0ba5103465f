package packet_test

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// ipv6HopByHopCase compares each hop-by-hop header's options, written as
// type;length;bytes on the wire;data, and the packet's addresses.
//
// tshark has no field for an option's raw data, so the data is rebuilt
// from the option's value: the 16-bit router alert, the 32-bit jumbo
// payload length, and the zeros of a PadN. Pad1 is the one option without
// a length byte (length 0, one byte). Any other option fails the test.
// The option alignment of the record is not compared: gopacket fills it
// only when writing packets, and tshark has nothing like it.
var ipv6HopByHopCase = tsharktest.Case{
	Type:    "IPv6HopByHop",
	Filter:  "ipv6.hopopts",
	Read:    []string{"ipv6.src", "ipv6.dst", "ipv6.opt.type", "ipv6.opt.length", "ipv6.opt.router_alert", "ipv6.opt.jumbo"},
	Columns: []string{"SrcIP", "DstIP", "Options"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.IPv6HopByHop)
		var opts []string
		for _, o := range r.Options {
			opts = append(opts, fmt.Sprintf("%d;%d;%d;%s", o.OptionType, o.OptionLength, o.ActualLength, hex.EncodeToString(o.OptionData)))
		}
		return []string{r.SrcIP, r.DstIP, strings.Join(opts, "|")}
	},
	FrameRows: func(f tsharktest.Frame) [][]string {
		// The headers we decode come before any ICMPv6 message: gopacket
		// does not decode the packet an ICMPv6 error quotes (nor does
		// Netcap), tshark does. The addresses are the first IPv6 header's.
		n := f.Count("ipv6.hopopts", "icmpv6")
		switch {
		case n == 0:
			return nil
		case n > 1 || f.Count("ipv6.hopopts") > 1:
			return [][]string{{"cannot attribute the options of several hop-by-hop headers"}}
		}
		var opts []string
		var nlen, nra, njumbo int
		for _, typ := range f.All("ipv6.opt.type") {
			code, err := strconv.ParseUint(strings.TrimPrefix(typ, "0x"), 16, 8)
			if err != nil {
				return [][]string{{"bad option type " + typ}}
			}
			if code == 0 { // Pad1
				opts = append(opts, "0;0;1;")
				continue
			}
			length := f.At("ipv6.opt.length", nlen)
			nlen++
			n, err := strconv.Atoi(length)
			if err != nil {
				return [][]string{{"bad option length " + length}}
			}
			var data string
			switch code {
			case 1: // PadN
				data = strings.Repeat("00", n)
			case 5: // router alert
				v, _ := strconv.ParseUint(f.At("ipv6.opt.router_alert", nra), 10, 16)
				nra++
				data = fmt.Sprintf("%04x", v)
			case 0xc2: // jumbo payload
				v, _ := strconv.ParseUint(f.At("ipv6.opt.jumbo", njumbo), 10, 32)
				njumbo++
				data = fmt.Sprintf("%08x", v)
			default:
				return [][]string{{"option type " + typ + " has no known data field"}}
			}
			opts = append(opts, fmt.Sprintf("%d;%d;%d;%s", code, n, n+2, data))
		}
		return [][]string{{f.At("ipv6.src", 0), f.At("ipv6.dst", 0), strings.Join(opts, "|")}}
	},
}

func TestIPv6HopByHopAgainstTshark(t *testing.T) {
	t.Parallel()
	// Router alert + PadN (MLD reports), PadN + router alert, a jumbo
	// payload option, and router alert + Pad1 + Pad1 before fragment
	// headers (denial6-6, whose ICMPv6 errors also quote hop-by-hop headers).
	compare(t, ipv6HopByHopCase,
		testutil.Shared(t, "public/ja4/pcap/dhcpv6.pcap"),
		testutil.Shared(t, "public/tcpdump/icmpv6.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6_jumbogram_1.pcap"),
		testutil.Shared(t, "public/tcpdump/babel.pcap"),
		testutil.Shared(t, "public/zeek/traces/dns/mdns.pcap"),
		testutil.Shared(t, "public/ndpi/wechat.pcap"),
		testutil.Shared(t, "public/ndpi/android.pcap"),
		testutil.Shared(t, "public/ndpi/iphone.pcap"),
		testutil.Shared(t, "public/arkime/wireshark-dhcpv6.pcap"),
		testutil.Shared(t, "public/suricata-verify/tls/tls-subjectaltname/input.pcap"),
		testutil.Shared(t, "public/suricata-verify/ipv6-evasion/ipv6-dos-with-ext-headers-6/denial6-6.pcap"),
	)
}

// FuzzIPv6HopByHop starts at IPv6: gopacket decodes the hop-by-hop header
// as part of the IPv6 layer, and the parser writes it from there.
func FuzzIPv6HopByHop(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeIPv6, ipv6HopByHopSeeds...)
}

// ipv6HopByHopSeeds are IPv6 packets with hop-by-hop headers: an MLD
// report behind router alert + PadN, and a (cut) jumbogram of 65536 bytes.
var ipv6HopByHopSeeds = [][]byte{
	mustHex("6000000000240001fe80000000000000020000fffe000001ff0200000000000000000000000000163a000502000001008f00aaaa0000000104000000ff020000000000000000000000000001"),
	mustHex("6000000000000001fe800000000000000000000000000001fe800000000000000000000000000002" +
		"3a00c20400010000" + "8000000000010001" + strings.Repeat("00", 32)),
}
