package packet_test

// Synthetic captures: frames built here for header values the public
// captures lack (flags, options, large numbers, IPv6, link types), written
// to a pcap file that tshark and our pipeline both read. The expected values
// still come from tshark.

import (
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// writePcap writes frames of link type link to a classic pcap file
// (little-endian, microsecond timestamps, frame i at 1700000000+i seconds
// and i milliseconds) in the test's temporary directory and returns its
// path. NETCAP_SYNTHETIC_DIR keeps the capture there instead, to look at
// with tshark.
func writePcap(t testing.TB, link layers.LinkType, frames ...[]byte) string {
	t.Helper()
	// pcap file header: magic, version 2.4, zone, sigfigs, snaplen, link
	// type.
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, uint32(link))
	for i, f := range frames {
		b = le.AppendUint32(b, uint32(1700000000+i)) // seconds
		b = le.AppendUint32(b, uint32(i*1000))       // microseconds
		b = le.AppendUint32(b, uint32(len(f)))       // captured
		b = le.AppendUint32(b, uint32(len(f)))       // on the wire
		b = append(b, f...)
	}
	name := strings.ReplaceAll(strings.ToLower(link.String()), " ", "-") + ".pcap"
	path := filepath.Join(t.TempDir(), name)
	if d := os.Getenv("NETCAP_SYNTHETIC_DIR"); d != "" {
		path = filepath.Join(d, strings.ReplaceAll(t.Name(), "/", "_")+"-"+name)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Byte builders.

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// internetChecksum is the Internet checksum (RFC 1071) of b.
func internetChecksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// withChecksum sets the checksum at bytes 2-3 of an ICMP or IGMP message.
func withChecksum(msg []byte) []byte {
	msg[2], msg[3] = 0, 0
	binary.BigEndian.PutUint16(msg[2:], internetChecksum(msg))
	return msg
}

// Frames serialized by gopacket.

// serializeFrame serializes layers, fixing lengths and checksums; transport
// layers get their checksum pseudo-header from the IP layer before them.
func serializeFrame(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	var nl gopacket.NetworkLayer
	for _, l := range ls {
		switch l := l.(type) {
		case *layers.IPv4:
			nl = l
		case *layers.IPv6:
			nl = l
		case *layers.UDP:
			if nl != nil {
				_ = l.SetNetworkLayerForChecksum(nl)
			}
		case *layers.TCP:
			if nl != nil {
				_ = l.SetNetworkLayerForChecksum(nl)
			}
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func ethernetLayer(et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{
		SrcMAC:       net.HardwareAddr{0x02, 0, 0, 0, 0, 1},
		DstMAC:       net.HardwareAddr{0x02, 0, 0, 0, 0, 2},
		EthernetType: et,
	}
}

func ipv4Layer(p layers.IPProtocol, src, dst string) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: p, SrcIP: net.ParseIP(src).To4(), DstIP: net.ParseIP(dst).To4()}
}

func ipv6Layer(next layers.IPProtocol, src, dst string) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
}

func udpLayer(src, dst int) *layers.UDP {
	return &layers.UDP{SrcPort: layers.UDPPort(src), DstPort: layers.UDPPort(dst)}
}

// ipv4Frame puts a payload of protocol p in IPv4 from 192.0.2.1 to dst in
// Ethernet.
func ipv4Frame(tb testing.TB, p layers.IPProtocol, dst string, payload []byte) []byte {
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv4), ipv4Layer(p, "192.0.2.1", dst), gopacket.Payload(payload))
}

// overIPv4 and overIPv6 put a payload of protocol p in IPv4 or IPv6 in
// Ethernet.
func overIPv4(tb testing.TB, p layers.IPProtocol, payload []byte) []byte {
	return ipv4Frame(tb, p, "192.0.2.2", payload)
}

func overIPv6(tb testing.TB, p layers.IPProtocol, payload []byte) []byte {
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv6), ipv6Layer(p, "2001:db8::1", "2001:db8::2"), gopacket.Payload(payload))
}

// udpOverIPv4 and udpOverIPv6 put a UDP datagram from port src to port dst
// in IPv4 or IPv6 in Ethernet.
func udpOverIPv4(tb testing.TB, src, dst int, payload []byte) []byte {
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv4), ipv4Layer(layers.IPProtocolUDP, "192.0.2.1", "192.0.2.2"),
		udpLayer(src, dst), gopacket.Payload(payload))
}

