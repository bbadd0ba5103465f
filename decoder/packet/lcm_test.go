package packet_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// lcmSample is an LCM datagram built from its field values (the LCM UDP
// multicast protocol: "LC02" small messages, "LC03" fragments), with the
// record it must yield; record is nil for a datagram that is no LCM.
type lcmSample struct {
	name    string
	port    int // UDP destination port
	data    []byte
	record  *types.LCM
	channel string // expected ChannelName
}

// lcmShort is a small message: magic, sequence number, channel, NUL, data.
func lcmShort(seq uint32, channel string, data []byte) []byte {
	return slices.Concat(be32(0x4c433032), be32(seq), []byte(channel), []byte{0}, data)
}

// lcmFragment is a fragment: magic, sequence number, message size,
// fragment offset, fragment number, fragment count, then (fragment 0) the
// channel and its NUL, then data.
func lcmFragment(seq, size, offset uint32, n, count uint16, channel string, data []byte) []byte {
	b := slices.Concat(be32(0x4c433033), be32(seq), be32(size), be32(offset), be16(n), be16(count))
	if n == 0 {
		b = slices.Concat(b, []byte(channel), []byte{0})
	}
	return append(b, data...)
}

func lcmSamples() []lcmSample {
	longest := strings.Repeat("c", 63)
	return []lcmSample{
		{"small", 7667, lcmShort(1, "POSE", []byte("payload")),
			&types.LCM{Magic: 0x4c433032, SequenceNumber: 1}, "POSE"},
		{"small, counter wrapped into int32, longest channel", 7667, lcmShort(0xfffffffe, longest, nil),
			&types.LCM{Magic: 0x4c433032, SequenceNumber: -2}, longest},
		{"first fragment", 7667, lcmFragment(5, 100000, 0, 0, 3, "CAMERA", make([]byte, 32)),
			&types.LCM{Magic: 0x4c433033, SequenceNumber: 5, PayloadSize: 100000, FragmentOffset: 0, FragmentNumber: 0, TotalFragments: 3, Fragmented: true}, "CAMERA"},
		{"later fragment", 7667, lcmFragment(5, 100000, 65000, 2, 3, "", make([]byte, 32)),
			&types.LCM{Magic: 0x4c433033, SequenceNumber: 5, PayloadSize: 100000, FragmentOffset: 65000, FragmentNumber: 2, TotalFragments: 3, Fragmented: true}, ""},
		{"channel with invalid UTF-8", 7667, lcmShort(2, "a\xffb", nil),
			&types.LCM{Magic: 0x4c433032, SequenceNumber: 2}, `a\xffb`},
		{"channel without NUL within 63 characters", 7667, slices.Concat(be32(0x4c433032), be32(3), []byte(longest+"x")), nil, ""},
		{"unknown magic", 7667, slices.Concat(be32(0x4c433034), be32(4), []byte("X\x00")), nil, ""},
		{"fragment header cut short", 7667, lcmFragment(6, 1, 0, 0, 1, "Y", nil)[:16], nil, ""},
		{"another port", 7668, lcmShort(7, "OTHER", nil), nil, ""},
	}
}

// TestLCMSynth checks LCM records against the field values the datagrams
// were built from: tshark has no LCM dissector. The context fields come
// from the UDP/IPv4 headers udpOverIPv4 writes.
func TestLCMSynth(t *testing.T) {
	t.Parallel()
	samples := lcmSamples()
	var frames [][]byte
	var want []string
	for i, s := range samples {
		frames = append(frames, udpOverIPv4(t, 50000+i, s.port, s.data))
		if r := s.record; r != nil {
			// writePcap stamps frame i at 1700000000+i seconds and i ms.
			ts := strconv.FormatInt((1700000000+int64(i))*1e9+int64(i)*1e6, 10)
			want = append(want, strings.Join([]string{ts, decimal(r.Magic), decimal(r.SequenceNumber), decimal(r.PayloadSize),
				decimal(r.FragmentOffset), decimal(r.FragmentNumber), decimal(r.TotalFragments), s.channel, boolDigit(r.Fragmented),
				"192.0.2.1", "192.0.2.2", strconv.Itoa(50000 + i), strconv.Itoa(s.port)}, "\t"))
		}
	}
	pcap := writePcap(t, layers.LinkTypeEthernet, frames...)
	var got []string
	for _, m := range decodeCapture(t, pcap).Records(types.Type_NC_LCM) {
		r := m.(*types.LCM)
		got = append(got, strings.Join([]string{tsharktest.RecordTime(m), decimal(r.Magic), decimal(r.SequenceNumber), decimal(r.PayloadSize),
			decimal(r.FragmentOffset), decimal(r.FragmentNumber), decimal(r.TotalFragments), r.ChannelName, boolDigit(r.Fragmented),
			r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}, "\t"))
	}
	onlyOurs, onlyBuilt := tsharktest.MultisetDiff(got, want)
	if len(onlyOurs)+len(onlyBuilt) == 0 {
		t.Logf("LCM on %s: %d records agree with the values built", pcap, len(got))
		return
	}
	t.Errorf("LCM on %s: %d records, %d built; columns Timestamp Magic..DstPort\nonly built (%d):\n  %s\nonly ours (%d):\n  %s",
		pcap, len(got), len(want), len(onlyBuilt), strings.Join(onlyBuilt, "\n  "), len(onlyOurs), strings.Join(onlyOurs, "\n  "))
}

func FuzzLCM(f *testing.F) {
	var seeds [][]byte
	for _, s := range lcmSamples() {
		seeds = append(seeds, s.data)
	}
	fuzzLayer(f, layers.LayerTypeLCM, seeds...)
}
