package packet_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/internal/testutil"
)

// geneveCase compares the Geneve header. OptionsLength is in bytes in the
// record; tshark's geneve.options holds the options' bytes (absent without
// options). tshark has no option-length field of its own: it reuses
// geneve.option.length for the header's total, so that field is compared in
// geneveOptionsCase.
var geneveCase = tsharkCase{
	typ:    "Geneve",
	filter: "geneve",
	fields: []tf{
		{ours: "Version", tshark: "geneve.version"},
		{ours: "OptionsLength", tshark: "geneve.options", conv: hexByteCount},
		{ours: "OAMPacket", tshark: "geneve.flags.oam"},
		{ours: "CriticalOption", tshark: "geneve.flags.critical"},
		{ours: "Protocol", tshark: "geneve.proto_type"},
		{ours: "VNI", tshark: "geneve.vni"},
	},
}

// geneveOptionsCase compares the options, rendered as the record's
// (Class;Type;Flags;Length;Data) items joined by "|". tshark's
// geneve.option.length occurs once for the header (total length) and then
// once per option (the option's length with its 4-byte header, as in the
// record). tshark's option flags are the 3 bits shifted down, as in the
// record. The options here are of unknown classes, whose data tshark writes
// as geneve.option.unknown.data.
var geneveOptionsCase = tsharkDerivedCase{
	typ:    "Geneve",
	filter: "geneve",
	ours:   []string{"VNI", "Options"},
	tshark: []string{"geneve.vni", "geneve.option.class", "geneve.option.type", "geneve.option.flags", "geneve.option.length", "geneve.option.unknown.data"},
	derive: func(raw []string) [][]string {
		class, typ, flags := splitOccurrences(raw[1]), splitOccurrences(raw[2]), splitOccurrences(raw[3])
		lens, data := splitOccurrences(raw[4]), splitOccurrences(raw[5])
		if len(lens) > 0 {
			lens = lens[1:] // the header's total
		}
		var opts []string
		for i := range class {
			if i >= len(typ) || i >= len(flags) || i >= len(lens) || i >= len(data) {
				return [][]string{{raw[0], "cannot align options " + strings.Join(raw[1:], " ")}}
			}
			// tshark writes "<MISSING>" for the data of an option that
			// has none.
			d := strings.TrimPrefix(data[i], "<MISSING>")
			opts = append(opts, "("+strings.Join([]string{normalize(class[i]), normalize(typ[i]),
				normalize(flags[i]), lens[i], d}, ";")+")")
		}
		return [][]string{{raw[0], strings.Join(opts, "|")}}
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
	var pcaps []string
	for _, p := range genevePublic {
		pcaps = append(pcaps, testutil.Shared(t, p))
	}
	compareWithTshark(t, geneveCase, pcaps...)
	compareDerivedWithTshark(t, geneveOptionsCase, pcaps...)
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
	inner := synInner(tb)
	return [][]byte{
		// OAM and critical flags, two options (one with flags, one empty).
		geneveHeader(0xc0, 0x6558, 0x123456,
			synJoin(geneveOpt(0x0104, 0x83, 5, []byte("12345678")), geneveOpt(0xfff0, 0x01, 0, nil)), inner),
		// 252 bytes of options: 128 + 124.
		geneveHeader(0x00, 0x6558, 1,
			synJoin(geneveOpt(0x0104, 0x01, 0, long), geneveOpt(0x0104, 0x02, 7, long[:120])), inner),
		// 252 bytes of options: 128 + 120 + 4, the last one past byte 255.
		geneveHeader(0x00, 0x6558, 2,
			synJoin(geneveOpt(0x0104, 0x01, 0, long), geneveOpt(0x0104, 0x02, 0, long[:116]), geneveOpt(0x0104, 0x03, 1, nil)), inner),
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
	for i, g := range s {
		ip := []gopacket.SerializableLayer{synEth(layers.EthernetTypeIPv4), synIPv4(layers.IPProtocolUDP, "192.0.2.1", "192.0.2.2")}
		if i == len(s)-1 {
			ip = []gopacket.SerializableLayer{synEth(layers.EthernetTypeIPv6), synIPv6(layers.IPProtocolUDP, "2001:db8::1", "2001:db8::2")}
		}
		frames = append(frames, serializeFrame(t, append(ip, synUDP(40000+i, 6081), gopacket.Payload(g))...))
	}
	pcap := writeSyntheticPcap(t, frames...)
	compareWithTshark(t, geneveCase, pcap)
	compareDerivedWithTshark(t, geneveOptionsCase, pcap)
	// The layers inside start after the options.
	compareWithTshark(t, udpCase, pcap)
}
