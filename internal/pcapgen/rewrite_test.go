package pcapgen

import (
	"encoding/binary"
	"testing"
)

// sum16 is the ones' complement sum of b (odd length padded).
func sum16(init uint32, b []byte) uint32 {
	s := init
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return s
}

// transportOK reports whether the TCP/UDP checksum of an IPv4 or IPv6
// packet verifies (the sum over pseudo header and segment is 0xffff).
func transportOK(ip []byte, v6 bool) bool {
	var pseudo []byte
	var seg []byte
	var proto byte
	if v6 {
		seg, proto = ip[40:], ip[6]
		pseudo = append(append([]byte{}, ip[8:40]...), 0, 0, byte(len(seg)>>8), byte(len(seg)), 0, 0, 0, proto)
	} else {
		ihl := int(ip[0]&0xf) * 4
		seg, proto = ip[ihl:], ip[9]
		pseudo = append(append([]byte{}, ip[12:20]...), 0, proto, byte(len(seg)>>8), byte(len(seg)))
	}
	return sum16(sum16(0, pseudo), seg) == 0xffff
}

func setChecksum(ip []byte, v6 bool) {
	var seg []byte
	if v6 {
		seg = ip[40:]
	} else {
		seg = ip[int(ip[0]&0xf)*4:]
	}
	pos := 16
	if (v6 && ip[6] == 17) || (!v6 && ip[9] == 17) {
		pos = 6
	}
	binary.BigEndian.PutUint16(seg[pos:], 0)
	for c := uint16(0); ; c++ { // find the value that verifies (small search is fine in a test)
		binary.BigEndian.PutUint16(seg[pos:], c)
		if transportOK(ip, v6) {
			return
		}
	}
}

func TestDistinctKeepsChecksums(t *testing.T) {
	src, dst := [4]byte{127, 0, 0, 2}, [4]byte{127, 0, 0, 1}
	for _, f := range [][]byte{
		TCPFrame(src, dst, 40000, 80, 1, 2, PSH|ACK, []byte("GET / HTTP/1.1\r\n\r\n")),
		UDPFrame(src, dst, 5353, 53, []byte("odd-length payload")),
	} {
		setChecksum(f[14:], false)
		for _, n := range []int{1, 0x1234, 0xffff} {
			g := append([]byte{}, f...)
			Distinct(g, n)
			ip := g[14:]
			if sum16(0, ip[:20]) != 0xffff {
				t.Errorf("copy %d: IPv4 header checksum broken", n)
			}
			if !transportOK(ip, false) {
				t.Errorf("copy %d: transport checksum broken", n)
			}
			if ip[13] != 0^byte(n>>8) || ip[14] != 0^byte(n) || ip[12] != 127 || ip[15] != 2 {
				t.Errorf("copy %d: source %v", n, ip[12:16])
			}
		}
	}
	// IPv6 with UDP.
	v6 := make([]byte, 14+40+8+5)
	v6[12], v6[13] = 0x86, 0xdd
	ip := v6[14:]
	ip[0], ip[6], ip[7] = 0x60, 17, 64
	binary.BigEndian.PutUint16(ip[4:], 13)
	ip[23], ip[39] = 1, 2 // ::1 and ::2
	binary.BigEndian.PutUint16(ip[40:], 1000)
	binary.BigEndian.PutUint16(ip[42:], 53)
	binary.BigEndian.PutUint16(ip[44:], 13)
	copy(ip[48:], "hello")
	setChecksum(ip, true)
	Distinct(v6, 0xbeef)
	if !transportOK(ip, true) || ip[20] != 0xbe || ip[21] != 0xef {
		t.Errorf("IPv6: checksum ok %v, address %x", transportOK(ip, true), ip[8:24])
	}
}
