package flow

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // the Community ID spec defines the hash as SHA-1
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
)

// IP protocol numbers the Community ID treats specially.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
	protoSCTP   = 132
)

// Tuple is what a Community ID is computed from: the addresses, the IP
// protocol and, for TCP, UDP and SCTP, the ports. For ICMP and ICMPv6 the
// ports are the message type and code (see ICMPPorts).
type Tuple struct {
	Src, Dst         netip.Addr
	Proto            uint8
	SrcPort, DstPort uint16
}

// CommunityID computes Corelight's Community ID v1 flow hash, so that our
// records join with Zeek's and Suricata's on one string. The zero value
// uses seed 0 and base64, the defaults of the spec.
type CommunityID struct {
	Seed uint16
	// Hex writes the SHA-1 as hex digits instead of base64 (the spec's
	// "no base64" variant).
	Hex bool
}

// Compute returns "1:<hash>" for t, or "" when t's addresses are not of one
// family.
func (c CommunityID) Compute(t Tuple) string {
	var buf [2 + 16 + 16 + 2 + 4]byte
	return c.format(c.sum(buf[:0], t))
}

func (c CommunityID) sum(b []byte, t Tuple) []byte {
	if !t.Src.IsValid() || !t.Dst.IsValid() || t.Src.Is4() != t.Dst.Is4() {
		return nil
	}
	src, dst := t.Src.AsSlice(), t.Dst.AsSlice()
	sport, dport := t.SrcPort, t.DstPort
	hasPorts := true
	oneWay := false
	switch t.Proto {
	case protoTCP, protoUDP, protoSCTP:
	case protoICMP:
		sport, dport, oneWay = ICMPPorts(false, uint8(t.SrcPort), uint8(t.DstPort))
	case protoICMPv6:
		sport, dport, oneWay = ICMPPorts(true, uint8(t.SrcPort), uint8(t.DstPort))
	default:
		hasPorts = false
	}
	// The spec orders the endpoints so both directions hash alike; one-way
	// ICMP messages keep their order.
	if !oneWay {
		cmp := bytes.Compare(src, dst)
		if cmp > 0 || (cmp == 0 && hasPorts && sport > dport) {
			src, dst = dst, src
			sport, dport = dport, sport
		}
	}
	b = binary.BigEndian.AppendUint16(b, c.Seed)
	b = append(b, src...)
	b = append(b, dst...)
	b = append(b, t.Proto, 0)
	if hasPorts {
		b = binary.BigEndian.AppendUint16(b, sport)
		b = binary.BigEndian.AppendUint16(b, dport)
	}
	return b
}

func (c CommunityID) format(in []byte) string {
	if in == nil {
		return ""
	}
	h := sha1.Sum(in) //nolint:gosec // see import
	var out [2 + 40]byte
	copy(out[:], "1:")
	if c.Hex {
		hex.Encode(out[2:], h[:])
		return string(out[:2+hex.EncodedLen(len(h))])
	}
	base64.StdEncoding.Encode(out[2:], h[:])
	return string(out[:2+base64.StdEncoding.EncodedLen(len(h))])
}

// icmpPairs maps ICMP request and reply types onto each other; icmp6Pairs
// does the same for ICMPv6 (spec, "ICMP" and "ICMPv6").
var icmpPairs = map[uint8]uint8{
	8: 0, 0: 8, // echo
	13: 14, 14: 13, // timestamp
	15: 16, 16: 15, // information
	10: 9, 9: 10, // router solicitation / advertisement
	17: 18, 18: 17, // address mask
}

var icmp6Pairs = map[uint8]uint8{
	128: 129, 129: 128, // echo
	133: 134, 134: 133, // router solicitation / advertisement
	135: 136, 136: 135, // neighbor solicitation / advertisement
	130: 131, 131: 130, // multicast listener query / report
	144: 145, 145: 144, // home agent address discovery
	146: 147, 147: 146, // mobile prefix solicitation / advertisement
	139: 140, 140: 139, // node information query / response
}

// ICMPPorts returns the "ports" the Community ID and the flow table use for
// an ICMP message: the type, and the type of its counterpart when the
// message has one (request and reply fall into one flow); otherwise the
// code, and oneWay is true.
func ICMPPorts(v6 bool, typ, code uint8) (sport, dport uint16, oneWay bool) {
	pairs := icmpPairs
	if v6 {
		pairs = icmp6Pairs
	}
	if other, ok := pairs[typ]; ok {
		return uint16(typ), uint16(other), false
	}
	return uint16(typ), uint16(code), true
}
