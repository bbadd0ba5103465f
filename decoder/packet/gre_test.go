package packet_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// greNoCMD makes tshark stop at Cisco MetaData (GRE protocol 0x8909), as
// gopacket does: it has no decoder for it, so the GRE header inside (in
// tcpdump's various_gre.pcap) yields no record.
var greNoCMD = []string{"--disable-protocol", "cmd"}

// greCase compares the GRE header fields that tshark writes one to one.
// tshark leaves out the optional fields the flags say are absent (the
// record has 0) and the acknowledgment flag of version 0 headers, where
// the bit is reserved (gopacket's AckPresent is false there).
var greCase = tsharktest.Case{
	Type:   "GRE",
	Filter: "gre",
	Fields: []tsharktest.Field{
		{Ours: "ChecksumPresent", Tshark: "gre.flags.checksum"},
		{Ours: "RoutingPresent", Tshark: "gre.flags.routing"},
		{Ours: "KeyPresent", Tshark: "gre.flags.key"},
		{Ours: "SeqPresent", Tshark: "gre.flags.sequence_number"},
		{Ours: "StrictSourceRoute", Tshark: "gre.flags.strict_source_route"},
		{Ours: "RecursionControl", Tshark: "gre.flags.recursion_control"},
		{Ours: "AckPresent", Tshark: "gre.flags.ack", Conv: zeroWhenAbsent},
		{Ours: "Version", Tshark: "gre.flags.version"},
		{Ours: "Protocol", Tshark: "gre.proto"},
		{Ours: "Checksum", Tshark: "gre.checksum", Conv: zeroWhenAbsent},
		{Ours: "Offset", Tshark: "gre.offset", Conv: zeroWhenAbsent},
		{Ours: "Seq", Tshark: "gre.sequence_number", Conv: zeroWhenAbsent},
		{Ours: "Ack", Tshark: "gre.ack_number", Conv: zeroWhenAbsent},
	},
	Args: greNoCMD,
}

// greKeyFlagsCase checks Key and Flags, which tshark splits differently:
//   - Key: the key of version 0; version 1 (enhanced GRE, PPTP) has payload
//     length and call ID in its place, which tshark writes as two fields
//     and gopacket reads as one 32-bit key (length<<16 | call ID);
//   - Flags: gopacket's 5 bits after the recursion control; tshark calls
//     them reserved in version 0, and in version 1 their first bit is the
//     acknowledgment flag and the other 4 are reserved.
var greKeyFlagsCase = tsharktest.Case{
	Type:    "GRE",
	Filter:  "gre",
	Columns: []string{"Version", "Key", "Flags"},
	Read:    []string{"gre.flags.version", "gre.key", "gre.key.payload_length", "gre.key.call_id", "gre.flags.reserved", "gre.flags.ack"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		vers := f.All("gre.flags.version")
		keys, lens, calls := f.All("gre.key"), f.All("gre.key.payload_length"), f.All("gre.key.call_id")
		reserved, acks := f.All("gre.flags.reserved"), f.All("gre.flags.ack")
		var out [][]string
		for i, v := range vers {
			key, flags := "0", "?"
			switch {
			case v == "1" && len(lens) == 1 && len(calls) == 1 && len(vers) == 1:
				key = strconv.FormatUint(greUint(lens[0])<<16|greUint(calls[0]), 10)
			case v == "0" && len(keys) == len(vers):
				key = keys[i]
			case v == "0" && len(keys) == 0:
			default:
				key = "cannot align " + strings.Join(keys, "|")
			}
			if i < len(reserved) {
				n := greUint(reserved[i])
				if v == "1" && len(acks) == 1 && len(vers) == 1 && tsharktest.Normalize(acks[0]) == "1" {
					n |= 0x10
				}
				flags = strconv.FormatUint(n, 10)
			}
			out = append(out, []string{v, key, flags})
		}
		return out
	},
	Args: greNoCMD,
}

// greRoutingCase checks the source route entries (RFC 1701), rendered as
// the record's nested (AddressFamily;SREOffset;SRELength;Information;Next).
// gopacket ends the list at the null entry (address family 0, length 0)
// and leaves it out; tshark shows it as an entry of its own.
var greRoutingCase = tsharktest.Case{
	Type:    "GRE",
	Filter:  "gre",
	Columns: []string{"Routing"},
	Read:    []string{"gre.flags.version", "gre.routing.address_family", "gre.routing.sre_offset", "gre.routing.src_length", "gre.routing.information"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		n := len(f.All("gre.flags.version"))
		af, off, ln := f.All("gre.routing.address_family"), f.All("gre.routing.sre_offset"), f.All("gre.routing.src_length")
		info := f.All("gre.routing.information")
		if len(af) == 0 { // no routing in any GRE header
			out := make([][]string, n)
			for i := range out {
				out[i] = []string{""}
			}
			return out
		}
		if n != 1 || len(off) != len(af) || len(ln) != len(af) {
			return [][]string{{fmt.Sprint("cannot align ", f)}}
		}
		type sre struct{ af, off, ln, info string }
		var entries []sre
		for i := range af {
			e := sre{af: tsharktest.Normalize(af[i]), off: off[i], ln: ln[i]}
			if e.af == "0" && e.ln == "0" {
				break
			}
			if e.ln != "0" {
				if len(info) == 0 {
					return [][]string{{fmt.Sprint("cannot align ", f)}}
				}
				e.info, info = info[0], info[1:]
			}
			entries = append(entries, e)
		}
		next := ""
		for i := len(entries) - 1; i >= 0; i-- {
			e := entries[i]
			next = "(" + strings.Join([]string{e.af, e.off, e.ln, e.info, next}, ";") + ")"
		}
		return [][]string{{next}}
	},
	Args: greNoCMD,
}

