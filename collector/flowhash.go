package collector

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// flowHash returns a hash of a frame's flow that is the same in both
// directions, so the dispatcher pins a flow (both sides of a TCP
// connection) to one worker. It reads just enough of the headers, without
// gopacket: link layer, VLAN tags, IPv4/IPv6 addresses and, for packets that
// are not fragments, TCP/UDP/SCTP ports. IP fragments hash on addresses and
// protocol only, so all fragments of a datagram reach the same worker.
// Frames without IP hash on their MAC addresses.
func flowHash(data []byte, lt layers.LinkType) uint64 { return frameHash(data, lt, 0) }

// maxTunnelDepth bounds how many tunnel headers the hash looks through.
const maxTunnelDepth = 3

func frameHash(data []byte, lt layers.LinkType, depth int) uint64 {
	off, ok := ipOffset(data, lt)
	if !ok {
		return slowFlowHash(data, lt)
	}
	return ipHash(data[off:], depth)
}

func ipHash(ip []byte, depth int) uint64 {
	if len(ip) == 0 {
		return 0
	}
	switch ip[0] >> 4 {
	case 4:
		return ipv4Hash(ip, depth)
	case 6:
		return ipv6Hash(ip, depth)
	}
	return hashBytes(ip[:min(len(ip), 40)])
}