func udpOverIPv6(tb testing.TB, src, dst int, payload []byte) []byte {
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv6), ipv6Layer(layers.IPProtocolUDP, "2001:db8::1", "2001:db8::2"),
		udpLayer(src, dst), gopacket.Payload(payload))
}

// innerFrame is an Ethernet frame with IPv4 and UDP, to put in tunnels.
func innerFrame(tb testing.TB) []byte {
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv4), ipv4Layer(layers.IPProtocolUDP, "10.1.0.1", "10.1.0.2"),
		udpLayer(40404, 40405), gopacket.Payload("inner"))
}

// innerIPv6 is an IPv6 packet with UDP, to put in tunnels.
func innerIPv6(tb testing.TB) []byte {
	return serializeFrame(tb, ipv6Layer(layers.IPProtocolUDP, "2001:db8::1", "2001:db8::2"), udpLayer(40404, 40405), gopacket.Payload("inner"))
}

// Link-layer frames for the Ethernet, ARP, Dot1Q, LLC and SNAP tests:
// headers our public captures lack (LLC I and S frames, group and response
// SAP bits, VLAN priority and DEI, VLAN and LLC behind Linux SLL and SLL2,
// an ARP with a hardware address that is no MAC, RARP), built byte by byte.

var (
	macA         = net.HardwareAddr{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}
	macB         = net.HardwareAddr{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}
	macBroadcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	macSTP       = net.HardwareAddr{0x01, 0x80, 0xc2, 0x00, 0x00, 0x00}
)

// ethernetII is an Ethernet II header of type typ.
func ethernetII(dst, src net.HardwareAddr, typ uint16) []byte {
	return slices.Concat(dst, src, be16(typ))
}

// ethernet8023 is an 802.3 frame whose length covers payload, followed by
// pad zero bytes that are not part of it.
func ethernet8023(dst, src net.HardwareAddr, payload []byte, pad int) []byte {
	return slices.Concat(dst, src, be16(uint16(len(payload))), payload, make([]byte, pad))
}

// vlanTag is an 802.1Q tag.
func vlanTag(pcp uint8, dei bool, vid uint16, typ uint16) []byte {
	tci := uint16(pcp)<<13 | vid&0xfff
	if dei {
		tci |= 0x1000
	}
	return slices.Concat(be16(tci), be16(typ))
}

// arpPacket is an ARP packet for IPv4 over hardware addresses of any
// length.
func arpPacket(hwType, op uint16, sha net.HardwareAddr, spa string, tha net.HardwareAddr, tpa string) []byte {
	return slices.Concat(be16(hwType), be16(0x0800), []byte{byte(len(sha)), 4}, be16(op),
		[]byte(sha), []byte(net.ParseIP(spa).To4()), []byte(tha), []byte(net.ParseIP(tpa).To4()))
}

// llcHeader is an 802.2 LLC header; control is one byte (U format) or two
// (I and S formats), in transmission order.
func llcHeader(dsap, ssap byte, control ...byte) []byte {
	return slices.Concat([]byte{dsap, ssap}, control)
}

// snapHeader is an LLC UI header with a SNAP header.
func snapHeader(oui uint32, pid uint16) []byte {
	return slices.Concat(llcHeader(0xaa, 0xaa, 0x03), []byte{byte(oui >> 16), byte(oui >> 8), byte(oui)}, be16(pid))
}

// smallIPv4UDP is a small IPv4/UDP datagram.
func smallIPv4UDP() []byte {
	return slices.Concat(
		[]byte{0x45, 0, 0, 30, 0x12, 0x34, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2},
		[]byte{0x30, 0x39, 0x00, 0x35, 0, 10, 0, 0, 'h', 'i'},
	)
}

// linkPayload is a link-layer payload with the EtherType or 802.3 length
// that announces it (typ 0: 802.2 LLC).
type linkPayload struct {
	typ     uint16
	payload []byte
}