func greUint(v string) uint64 {
	n, err := strconv.ParseUint(tsharktest.Normalize(v), 10, 32)
	if err != nil {
		return 1 << 40 // shows as a mismatch
	}
	return n
}

// grePublic are captures with GRE: plain IP in GRE, keys, GRE in GRE
// behind Cisco MetaData, NHRP, ERSPAN type I and II (sequence numbers),
// PPTP (enhanced GRE, version 1), and enhanced GRE with acknowledgments
// over IPv6 carrying PPP and IPv4.
var grePublic = []string{
	"public/arkime/gre-sample.pcap",
	"public/tcpdump/various_gre.pcap",
	"public/tcpdump/nhrp.pcapng",
	"public/arkime/gre-erspan.pcap",
	"public/arkime/gre-erspan-vxlan.pcap",
	"public/tcpdump/erspan-type-ii-2.pcap",
	"public/zeek/traces/erspanII.pcap",
	"public/suricata-verify/decode-erspan-typeI-02/input.pcap",
	"public/tcpdump/pptp.pcap",
	"public/ndpi/gre.pcapng",
	"public/arkime/6-4-gre-ppp-udp-4-dns.pcap",
}

func TestGREAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, grePublic...)
	compare(t, greCase, pcaps...)
	compare(t, greKeyFlagsCase, pcaps...)
	compare(t, greRoutingCase, pcaps...)
	compareContextAddrs(t, "GRE", "gre", pcaps...)
}

func FuzzGRE(f *testing.F) { fuzzLayer(f, layers.LayerTypeGRE, greSamples(f)...) }

// greSamples are GRE headers with what the public captures lack, each
// followed by an IPv4 packet (or PPP with IPv4): the checksum and routing
// fields (RFC 1701, with source route entries), the strict source route
// flag and recursion control, reserved flag bits (including the
// acknowledgment bit of version 0, reserved there), keys and sequence
// numbers above 2^31, enhanced GRE with an acknowledgment only. The last
// one goes over IPv6 in the synthetic capture.
func greSamples(tb testing.TB) [][]byte {
	inner := innerFrame(tb)[14:]
	ipv4 := be16(0x0800)
	return [][]byte{
		// C, R, K, S, s, recursion 3: checksum, offset, key, sequence, two
		// source route entries and the null entry ending them.
		slices.Concat([]byte{0xf8 | 3, 0}, ipv4, be16(0xbeef), be16(4), be32(0xdeadbeef), be32(0x80000001),
			be16(0x0800), []byte{0, 8}, be32(0xc0000201), be32(0xc0000202),
			be16(0x0800), []byte{4, 4}, be32(0xc0000203),
			be16(0), []byte{0, 0}, inner),
		// C only: checksum and the reserved offset field.
		slices.Concat([]byte{0x80, 0}, ipv4, be16(0x1234), be16(0), inner),
		// K, s without R, recursion 7, all of the second byte's flag bits
		// set in version 0.
		slices.Concat([]byte{0x28 | 7, 0xf8}, ipv4, be32(0xffffffff), inner),
		// Version 1 with K and A: payload length 0 and call ID, acknowledgment.
		slices.Concat([]byte{0x20, 0x81}, be16(0x880b), be16(0), be16(0xfffe), be32(0x87654321)),
		// Version 1 with K, S and A, carrying PPP (IPv4).
		slices.Concat([]byte{0x30, 0x81}, be16(0x880b), be16(uint16(len(inner)+2)), be16(7), be32(1), be32(0xffffffff),
			[]byte{0x00, 0x21}, inner),
		// A key (over IPv6).
		slices.Concat([]byte{0x20, 0}, ipv4, be32(42), inner),
	}
}

func TestGREAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	samples := greSamples(t)
	for _, g := range samples[:len(samples)-1] {
		frames = append(frames, overIPv4(t, layers.IPProtocolGRE, g))
	}
	frames = append(frames, overIPv6(t, layers.IPProtocolGRE, samples[len(samples)-1]))
	pcap := writePcap(t, layers.LinkTypeEthernet, frames...)
	compare(t, greCase, pcap)
	compare(t, greKeyFlagsCase, pcap)
	compare(t, greRoutingCase, pcap)
	compareContextAddrs(t, "GRE", "gre", pcap)
}
