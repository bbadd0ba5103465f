package packet_test

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

var ethernetCTPCase = tsharktest.Case{
	Type:   "EthernetCTP",
	Filter: "loop",
	Fields: []tsharktest.Field{{Ours: "SkipCount", Tshark: "loop.skipcount"}},
}

// ctpCaptures are the public captures with Ethernet loopback (CTP)
// packets: replies from Cisco routers, and forward data chains with skip
// counts 0 and 8 (tcpdump/loopback.pcap).
var ctpCaptures = []string{
	"public/tcpdump/loopback.pcap",
	"public/arkime/mpls-basic.pcap",
	"public/tcpdump/various_gre.pcap",
}

func TestEthernetCTPAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, ethernetCTPCase, sharedCaptures(t, ctpCaptures...)...)
}

// TestEthernetCTPSynthAgainstTshark: an odd skip count and one past the
// data (gopacket drops such packets), an unknown function, a reply cut
// short (see ctpFrames).
func TestEthernetCTPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, ethernetCTPCase, writePcap(t, layers.LinkTypeEthernet, ctpFrames()...))
}

func FuzzEthernetCTP(f *testing.F) {
	var seeds [][]byte
	for _, fr := range ctpFrames() {
		seeds = append(seeds, fr[14:])
	}
	fuzzLayer(f, layers.LayerTypeEthernetCTP, seeds...)
}

// ctpForward is a Forward Data message; ctpReply a Reply message with data.
func ctpForward(addr []byte) []byte {
	return slices.Concat(binary.LittleEndian.AppendUint16(nil, 2), addr)
}

func ctpReply(receipt uint16, data []byte) []byte {
	return slices.Concat(binary.LittleEndian.AppendUint16(nil, 1), binary.LittleEndian.AppendUint16(nil, receipt), data)
}

// ctpFrame is a loopback frame with a skip count and messages.
func ctpFrame(skip uint16, msgs ...[]byte) []byte {
	return slices.Concat(ethernetII(macA, macB, 0x9000), binary.LittleEndian.AppendUint16(nil, skip), slices.Concat(msgs...))
}

func ctpFrames() [][]byte {
	data := []byte("loopback test data 0123456789")
	return [][]byte{
		ctpFrame(0, ctpReply(7, data)),
		ctpFrame(8, ctpForward(macA), ctpForward(macB), ctpReply(0x1234, data)),
		ctpFrame(3, ctpReply(1, data)),
		ctpFrame(200, ctpForward(macA), ctpReply(2, nil)),
		ctpFrame(0, ctpForward(macA), binary.LittleEndian.AppendUint16(nil, 9), data),
		ctpFrame(0, []byte{1, 0, 5}),
	}
}