// linkLayerPayloads are the payloads of the link-layer frames.
func linkLayerPayloads() []linkPayload {
	arpReq := arpPacket(1, 1, macA, "192.0.2.1", make(net.HardwareAddr, 6), "192.0.2.2")
	arpRep := arpPacket(1, 2, macB, "192.0.2.2", macA, "192.0.2.1")
	// A hardware address of 8 bytes (e.g. an EUI-64), not a MAC.
	arpEUI := arpPacket(27, 1, net.HardwareAddr{1, 2, 3, 4, 5, 6, 7, 8}, "198.51.100.1", make(net.HardwareAddr, 8), "198.51.100.2")
	data := []byte("netcap link-layer test")
	return []linkPayload{
		{0x0806, arpReq},
		{0x0806, arpRep},
		{0x0806, arpEUI},
		// RARP: tshark's ARP dissector reads it, gopacket does not.
		{0x8035, arpPacket(1, 3, macA, "0.0.0.0", macA, "0.0.0.0")},
		{0x0800, smallIPv4UDP()},
		// VLAN tags: priority and DEI set, a tag carrying an 802.3
		// length and LLC, stacked tags.
		{0x8100, slices.Concat(vlanTag(5, true, 100, 0x0806), arpRep)},
		{0x8100, slices.Concat(vlanTag(0, false, 4094, 0x0800), smallIPv4UDP())},
		{0x8100, slices.Concat(vlanTag(7, false, 1, uint16(3+len(data))), llcHeader(0x42, 0x42, 0x03), data)},
		{0x88a8, slices.Concat(vlanTag(3, true, 200, 0x8100), vlanTag(1, false, 300, 0x0806), arpReq)},
		// LLC: UI with a group DSAP, XID command to the null SAP, I frame
		// (N(S) 5, N(R) 10, P set) as a response, S frame RR (N(R) 5, F
		// set) as a response and SABME.
		{0, slices.Concat(llcHeader(0xf1, 0xf0, 0x03), data)},
		{0, slices.Concat(llcHeader(0x00, 0xf0, 0xaf), []byte{0x81, 0x01, 0x00})},
		{0, slices.Concat(llcHeader(0xf0, 0xf1, 0x0a, 0x15), data)},
		{0, llcHeader(0x04, 0x09, 0x01, 0x0b)},
		{0, llcHeader(0xf0, 0xf0, 0x7f)},
		// SNAP: RFC 1042 (OUI 0) with IPv4 and ARP, and an OUI that
		// tshark knows no protocol IDs for.
		{0, slices.Concat(snapHeader(0, 0x0800), smallIPv4UDP())},
		{0, slices.Concat(snapHeader(0, 0x0806), arpReq)},
		{0, slices.Concat(snapHeader(0x123456, 0x4242), data)},
	}
}

// linkLayerPayloadsOf returns the payloads announced by the given types.
func linkLayerPayloadsOf(typs ...uint16) [][]byte {
	var out [][]byte
	for _, p := range linkLayerPayloads() {
		if slices.Contains(typs, p.typ) {
			out = append(out, p.payload)
		}
	}
	return out
}

// linkLayerFrames returns the link-layer frames for a link type: Ethernet,
// Linux SLL or Linux SLL2.
func linkLayerFrames(link layers.LinkType) [][]byte {
	var frames [][]byte
	for i, p := range linkLayerPayloads() {
		typ := p.typ
		switch link {
		case layers.LinkTypeEthernet:
			if typ == 0 {
				// Pad the short ones to the 60-byte minimum:
				// the padding is outside the 802.3 length.
				frames = append(frames, ethernet8023(macSTP, macA, p.payload, max(0, 46-len(p.payload))))
				continue
			}
			dst := macBroadcast
			if i%2 == 1 {
				dst = macB
			}
			frames = append(frames, slices.Concat(ethernetII(dst, macA, typ), p.payload))
		case layers.LinkTypeLinuxSLL:
			if typ == 0 {
				typ = 0x0004 // LINUX_SLL_P_802_2
			}
			// Packet type: outgoing; ARPHRD_ETHER; a 6-byte address.
			frames = append(frames, slices.Concat(be16(4), be16(1), be16(6), macA, []byte{0, 0}, be16(typ), p.payload))
		case layers.LinkTypeLinuxSLL2:
			if typ == 0 {
				typ = 0x0004
			}
			// Protocol, reserved, interface 2, ARPHRD_ETHER, packet type
			// host, a 6-byte address.
			frames = append(frames, slices.Concat(be16(typ), be16(0), []byte{0, 0, 0, 2}, be16(1), []byte{0, 6}, macB, []byte{0, 0}, p.payload))
		}
	}
	return frames
}

