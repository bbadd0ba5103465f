package packet_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// geneveCase compares the Geneve header. OptionsLength is in bytes in the
// record; tshark's geneve.options holds the options' bytes (absent without
// options). tshark has no option-length field of its own: it reuses
// geneve.option.length for the header's total, so that field is compared in
// geneveOptionsCase.
var geneveCase = tsharktest.Case{
	Type:   "Geneve",
	Filter: "geneve",
	Fields: []tsharktest.Field{
		{Ours: "Version", Tshark: "geneve.version"},
		{Ours: "OptionsLength", Tshark: "geneve.options", Conv: hexByteCount},
		{Ours: "OAMPacket", Tshark: "geneve.flags.oam"},
		{Ours: "CriticalOption", Tshark: "geneve.flags.critical"},
		{Ours: "Protocol", Tshark: "geneve.proto_type"},
		{Ours: "VNI", Tshark: "geneve.vni"},
	},
}

// geneveOptionsCase compares the options, rendered as the record's
// (Class;Type;Flags;Length;Data) items joined by "|". tshark's
// geneve.option.length occurs once for the header (total length) and then
// once per option (the option's length with its 4-byte header, as in the
// record). tshark's option flags are the 3 bits shifted down, as in the
// record. The options here are of unknown classes, whose data tshark writes
// as geneve.option.unknown.data.
var geneveOptionsCase = tsharktest.Case{
	Type:    "Geneve",
	Filter:  "geneve",
	Columns: []string{"VNI", "Options"},
	Read:    []string{"geneve.vni", "geneve.option.class", "geneve.option.type", "geneve.option.flags", "geneve.option.length", "geneve.option.unknown.data"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		class, typ, flags := f.All("geneve.option.class"), f.All("geneve.option.type"), f.All("geneve.option.flags")
		lens, data := f.All("geneve.option.length"), f.All("geneve.option.unknown.data")
		if len(lens) > 0 {
			lens = lens[1:] // the header's total
		}
		vni := strings.Join(f.All("geneve.vni"), "|")
		var opts []string
		for i := range class {
			if i >= len(typ) || i >= len(flags) || i >= len(lens) || i >= len(data) {
				return [][]string{{vni, fmt.Sprint("cannot align options ", f)}}
			}
			// tshark writes "<MISSING>" for the data of an option that
			// has none.
			d := strings.TrimPrefix(data[i], "<MISSING>")
			opts = append(opts, "("+strings.Join([]string{tsharktest.Normalize(class[i]), tsharktest.Normalize(typ[i]),
				tsharktest.Normalize(flags[i]), lens[i], d}, ";")+")")
		}
		return [][]string{{vni, strings.Join(opts, "|")}}
	},
}

// genevePublic are captures with Geneve on UDP port 6081, with and without
// options, carrying Ethernet (ARP, ICMP, TCP).
var genevePublic = []string{
	"public/arkime/tcpdump-geneve.pcap",
	"public/suricata-verify/geneve-decoder/input.pcap",
	"public/zeek/traces/tunnels/geneve.pcap",
}

func TestGeneveAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	pcaps := sharedCaptures(t, genevePublic...)
	compare(t, geneveCase, pcaps...)
	compare(t, geneveOptionsCase, pcaps...)
}

func FuzzGeneve(f *testing.F) { fuzzLayer(f, layers.LayerTypeGeneve, geneveSamples(f)...) }

// geneveOpt is a Geneve option with flags (3 bits) and data padded to
// 4-byte words.
func geneveOpt(class uint16, typ, flags byte, data []byte) []byte {
	for len(data)%4 != 0 {
		data = append(data, 0)
	}
	o := []byte{byte(class >> 8), byte(class), typ, flags<<5 | byte(len(data)/4)}
	return append(o, data...)
}

// geneveHeader is a Geneve header with its options, then payload.
func geneveHeader(flags byte, proto uint16, vni uint32, opts []byte, payload []byte) []byte {
	h := []byte{byte(len(opts) / 4), flags, byte(proto >> 8), byte(proto), byte(vni >> 16), byte(vni >> 8), byte(vni), 0}
	h = append(h, opts...)
	return append(h, payload...)
}

// geneveSamples are Geneve headers with what the public captures lack,
// each followed by an Ethernet frame or (the last) an IPv4 packet: the OAM
// flag, several options with flags, an empty option, the longest options
// area (252 bytes, past what a byte-sized offset holds) and IPv4 carried
// directly (protocol 0x0800).
func geneveSamples(tb testing.TB) [][]byte {
	long := bytes.Repeat([]byte{0xab}, 124)
	inner := innerFrame(tb)
	return [][]byte{
		// OAM and critical flags, two options (one with flags, one empty).
		geneveHeader(0xc0, 0x6558, 0x123456,
			slices.Concat(geneveOpt(0x0104, 0x83, 5, []byte("12345678")), geneveOpt(0xfff0, 0x01, 0, nil)), inner),
		// 252 bytes of options: 128 + 124.
		geneveHeader(0x00, 0x6558, 1,
			slices.Concat(geneveOpt(0x0104, 0x01, 0, long), geneveOpt(0x0104, 0x02, 7, long[:120])), inner),
		// 252 bytes of options: 128 + 120 + 4, the last one past byte 255.
		geneveHeader(0x00, 0x6558, 2,
			slices.Concat(geneveOpt(0x0104, 0x01, 0, long), geneveOpt(0x0104, 0x02, 0, long[:116]), geneveOpt(0x0104, 0x03, 1, nil)), inner),
		// OAM flag only, IPv4 directly inside, no options.
		geneveHeader(0x80, 0x0800, 0xffffff, nil, inner[14:]),
	}
}

// TestGeneveAgainstTsharkSynthetic puts geneveSamples in UDP over IPv4
// (the last over IPv6).
func TestGeneveAgainstTsharkSynthetic(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	s := geneveSamples(t)
	for i, g := range s[:len(s)-1] {
		frames = append(frames, udpOverIPv4(t, 40000+i, 6081, g))
	}
	frames = append(frames, udpOverIPv6(t, 40000+len(s)-1, 6081, s[len(s)-1]))
	pcap := writePcap(t, layers.LinkTypeEthernet, frames...)
	compare(t, geneveCase, pcap)
	compare(t, geneveOptionsCase, pcap)
	// The layers inside start after the options.
	compare(t, udpCase, pcap)
}
