package packet_test

import (
	"encoding/hex"
	"net"
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// icmpv4Case compares TypeCode (type<<8|code: tshark has the two apart),
// the checksum, Id and Seq, and the packet's addresses (the first IPv4
// header's, outside any tunnel).
//
// A frame yields one record, for its first ICMP message: tshark also
// dissects the packet an ICMP error quotes, which may hold a further ICMP
// message, where gopacket (like Netcap) stops at the error's body.
//
// Id and Seq: gopacket reads the second 32-bit word of every ICMP header
// into them, whatever the type, and so does Netcap. tshark names that word
// by type: identifier and sequence number for echo, timestamp, information
// and address mask messages, unused bytes (with the RFC 4884 length and
// the next-hop MTU of "fragmentation needed") for destination unreachable
// and time exceeded, the pointer for parameter problems, the gateway
// address for redirects. The expected Id and Seq are that word
// as tshark shows it; types where it shows none of these fail the test.
var icmpv4Case = tsharktest.Case{
	Type:   "ICMPv4",
	Filter: "icmp",
	Read: []string{"icmp.type", "icmp.code", "icmp.checksum", "icmp.ident", "icmp.seq",
		"icmp.unused", "icmp.length", "icmp.mtu", "icmp.pointer", "icmp.redir_gw", "ip.src", "ip.dst"},
	Columns: []string{"TypeCode", "Checksum", "Id", "Seq", "SrcIP", "DstIP"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		if f.Count("icmp") == 0 {
			return nil
		}
		typ, err1 := strconv.Atoi(f.At("icmp.type", 0))
		code, err2 := strconv.Atoi(f.At("icmp.code", 0))
		if err1 != nil || err2 != nil {
			return [][]string{{"bad type/code " + f.At("icmp.type", 0) + "/" + f.At("icmp.code", 0)}}
		}
		id, seq := icmpv4Word(f, typ)
		return [][]string{{strconv.Itoa(typ<<8 | code), f.At("icmp.checksum", 0), id, seq,
			f.At("ip.src", 0), f.At("ip.dst", 0)}}
	},
}

// icmpv4Word returns the second word of the first ICMP header of f, split
// into its 16-bit halves, from the tshark fields that show it for type typ.
func icmpv4Word(f tsharktest.Frame, typ int) (string, string) {
	halves := func(b []byte) (string, string) {
		if len(b) != 4 {
			return "bad word " + hex.EncodeToString(b), ""
		}
		return strconv.Itoa(int(b[0])<<8 | int(b[1])), strconv.Itoa(int(b[2])<<8 | int(b[3]))
	}
	switch typ {
	case 0, 8, 13, 14, 15, 16, 17, 18: // echo, timestamp, information, address mask
		return f.At("icmp.ident", 0), f.At("icmp.seq", 0)
	case 3, 11: // destination unreachable, time exceeded
		// unused bytes, the RFC 4884 length of the quoted datagram (in 32-bit
		// words) in byte 5 when present, the next-hop MTU of "fragmentation
		// needed" in bytes 6-7
		word, err := hex.DecodeString(f.At("icmp.unused", 0))
		if err != nil {
			return "bad unused bytes " + f.At("icmp.unused", 0), ""
		}
		if l := f.At("icmp.length", 0); l != "" {
			n, _ := strconv.ParseUint(l, 10, 8)
			word = append(word, byte(n))
			if more, err := hex.DecodeString(f.At("icmp.unused", 1)); err == nil && f.At("icmp.mtu", 0) == "" {
				word = append(word, more...)
			}
		}
		if m := f.At("icmp.mtu", 0); m != "" {
			mtu, _ := strconv.ParseUint(m, 10, 16)
			word = append(word, byte(mtu>>8), byte(mtu))
		}
		return halves(word)
	case 12: // parameter problem: the pointer, then unused bytes
		ptr, err1 := strconv.ParseUint(f.At("icmp.pointer", 0), 10, 8)
		unused, err2 := hex.DecodeString(f.At("icmp.unused", 0))
		if err1 != nil || err2 != nil {
			return "bad pointer/unused bytes " + f.At("icmp.pointer", 0) + "/" + f.At("icmp.unused", 0), ""
		}
		return halves(append([]byte{byte(ptr)}, unused...))
	case 5: // redirect
		return halves(net.ParseIP(f.At("icmp.redir_gw", 0)).To4())
	}
	return "no tshark field for the second word of type " + strconv.Itoa(typ), ""
}

func TestICMPv4AgainstTshark(t *testing.T) {
	t.Parallel()
	// Echo requests and replies, and a port unreachable quoting IPv4+UDP;
	// icmp-sll2.pcap has a Linux SLL2 link layer.
	compare(t, icmpv4Case, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"),
		testutil.Testdata(t, "icmp-sll2.pcap"))
}

func TestICMPv4AgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	// Echo (also in GRE, MPLS, VXLAN, Geneve, 802.1Q and QinQ), port,
	// host and communication-prohibited unreachables, fragmentation needed
	// with a next-hop MTU, time exceeded (quoting UDP), in tunnels too.
	compare(t, icmpv4Case,
		testutil.Shared(t, "public/community-id/pcaps/icmp.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp-ping.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp-destunreach-udp.pcap"),
		testutil.Shared(t, "public/arkime/gre-sample.pcap"),
		testutil.Shared(t, "public/arkime/mpls-basic.pcap"),
		testutil.Shared(t, "public/arkime/bigendian.pcap"),
		testutil.Shared(t, "public/tcpdump/vxlan.pcap"),
		testutil.Shared(t, "public/zeek/traces/tunnels/geneve.pcap"),
		testutil.Shared(t, "public/suricata-verify/eve-flow-vlan/input.pcap"),
		testutil.Shared(t, "public/ja4/pcap/ssh2.pcapng"),
		testutil.Shared(t, "public/suricata-verify/bug-3616-smtp/input.pcap"),
		testutil.Shared(t, "public/ndpi/nintendo.pcap"),
		testutil.Shared(t, "public/ndpi/instagram.pcap"),
		testutil.Shared(t, "public/tcpdump/icmp-length-zero.pcapng"),
	)
}