// linkLayerCapture writes the link-layer frames of a link type to a pcap
// file and returns its path.
func linkLayerCapture(t *testing.T, link layers.LinkType) string {
	t.Helper()
	return writePcap(t, link, linkLayerFrames(link)...)
}

// linkLayerCaptures are the link-layer frames on Ethernet, Linux SLL and
// Linux SLL2.
func linkLayerCaptures(t *testing.T) []string {
	t.Helper()
	return []string{
		linkLayerCapture(t, layers.LinkTypeEthernet),
		linkLayerCapture(t, layers.LinkTypeLinuxSLL),
		linkLayerCapture(t, layers.LinkTypeLinuxSLL2),
	}
}

// Frames for the routing, industrial and tunnelled protocols.

// tcpFrame puts a TCP segment from port src to port dst with sequence
// number seq in IPv4 in Ethernet.
func tcpFrame(tb testing.TB, src, dst int, seq uint32, payload []byte) []byte {
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src), DstPort: layers.TCPPort(dst), Seq: seq, Ack: 1, ACK: true, PSH: true, Window: 8192}
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv4), ipv4Layer(layers.IPProtocolTCP, "192.0.2.1", "192.0.2.2"), tcp, gopacket.Payload(payload))
}

// ipv4To puts a payload of protocol p in IPv4 from src to dst (a multicast
// destination gets the matching Ethernet address) in Ethernet.
func ipv4To(tb testing.TB, p layers.IPProtocol, src, dst string, ttl uint8, payload []byte) []byte {
	ip := ipv4Layer(p, src, dst)
	ip.TTL = ttl
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv4), ip, gopacket.Payload(payload))
}

// ipv6To is ipv4To for IPv6.
func ipv6To(tb testing.TB, p layers.IPProtocol, src, dst string, payload []byte) []byte {
	ip := ipv6Layer(p, src, dst)
	ip.HopLimit = 255
	return serializeFrame(tb, ethernetLayer(layers.EthernetTypeIPv6), ip, gopacket.Payload(payload))
}

// ipChecksumAt writes the Internet checksum of b, computed with zeroes at
// b[at:at+2], there.
func ipChecksumAt(b []byte, at int) []byte {
	b[at], b[at+1] = 0, 0
	c := internetChecksum(b)
	b[at], b[at+1] = byte(c>>8), byte(c)
	return b
}

// 802.11 frames.

// radiotapWithFCS puts an 802.11 frame behind a radiotap header whose Flags
// field says the frame ends with an FCS, and appends the FCS (CRC-32 of the
// frame, little-endian).
func radiotapWithFCS(frame []byte) []byte {
	hdr := []byte{0, 0, 9, 0, 0x02, 0, 0, 0, 0x10}
	return binary.LittleEndian.AppendUint32(slices.Concat(hdr, frame), crc32.ChecksumIEEE(frame))
}

// dot11Header is an 802.11 MAC header: frame control (first byte type and
// subtype, second flags, as on the wire), duration, the addresses given,
// and the sequence control when seq is not negative.
func dot11Header(fc0, flags byte, duration uint16, seq int, addrs ...net.HardwareAddr) []byte {
	h := []byte{fc0, flags}
	h = binary.LittleEndian.AppendUint16(h, duration)
	for i, a := range addrs {
		h = append(h, a...)
		if i == 2 && seq >= 0 {
			h = binary.LittleEndian.AppendUint16(h, uint16(seq))
		}
	}
	return h
}

// radiotapData is a data frame from an access point (FromDS) carrying
// payload (LLC/SNAP and what follows), behind radiotap.
func radiotapData(payload []byte) []byte {
	return radiotapWithFCS(slices.Concat(dot11Header(0x08, 0x02, 44, 0x1230, macA, macB, macBroadcast), payload))
}

// ipv4Bytes is the 4 bytes of an IPv4 address.
func ipv4Bytes(s string) []byte { return net.ParseIP(s).To4() }
