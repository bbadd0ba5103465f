package packet_test

import (
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// nortelCase compares the NortelDiscovery records; SrcMac and DstMac are
// the Ethernet frame's addresses (empty on FDDI).
var nortelCase = tsharktest.Case{
	Type:   "NortelDiscovery",
	Filter: "ndp",
	Fields: []tsharktest.Field{
		{Ours: "IPAddress", Tshark: "ndp.ipaddress"},
		{Ours: "SegmentID", Tshark: "ndp.segmentident", Conv: ouiHex},
		{Ours: "Chassis", Tshark: "ndp.chassis"},
		{Ours: "Backplane", Tshark: "ndp.backplane"},
		{Ours: "State", Tshark: "ndp.state"},
		{Ours: "NumLinks", Tshark: "ndp.numberoflinks"},
		{Ours: "SrcMac", Tshark: "eth.src"},
		{Ours: "DstMac", Tshark: "eth.dst"},
	},
}

// ndpHello is a Nortel Discovery Protocol hello.
func ndpHello(ip string, segment uint32, chassis, backplane, state, links byte) []byte {
	return slices.Concat(ipv4Bytes(ip), []byte{byte(segment >> 16), byte(segment >> 8), byte(segment)},
		[]byte{chassis, backplane, state, links})
}

// ndpMulticast is the NDP hello destination.
var ndpMulticast = []byte{0x01, 0x00, 0x81, 0x00, 0x01, 0x00}

// nortelFrames are NDP hellos on Ethernet: plain (padded to 60 bytes), in
// a VLAN, with a topology change, heartbeat and new state.
func nortelFrames() [][]byte {
	h1 := slices.Concat(snapHeader(0x000081, 0x01a2), ndpHello("192.0.2.10", 0x000102, 0x39, 0x0c, 3, 1))
	h2 := slices.Concat(snapHeader(0x000081, 0x01a2), ndpHello("198.51.100.1", 0x0a0b0c, 0x22, 0x02, 2, 24))
	h3 := slices.Concat(snapHeader(0x000081, 0x01a2), ndpHello("0.0.0.0", 0, 0x01, 0x01, 1, 0))
	return [][]byte{
		ethernet8023(ndpMulticast, macA, h1, 46-len(h1)),
		ethernet8023(ndpMulticast, macB, h2, 46-len(h2)),
		slices.Concat(ndpMulticast, macA, be16(0x8100), vlanTag(0, false, 10, uint16(len(h3))), h3, make([]byte, 42-len(h3))),
	}
}

// TestNortelDiscoverySynthAgainstTshark: no public capture has NDP.
// Hellos on Ethernet (also in a VLAN) and on FDDI (see fddiFrames).
func TestNortelDiscoverySynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, nortelCase, writePcap(t, layers.LinkTypeEthernet, nortelFrames()...), fddiCapture(t))
}

func FuzzNortelDiscovery(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeNortelDiscovery, ndpHello("192.0.2.10", 0x000102, 0x39, 0x0c, 3, 1))
}
