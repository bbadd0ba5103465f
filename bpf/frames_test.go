package bpf

import (
	"encoding/binary"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Frames built for the tests, with gopacket's serializers.

var (
	macA = net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}
	macB = net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}
	ipA  = net.IP{192, 168, 1, 10}
	ipB  = net.IP{10, 1, 2, 3}
	ip6A = net.ParseIP("2001:db8::a")
	ip6B = net.ParseIP("fe80::b")
)

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func ipv4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: ipA, DstIP: ipB}
}

func ipv6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: ip6A, DstIP: ip6B}
}

func tcpSeg(src, dst layers.TCPPort, syn bool, net gopacket.NetworkLayer) *layers.TCP {
	tcp := &layers.TCP{SrcPort: src, DstPort: dst, SYN: syn, ACK: !syn, Window: 1000}
	_ = tcp.SetNetworkLayerForChecksum(net)
	return tcp
}

func udpDgram(src, dst layers.UDPPort, net gopacket.NetworkLayer) *layers.UDP {
	udp := &layers.UDP{SrcPort: src, DstPort: dst}
	_ = udp.SetNetworkLayerForChecksum(net)
	return udp
}

// ipv4Payload returns the IPv4 packet (no link header) of a TCP or UDP
// segment.
func ipv4TCP(t testing.TB, src, dst layers.TCPPort, syn bool) []byte {
	ip := ipv4(layers.IPProtocolTCP)
	return serialize(t, ip, tcpSeg(src, dst, syn, ip), gopacket.Payload("hello"))
}

func ipv4UDP(t testing.TB, src, dst layers.UDPPort) []byte {
	ip := ipv4(layers.IPProtocolUDP)
	return serialize(t, ip, udpDgram(src, dst, ip), gopacket.Payload("hello"))
}

func ipv6UDP(t testing.TB, src, dst layers.UDPPort) []byte {
	ip := ipv6(layers.IPProtocolUDP)
	return serialize(t, ip, udpDgram(src, dst, ip), gopacket.Payload("hello"))
}

func ipv6TCP(t testing.TB, src, dst layers.TCPPort) []byte {
	ip := ipv6(layers.IPProtocolTCP)
	return serialize(t, ip, tcpSeg(src, dst, true, ip), gopacket.Payload("hello"))
}

// withOptions inserts 4 bytes of IPv4 options (a router alert) into an
// IPv4 packet.
func withOptions(p []byte) []byte {
	ihl := int(p[0]&0xf) * 4
	out := append(append(append([]byte(nil), p[:ihl]...), 0x94, 0x04, 0x00, 0x00), p[ihl:]...)
	out[0] = 0x40 | byte(ihl/4+1)
	binary.BigEndian.PutUint16(out[2:], uint16(len(out)))
	return out
}

// fragment sets the fragment offset (in 8-byte units) of an IPv4 packet.
func fragment(p []byte, off uint16, more bool) []byte {
	out := append([]byte(nil), p...)
	v := off & 0x1fff
	if more {
		v |= 0x2000
	}
	binary.BigEndian.PutUint16(out[6:], v)
	return out
}

// ipv6Frag puts a fragment header between an IPv6 header and its payload.
func ipv6Frag(p []byte) []byte {
	next := p[6]
	out := append([]byte(nil), p[:40]...)
	out[6] = ipv6FragmentHeader
	out = append(out, next, 0, 0, 0, 0, 0, 0, 1)
	out = append(out, p[40:]...)
	binary.BigEndian.PutUint16(out[4:], uint16(len(out)-40))
	return out
}

func etherFrame(typ uint16, payload []byte) []byte {
	f := append(append(append([]byte(nil), macB...), macA...), byte(typ>>8), byte(typ))
	return append(f, payload...)
}

// tagged wraps an Ethernet frame in an 802.1Q (or other TPID) tag.
func tagged(f []byte, tpid uint16, vid uint16) []byte {
	out := append([]byte(nil), f[:12]...)
	out = append(out, byte(tpid>>8), byte(tpid), byte(vid>>8), byte(vid))
	return append(out, f[12:]...)
}

// untag takes the outer tag out of a frame, as the Linux kernel does before
// socket filters run, returning its TCI.
func untag(f []byte) ([]byte, uint32) {
	tci := uint32(binary.BigEndian.Uint16(f[14:]))
	out := append(append([]byte(nil), f[:12]...), f[16:]...)
	return out, tci
}

func sll(proto uint16, payload []byte) []byte {
	h := make([]byte, 16)
	binary.BigEndian.PutUint16(h[0:], 0) // to us
	binary.BigEndian.PutUint16(h[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(h[4:], 6)
	copy(h[6:], macA)
	binary.BigEndian.PutUint16(h[14:], proto)
	return append(h, payload...)
}

func sll2(proto uint16, pktType byte, payload []byte) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:], proto)
	binary.BigEndian.PutUint32(h[4:], 1) // interface index
	binary.BigEndian.PutUint16(h[8:], 1) // ARPHRD_ETHER
	h[10] = pktType
	h[11] = 6
	copy(h[12:], macA)
	return append(h, payload...)
}

func null(family uint32, bigEndian bool, payload []byte) []byte {
	h := make([]byte, 4)
	if bigEndian {
		binary.BigEndian.PutUint32(h, family)
	} else {
		binary.LittleEndian.PutUint32(h, family)
	}
	return append(h, payload...)
}

func arpPacket(t testing.TB) []byte {
	return serialize(t, &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: layers.ARPRequest,
		SourceHwAddress: macA, SourceProtAddress: ipA.To4(),
		DstHwAddress: make([]byte, 6), DstProtAddress: ipB.To4(),
	})
}

func gopacketPayload(b []byte) gopacket.Payload { return gopacket.Payload(b) }