// TestICMPv4SynthAgainstTshark compares messages the public captures lack:
// a redirect, timestamp request and reply, address mask request, parameter
// problem, and a time exceeded with an RFC 4884 length.
func TestICMPv4SynthAgainstTshark(t *testing.T) {
	t.Parallel()
	frame := func(msg []byte) []byte {
		return ipv4Frame(t, layers.IPProtocolICMPv4, "198.51.100.1", withChecksum(msg))
	}
	quoted := mustHex("450000380001000040110000c0000201c6336401" + "d4310035002400000000") // IPv4 + UDP
	padded := append(append([]byte(nil), quoted...), make([]byte, 128-len(quoted))...)
	compare(t, icmpv4Case, writePcap(t, layers.LinkTypeEthernet,
		frame(append(mustHex("05010000c00002fe"), quoted...)),
		frame(mustHex("0d0000004d2200070000000100000000"+"00000000")),
		frame(mustHex("0e0000004d220007000000010000000200000003")),
		frame(mustHex("1100000012340001ffffff00")),
		frame(append(mustHex("0c00000014000000"), quoted...)),
		frame(append(mustHex("0b00000000110000"), padded...)),
	))
}

// TestICMPv4ExtendedEchoAgainstTshark checks RFC 8335 extended echo
// requests and replies (types 42 and 43) without Seq: their sequence number
// is 8 bits, followed by a flags byte, and gopacket's Seq holds both.
func TestICMPv4ExtendedEchoAgainstTshark(t *testing.T) {
	t.Parallel()
	c := tsharktest.Case{
		Type:    "ICMPv4",
		Filter:  "icmp",
		Read:    []string{"icmp.type", "icmp.code", "icmp.checksum", "icmp.ident", "ip.src", "ip.dst"},
		Columns: []string{"TypeCode", "Checksum", "Id", "SrcIP", "DstIP"},
		FrameRows: func(f tsharktest.Frame) [][]string {
			typ, _ := strconv.Atoi(f.At("icmp.type", 0))
			code, _ := strconv.Atoi(f.At("icmp.code", 0))
			if typ != 42 && typ != 43 {
				return [][]string{{"not an extended echo: type " + f.At("icmp.type", 0)}}
			}
			return [][]string{{strconv.Itoa(typ<<8 | code), f.At("icmp.checksum", 0), f.At("icmp.ident", 0),
				f.At("ip.src", 0), f.At("ip.dst", 0)}}
		},
	}
	compare(t, c, testutil.Shared(t, "public/tcpdump/icmp-rfc8335.pcap"))
}

func FuzzICMPv4(f *testing.F) { fuzzLayer(f, layers.LayerTypeICMPv4) }
