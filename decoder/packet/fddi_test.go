package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// fddiCase compares the FDDI records. tshark's fddi.fc.prio is the
// priority of asynchronous LLC frames only; the record has the low three
// bits of every frame control as Priority (as gopacket splits it), so the
// test takes them from fddi.fc. Both read the addresses of link type 10
// bit-reversed (see fddiLayer).
var fddiCase = tsharktest.Case{
	Type:   "FDDI",
	Filter: "fddi",
	First:  true, // tshark has each address twice
	Fields: []tsharktest.Field{
		{Ours: "FrameControl", Tshark: "fddi.fc", Conv: func(v string) string { return mapInt(v, func(n int) int { return n &^ 7 }) }},
		{Ours: "Priority", Tshark: "fddi.fc", Conv: func(v string) string { return mapInt(v, func(n int) int { return n & 7 }) }},
		{Ours: "SrcMAC", Tshark: "fddi.src"},
		{Ours: "DstMAC", Tshark: "fddi.dst"},
	},
}

// fddiHeader is an FDDI MAC header: frame control, destination, source.
func fddiHeader(fc byte, dst, src []byte) []byte {
	return slices.Concat([]byte{fc}, dst, src)
}

// fddiFrames are FDDI frames: asynchronous LLC frames of priority 0 and 5
// with IPv4 (SNAP) and NDP, an SMT frame and a MAC beacon.
func fddiFrames() [][]byte {
	ndp := slices.Concat(snapHeader(0x000081, 0x01a2), ndpHello("192.0.2.77", 0x000203, 0x39, 0x0c, 2, 3))
	return [][]byte{
		slices.Concat(fddiHeader(0x50, macB, macA), snapHeader(0, 0x0800), smallIPv4UDP()),
		slices.Concat(fddiHeader(0x55, macBroadcast, macB), snapHeader(0, 0x0800), smallIPv4UDP()),
		slices.Concat(fddiHeader(0x54, ndpMulticast, macA), ndp),
		slices.Concat(fddiHeader(0x41, macBroadcast, macA), make([]byte, 32)),
		slices.Concat(fddiHeader(0xc2, macBroadcast, macB), make([]byte, 4)),
	}
}

func fddiCapture(t *testing.T) string { return writePcap(t, layers.LinkTypeFDDI, fddiFrames()...) }

// TestFDDISynthAgainstTshark: no public capture is FDDI.
func TestFDDISynthAgainstTshark(t *testing.T) {
	t.Parallel()
	pcap := fddiCapture(t)
	compare(t, fddiCase, pcap)
	// The LLC frames go on to LLC, SNAP and IPv4.
	compare(t, tsharktest.Case{
		Type:   "IPv4",
		Filter: "fddi && ip",
		Fields: []tsharktest.Field{{Ours: "SrcIP", Tshark: "ip.src"}, {Ours: "DstIP", Tshark: "ip.dst"}},
	}, pcap)
}

func FuzzFDDI(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeFDDI, fddiFrames()...)
}
