package packet_test

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// icmpv6Decoded tells whether we decode the frame's first ICMPv6 message.
// tshark, without reassembly, still dissects the ICMPv6 header at the
// start of a first fragment; gopacket (like Netcap) decodes what follows a
// fragment header only in an atomic fragment (offset 0, no more fragments).
// Later ICMPv6 messages are inside the packet an ICMPv6 error quotes, which
// gopacket does not decode either.
func icmpv6Decoded(f tsharktest.Frame) bool {
	i := slices.Index(f.Protocols, "icmpv6")
	if i < 0 {
		return false
	}
	if i > 0 && f.Protocols[i-1] == "ipv6.fraghdr" {
		j := f.Count("ipv6.fraghdr", "icmpv6") - 1
		if tsharktest.Normalize(f.At("ipv6.fraghdr.more", j)) != "0" || f.At("ipv6.fraghdr.offset", j) != "0" {
			return false
		}
	}
	return true
}

// icmpv6Fields are the tshark fields icmpv6Decoded and Frame.Addrs read.
var icmpv6Fields = append([]string{"ipv6.fraghdr.more", "ipv6.fraghdr.offset"}, tsharktest.AddrFields...)

// icmpv6Case compares TypeCode (type<<8|code: tshark has the two apart),
// the checksum and the packet's addresses: those of its first IP header,
// IPv4 for ICMPv6 in 6in4 tunnels.
var icmpv6Case = tsharktest.Case{
	Type:    "ICMPv6",
	Filter:  "icmpv6",
	Read:    append([]string{"icmpv6.type", "icmpv6.code", "icmpv6.checksum"}, icmpv6Fields...),
	Columns: []string{"TypeCode", "Checksum", "SrcIP", "DstIP"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		if !icmpv6Decoded(f) {
			return nil
		}
		typ, err1 := strconv.Atoi(f.At("icmpv6.type", 0))
		code, err2 := strconv.Atoi(f.At("icmpv6.code", 0))
		if err1 != nil || err2 != nil {
			return [][]string{{"bad type/code " + f.At("icmpv6.type", 0) + "/" + f.At("icmpv6.code", 0)}}
		}
		src, dst := f.Addrs()
		return [][]string{{strconv.Itoa(typ<<8 | code), f.At("icmpv6.checksum", 0), src, dst}}
	},
}

func TestICMPv6AgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, icmpv6Case, testutil.Testdata(t, "mixed.pcap"), testutil.Testdata(t, "mixed.pcapng"))
}

func TestICMPv6AgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	// Echo, neighbour and router discovery, MLD, router renumbering, RFC
	// 8335 extended echo, destination unreachable and time exceeded quoting
	// packets with ICMPv6 inside, ICMPv6 in 6in4 tunnels, behind routing
	// and hop-by-hop headers, in a jumbogram, and denial6-6's 39812 MLD
	// queries in first fragments (not decoded, see icmpv6Decoded) and
	// parameter problems quoting them.
	compare(t, icmpv6Case,
		testutil.Shared(t, "public/community-id/pcaps/icmp6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/v6.pcap"),
		testutil.Shared(t, "public/ja4/pcap/dhcpv6.pcap"),
		testutil.Shared(t, "public/ndpi/6in4tunnel.pcap"),
		testutil.Shared(t, "public/arkime/ipv6-in-ipv4.pcap"),
		testutil.Shared(t, "public/tcpdump/icmpv6.pcap"),
		testutil.Shared(t, "public/tcpdump/icmp6-rfc8335.pcap"),
		testutil.Shared(t, "public/tcpdump/icmpv6-RFC2894-RR.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6-routing-header.pcap"),
		testutil.Shared(t, "public/tcpdump/ipv6_jumbogram_1.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp6-ping.pcap"),
		testutil.Shared(t, "public/zeek/traces/icmp/icmp6-router-advert.pcap"),
		testutil.Shared(t, "public/zeek/traces/linux_dlt_sll2.pcap"),
		testutil.Shared(t, "public/suricata-verify/ipv6-evasion/ipv6-dos-with-ext-headers-6/denial6-6.pcap"),
	)
}

func FuzzICMPv6(f *testing.F) { fuzzLayer(f, layers.LayerTypeICMPv6) }

