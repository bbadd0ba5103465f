package flow

import (
	"encoding/binary"
	"net"
	"net/netip"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder/packet"
)

// TupleOf returns the tuple of a packet's innermost flow: the innermost IP
// header with the TCP, UDP, SCTP or ICMP header it carries, or, for other
// IP protocols, the addresses and the protocol number (tunnels count as
// the connection they carry, as in Zeek's conn.log). ok is false for
// packets without IP, and for IP fragments whose datagram was not
// reassembled (their ports are unknown; the reassembled datagram is
// accounted on its last fragment, as tshark does).
func TupleOf(p *packet.Packet) (t Tuple, ok bool) {
	var src, dst net.IP
	var proto uint8
	var fragment bool
	var payload []byte
	switch ip := p.Net.(type) {
	case *layers.IPv4:
		src, dst, proto = ip.SrcIP, ip.DstIP, uint8(ip.Protocol)
		fragment = ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0
	case *layers.IPv6:
		src, dst, proto = ip.SrcIP, ip.DstIP, uint8(ip.NextHeader)
		payload = ip.Payload
		if ip.HopByHop != nil {
			proto = uint8(ip.HopByHop.NextHeader)
		}
	default:
		return t, false
	}
	if t.Src, ok = Addr(src); !ok {
		return t, false
	}
	if t.Dst, ok = Addr(dst); !ok {
		return t, false
	}
	switch {
	case p.TCP != nil && p.TCPNet == p.Net:
		t.Proto, t.SrcPort, t.DstPort = protoTCP, uint16(p.TCP.SrcPort), uint16(p.TCP.DstPort)
	case p.UDP != nil && p.UDPNet == p.Net:
		t.Proto, t.SrcPort, t.DstPort = protoUDP, uint16(p.UDP.SrcPort), uint16(p.UDP.DstPort)
	case p.SCTP != nil:
		t.Proto, t.SrcPort, t.DstPort = protoSCTP, uint16(p.SCTP.SrcPort), uint16(p.SCTP.DstPort)
	case p.ICMPv4 != nil && t.Src.Is4():
		t.Proto = protoICMP
		t.SrcPort, t.DstPort = uint16(p.ICMPv4.TypeCode.Type()), uint16(p.ICMPv4.TypeCode.Code())
	case p.ICMPv6 != nil && t.Src.Is6():
		t.Proto = protoICMPv6
		t.SrcPort, t.DstPort = uint16(p.ICMPv6.TypeCode.Type()), uint16(p.ICMPv6.TypeCode.Code())
	default:
		if p.Net.LayerType() == layers.LayerTypeIPv6 {
			var frag bool
			proto, frag = ipv6Upper(proto, payload)
			fragment = fragment || frag
		}
		switch proto {
		case protoTCP, protoUDP, protoSCTP, protoICMP, protoICMPv6:
			// The header was not decoded (a fragment, or cut short): its
			// ports are unknown, so the packet joins no flow.
			return t, false
		}
		if fragment {
			return t, false
		}
		t.Proto = proto
	}
	return t, true
}

// ipv6Upper follows IPv6 extension headers (those gopacket leaves in the
// payload) to the upper-layer protocol; frag reports a fragment header.
func ipv6Upper(next uint8, b []byte) (proto uint8, frag bool) {
	for range 16 {
		switch next {
		case 0, 43, 60, 135: // hop-by-hop, routing, destination, mobility
			if len(b) < 2 {
				return next, frag
			}
			n := (int(b[1]) + 1) * 8
			if n > len(b) {
				return next, frag
			}
			next, b = b[0], b[n:]
		case 51: // authentication header
			if len(b) < 2 {
				return next, frag
			}
			n := (int(b[1]) + 2) * 4
			if n > len(b) {
				return next, frag
			}
			next, b = b[0], b[n:]
		case 44: // fragment
			if len(b) < 8 {
				return next, true
			}
			frag = frag || binary.BigEndian.Uint16(b[2:4])&0xfff9 != 0
			next, b = b[0], b[8:]
		default:
			return next, frag
		}
	}
	return next, frag
}

// Addr converts an address from a decoded IP header: 4 bytes are IPv4, 16
// bytes IPv6 (an IPv4-mapped address in an IPv6 header stays IPv6, so flows,
// streams and Community IDs all see the header's family).
func Addr(ip net.IP) (netip.Addr, bool) {
	if v4 := ip.To4(); v4 != nil && len(ip) == 4 {
		return netip.AddrFrom4([4]byte(v4)), true
	}
	a, ok := netip.AddrFromSlice(ip)
	return a, ok
}