// slowFlowHash hashes frames the fast path cannot read down to IP (802.11,
// PPPoE, PPP and other link types) with gopacket: the first network and
// transport flows, both symmetric. Frames without IP hash on their
// Ethernet addresses, or their link type.
func slowFlowHash(data []byte, lt layers.LinkType) uint64 {
	pkt := gopacket.NewPacket(data, lt, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	if nl := pkt.NetworkLayer(); nl != nil {
		h := mix(nl.NetworkFlow().FastHash())
		if tl := pkt.TransportLayer(); tl != nil {
			h = mix(h ^ tl.TransportFlow().FastHash())
		}
		return h
	}
	if ll := pkt.LinkLayer(); ll != nil {
		return mix(ll.LinkFlow().FastHash())
	}
	return uint64(lt)
}

// ipOffset returns where the IP header of a frame starts: after the link
// header and up to four VLAN tags. ok is false for frames that carry no IP
// directly (ARP, LLC, other link types).
func ipOffset(data []byte, lt layers.LinkType) (int, bool) {
	off := 0
	switch lt {
	case layers.LinkTypeEthernet:
		if len(data) < 14 {
			return 0, false
		}
		etherType := binary.BigEndian.Uint16(data[12:14])
		off = 14
		for i := 0; i < 4 && (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100); i++ {
			if len(data) < off+4 {
				return 0, false
			}
			etherType = binary.BigEndian.Uint16(data[off+2 : off+4])
			off += 4
		}
		if etherType == 0x8847 || etherType == 0x8848 {
			// MPLS: skip the label stack; IP follows the bottom label
			// (one direction of a connection may be labelled and the
			// other not: both must hash alike).
			for i := 0; ; i++ {
				if i == 16 || len(data) < off+4 {
					return 0, false
				}
				bottom := data[off+2]&1 != 0
				off += 4
				if bottom {
					break
				}
			}
			etherType = 0x0800 // checked by the version nibble below
		}
		if etherType != 0x0800 && etherType != 0x86dd {
			return 0, false
		}
	case layers.LinkTypeLinuxSLL:
		off = 16
	case layers.LinkTypeLinuxSLL2:
		off = 20
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		off = 4
	case layers.LinkTypeRaw, 12, 14, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
	default:
		return 0, false
	}
	if len(data) <= off {
		return 0, false
	}
	if v := data[off] >> 4; v != 4 && v != 6 {
		return 0, false
	}
	return off, true
}

func ipv4Hash(ip []byte, depth int) uint64 {
	if len(ip) < 20 {
		return hashBytes(ip)
	}
	ihl := int(ip[0]&0x0f) * 4
	proto := ip[9]
	h := symmetric(ip[12:16], ip[16:20], uint64(proto))
	fragment := binary.BigEndian.Uint16(ip[6:8])&0x3fff != 0 // MF or offset
	if fragment || ihl < 20 || len(ip) < ihl+4 {
		return h
	}
	return withPorts(h, proto, ip[ihl:], depth)
}

func ipv6Hash(ip []byte, depth int) uint64 {
	if len(ip) < 40 {
		return hashBytes(ip)
	}
	next := ip[6]
	rest := ip[40:]
	// Skip extension headers: hop-by-hop, routing, destination options; a
	// fragment header means no ports.
exthdrs:
	for i := 0; i < 8; i++ {
		switch next {
		case 0, 43, 60:
			if len(rest) < 8 {
				return symmetric(ip[8:24], ip[24:40], uint64(next))
			}
			l := (int(rest[1]) + 1) * 8
			if len(rest) < l {
				return symmetric(ip[8:24], ip[24:40], uint64(next))
			}
			next, rest = rest[0], rest[l:]
			continue
		case 44:
			if len(rest) < 8 {
				return symmetric(ip[8:24], ip[24:40], 44)
			}
			return symmetric(ip[8:24], ip[24:40], uint64(rest[0]))
		}
		break exthdrs
	}
	h := symmetric(ip[8:24], ip[24:40], uint64(next))
	return withPorts(h, next, rest, depth)
}

// withPorts adds the ports to an address hash. For tunnels (IP in IP,
// GRE, VXLAN, Geneve) it returns the hash of the tunnelled packet instead:
// the two directions of a tunnelled connection may travel with different
// outer headers (a VXLAN source port is chosen per direction), and the
// worker must see both.
func withPorts(h uint64, proto byte, l4 []byte, depth int) uint64 {
	if depth < maxTunnelDepth {
		if inner, ok := tunnelHash(proto, l4, depth+1); ok {
			return inner
		}
	}
	switch proto {
	case 6, 17, 132, 136: // TCP, UDP, SCTP, UDP-Lite
		if len(l4) < 4 {
			return h
		}
		a, b := uint64(binary.BigEndian.Uint16(l4[0:2])), uint64(binary.BigEndian.Uint16(l4[2:4]))
		if a > b {
			a, b = b, a
		}
		return mix(h ^ mix(a<<16|b))
	}
	return h
}

// tunnelHash hashes the packet inside a tunnel header, if l4 is one.
func tunnelHash(proto byte, l4 []byte, depth int) (uint64, bool) {
	switch proto {
	case 4, 41: // IPv4 or IPv6 in IP
		if len(l4) == 0 {
			return 0, false
		}
		return ipHash(l4, depth), true
	case 47: // GRE
		if len(l4) < 4 {
			return 0, false
		}
		flags := binary.BigEndian.Uint16(l4[0:2])
		off := 4
		for _, bit := range []uint16{0x8000, 0x2000, 0x1000} { // checksum, key, sequence
			if flags&bit != 0 {
				off += 4
			}
		}
		if flags&0x4000 != 0 || flags&7 != 0 { // routing, or not version 0
			return 0, false
		}
		switch binary.BigEndian.Uint16(l4[2:4]) {
		case 0x0800, 0x86dd:
			if len(l4) > off {
				return ipHash(l4[off:], depth), true
			}
		case 0x6558: // transparent Ethernet bridging
			return frameHash(l4[off:], layers.LinkTypeEthernet, depth), len(l4) > off
		case 0x88be: // ERSPAN type II: 8 more bytes, then Ethernet
			return frameHash(l4[min(len(l4), off+8):], layers.LinkTypeEthernet, depth), len(l4) > off+8
		}
	case 17: // UDP: VXLAN (4789), Geneve (6081)
		if len(l4) < 16 {
			return 0, false
		}
		sport, dport := binary.BigEndian.Uint16(l4[0:2]), binary.BigEndian.Uint16(l4[2:4])
		payload := l4[8:]
		switch {
		case dport == 4789 || sport == 4789:
			return frameHash(payload[8:], layers.LinkTypeEthernet, depth), true
		case dport == 6081 || sport == 6081:
			optLen := int(payload[0]&0x3f) * 4
			if len(payload) < 8+optLen {
				return 0, false
			}
			inner := payload[8+optLen:]
			switch binary.BigEndian.Uint16(payload[2:4]) {
			case 0x6558:
				return frameHash(inner, layers.LinkTypeEthernet, depth), true
			case 0x0800, 0x86dd:
				return ipHash(inner, depth), true
			}
		}
	}
	return 0, false
}

// datagramHash is the flow hash of a reassembled datagram: addresses of its
// IP header, protocol and the ports in its payload, as flowHash computes
// for an unfragmented packet.
func datagramHash(src, dst []byte, proto byte, payload []byte) uint64 {
	return withPorts(symmetric(src, dst, uint64(proto)), proto, payload, 0)
}

// symmetric hashes two addresses so that (a, b) and (b, a) collide.
func symmetric(a, b []byte, extra uint64) uint64 {
	ha, hb := hashBytes(a), hashBytes(b)
	if ha > hb {
		ha, hb = hb, ha
	}
	return mix(ha ^ mix(hb+0x9e3779b97f4a7c15) ^ mix(extra+1))
}

// hashBytes is FNV-1a.
func hashBytes(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// mix is the splitmix64 finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
