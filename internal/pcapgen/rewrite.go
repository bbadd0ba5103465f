package pcapgen

import "encoding/binary"

// Distinct rewrites an Ethernet frame's IPv4 or IPv6 addresses for copy n
// of a capture, so that n copies of the same traffic are n sets of
// distinct flows: bytes 1–2 of each IPv4 address and bytes 12–13 of each
// IPv6 address are XORed with n (a bijection, so flows stay distinct within
// a copy too). The IPv4 header checksum and the TCP/UDP checksums are
// updated incrementally (RFC 1624). Frames without IP are left as they are.
func Distinct(frame []byte, n int) {
	off := 12
	for off+4 <= len(frame) && (binary.BigEndian.Uint16(frame[off:]) == 0x8100 || binary.BigEndian.Uint16(frame[off:]) == 0x88a8) {
		off += 4 // VLAN tags
	}
	if off+2 > len(frame) {
		return
	}
	et := binary.BigEndian.Uint16(frame[off:])
	ip := frame[off+2:]
	x := [2]byte{byte(n >> 8), byte(n)}
	switch et {
	case 0x0800:
		if len(ip) < 20 || ip[0]>>4 != 4 {
			return
		}
		ihl := int(ip[0]&0xf) * 4
		if ihl < 20 || ihl > len(ip) {
			return
		}
		for _, a := range []int{12, 16} {
			ip[a+1] ^= x[0]
			ip[a+2] ^= x[1]
		}
		fixIPv4(ip, ihl, n)
	case 0x86dd:
		if len(ip) < 40 || ip[0]>>4 != 6 {
			return
		}
		var diff []uint16pair
		for _, a := range []int{8 + 12, 24 + 12} {
			o := binary.BigEndian.Uint16(ip[a:])
			ip[a] ^= x[0]
			ip[a+1] ^= x[1]
			diff = append(diff, uint16pair{o, binary.BigEndian.Uint16(ip[a:])})
		}
		fixTransport(ip[40:], ip[6], diff)
	}
}

type uint16pair struct{ old, new uint16 }

// fixIPv4 updates the header checksum and the transport checksum of an
// IPv4 packet whose address bytes 1–2 were XORed with n.
func fixIPv4(ip []byte, ihl, n int) {
	var diff []uint16pair
	// Bytes 1–2 of an address straddle two 16-bit words: words 12/14 and
	// 16/18 of the header. Recover the old values by XORing again.
	x := [2]byte{byte(n >> 8), byte(n)}
	for _, a := range []int{12, 16} {
		newHi, newLo := binary.BigEndian.Uint16(ip[a:]), binary.BigEndian.Uint16(ip[a+2:])
		oldHi := newHi ^ uint16(x[0])
		oldLo := newLo ^ uint16(x[1])<<8
		diff = append(diff, uint16pair{oldHi, newHi}, uint16pair{oldLo, newLo})
	}
	binary.BigEndian.PutUint16(ip[10:], update(binary.BigEndian.Uint16(ip[10:]), diff))
	fragOff := binary.BigEndian.Uint16(ip[6:]) & 0x1fff
	if fragOff == 0 {
		fixTransport(ip[ihl:], ip[9], diff)
	}
}

// fixTransport updates a TCP or UDP checksum for changed pseudo-header
// words.
func fixTransport(b []byte, proto byte, diff []uint16pair) {
	switch {
	case proto == 6 && len(b) >= 18:
		binary.BigEndian.PutUint16(b[16:], update(binary.BigEndian.Uint16(b[16:]), diff))
	case proto == 17 && len(b) >= 8:
		if c := binary.BigEndian.Uint16(b[6:]); c != 0 { // 0: no checksum
			if c = update(c, diff); c == 0 {
				c = 0xffff
			}
			binary.BigEndian.PutUint16(b[6:], c)
		}
	}
}

// update applies RFC 1624's HC' = ~(~HC + ~m + m') for each changed word.
func update(hc uint16, diff []uint16pair) uint16 {
	sum := uint32(^hc)
	for _, d := range diff {
		sum += uint32(^d.old) + uint32(d.new)
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

// Frame is one captured frame and its time (Unix microseconds).
type Frame struct {
	TS   int64
	Data []byte
}

// WriteDistinct writes n copies of frames one after the other: each copy
// shifted in time past the one before and with its addresses rewritten
// (Distinct), so every copy adds new flows. It sets the writer's clock.
func (w *Writer) WriteDistinct(frames []Frame, n int) {
	if len(frames) == 0 {
		return
	}
	first, last := frames[0].TS, frames[0].TS
	for _, f := range frames {
		first, last = min(first, f.TS), max(last, f.TS)
	}
	span := last - first + 1_000_000
	w.Step = 0
	buf := make([]byte, 0, 65536)
	for c := range n {
		for _, f := range frames {
			buf = append(buf[:0], f.Data...)
			Distinct(buf, c)
			w.TS = f.TS + int64(c)*span
			w.Packet(buf)
		}
	}
}