// Neighbour discovery options (RFC 4861 4.6) are compared as
// type;length in bytes;content, where content is what both sides show of
// the option: the link-layer address (source/target link-layer address),
// prefix length, flags, valid and preferred lifetimes and prefix (prefix
// information), the MTU, the nonce (RFC 3971); empty for other options.

// ndpOptionFields are the tshark fields ndpOptionsTshark reads.
var ndpOptionFields = []string{"icmpv6.opt.type", "icmpv6.opt.length", "icmpv6.opt.linkaddr",
	"icmpv6.opt.prefix.length", "icmpv6.opt.prefix.flag", "icmpv6.opt.prefix.valid_lifetime",
	"icmpv6.opt.prefix.preferred_lifetime", "icmpv6.opt.prefix", "icmpv6.opt.mtu", "icmpv6.opt.nonce"}

// ndpOptionsOurs renders a record's options.
func ndpOptionsOurs(opts []*types.ICMPv6Option) string {
	out := make([]string, len(opts))
	for i, o := range opts {
		d := o.Data
		var content string
		switch o.Type {
		case 1, 2, 14:
			content = hex.EncodeToString(d)
		case 3:
			if len(d) >= 30 {
				content = fmt.Sprintf("%d/%d/%d/%d/%s", d[0], d[1], binary.BigEndian.Uint32(d[2:6]),
					binary.BigEndian.Uint32(d[6:10]), net.IP(d[14:30]))
			}
		case 5:
			if len(d) >= 6 {
				content = strconv.FormatUint(uint64(binary.BigEndian.Uint32(d[2:6])), 10)
			}
		}
		out[i] = fmt.Sprintf("%d;%d;%s", o.Type, len(d)+2, content)
	}
	return strings.Join(out, "|")
}

// ndpOptionsTshark renders the options tshark shows in a frame whose
// first ICMPv6 message is the neighbour discovery message.
func ndpOptionsTshark(f tsharktest.Frame) string {
	var out []string
	next := map[string]int{} // next value of each per-option field
	take := func(field string) string {
		v := f.At(field, next[field])
		next[field]++
		return tsharktest.Normalize(strings.ReplaceAll(v, ":", ""))
	}
	for i, typ := range f.All("icmpv6.opt.type") {
		n, err := strconv.Atoi(f.At("icmpv6.opt.length", i))
		if err != nil {
			return "bad option length " + f.At("icmpv6.opt.length", i)
		}
		var content string
		switch typ {
		case "1", "2":
			content = take("icmpv6.opt.linkaddr")
		case "3":
			content = take("icmpv6.opt.prefix.length") + "/" + take("icmpv6.opt.prefix.flag") + "/" +
				take("icmpv6.opt.prefix.valid_lifetime") + "/" + take("icmpv6.opt.prefix.preferred_lifetime") + "/" +
				f.At("icmpv6.opt.prefix", next["icmpv6.opt.prefix"])
			next["icmpv6.opt.prefix"]++
		case "5":
			content = take("icmpv6.opt.mtu")
		case "14":
			content = take("icmpv6.opt.nonce")
		}
		out = append(out, fmt.Sprintf("%s;%d;%s", typ, n*8, content))
	}
	return strings.Join(out, "|")
}

// ndpCase is a case for a neighbour discovery record type: the frames
// whose first, decoded ICMPv6 message has type typ yield one record with
// the values of rest (the message's own fields, in the order of ours) and
// its options; ours ends with SrcIP, DstIP, Options.
func ndpCase(typ, icmpType string, ours []string, tshark []string, rest func(f tsharktest.Frame) []string,
	oursRow func(m proto.Message) []string) tsharktest.Case {
	return tsharktest.Case{
		Type:    typ,
		Filter:  "icmpv6",
		Read:    append(append(append([]string{"icmpv6.type"}, icmpv6Fields...), ndpOptionFields...), tshark...),
		Columns: append(ours, "SrcIP", "DstIP", "Options"),
		OursRow: oursRow,
		FrameRows: func(f tsharktest.Frame) [][]string {
			if !icmpv6Decoded(f) || f.At("icmpv6.type", 0) != icmpType {
				return nil
			}
			src, dst := f.Addrs()
			return [][]string{append(rest(f), src, dst, ndpOptionsTshark(f))}
		},
	}
}
