package packet_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// igmpCase compares every field of the IGMP record.
//
// tshark counts Max Resp Time in tenths of a second (for IGMPv3 after
// expanding the floating-point form) and shows the QQIC code; the record
// holds both as nanoseconds. Fields a message does not have (the IGMPv3
// query fields in IGMPv1/v2 messages, the max response time of an IGMPv3
// report, whose byte is reserved) are zero or empty in the record where
// tshark shows nothing. An IGMPv3 report has no group address of its own:
// tshark's igmp.maddr values are its group records' multicast addresses,
// compared with the group records, as are the records' source addresses.
var igmpCase = tsharktest.Case{
	Type:   "IGMP",
	Filter: "igmp",
	Read: []string{"igmp.type", "igmp.version", "igmp.max_resp", "igmp.checksum", "igmp.maddr", "igmp.s", "igmp.qrv",
		"igmp.qqic", "igmp.num_src", "igmp.saddr", "igmp.num_grp_recs", "igmp.record_type", "igmp.aux_data_len",
		"ip.src", "ip.dst"},
	Columns: []string{"Type", "Version", "MaxResponseTime", "Checksum", "GroupAddress", "SupressRouterProcessing",
		"RobustnessValue", "IntervalTime", "NumberOfSources", "SourceAddresses", "NumberOfGroupRecords", "GroupRecords",
		"SrcIP", "DstIP"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.IGMP)
		var grs []string
		for _, g := range r.GroupRecords {
			grs = append(grs, strings.Join([]string{strconv.Itoa(int(g.Type)), strconv.Itoa(int(g.AuxDataLen)),
				strconv.Itoa(int(g.NumberOfSources)), g.MulticastAddress, strings.Join(g.SourceAddresses, ",")}, ";"))
		}
		return []string{strconv.Itoa(int(r.Type)), strconv.Itoa(int(r.Version)), strconv.FormatUint(r.MaxResponseTime, 10),
			strconv.Itoa(int(r.Checksum)), r.GroupAddress, strconv.FormatBool(r.SupressRouterProcessing),
			strconv.Itoa(int(r.RobustnessValue)), strconv.FormatUint(r.IntervalTime, 10), strconv.Itoa(int(r.NumberOfSources)),
			strings.Join(r.SourceAddresses, ","), strconv.Itoa(int(r.NumberOfGroupRecords)), strings.Join(grs, "|"),
			r.SrcIP, r.DstIP}
	},
	FrameRows: func(f tsharktest.Frame) [][]string {
		// frame.protocols names igmp twice for one message ("ip:igmp:igmp");
		// the captures have no IGMP in tunnels.
		if f.Count("igmp") == 0 {
			return nil
		}
		typ := tsharktest.Normalize(f.At("igmp.type", 0))
		maxResp := "bad max response time " + f.At("igmp.max_resp", 0)
		if n, err := strconv.ParseUint(zeroWhenAbsent(f.At("igmp.max_resp", 0)), 10, 32); err == nil {
			maxResp = strconv.FormatUint(n*100_000_000, 10) // tenths of a second
		}
		interval := "bad QQIC " + f.At("igmp.qqic", 0)
		if n, err := strconv.ParseUint(zeroWhenAbsent(f.At("igmp.qqic", 0)), 10, 8); err == nil {
			interval = strconv.FormatUint(igmpv3CodeValue(uint8(n))*1_000_000_000, 10) // seconds
		}
		row := []string{typ, f.At("igmp.version", 0), maxResp, f.At("igmp.checksum", 0), "",
			zeroWhenAbsent(f.At("igmp.s", 0)), zeroWhenAbsent(f.At("igmp.qrv", 0)), interval, "0", "", "0", "",
			f.At("ip.src", 0), f.At("ip.dst", 0)}
		if typ != "34" { // not a v3 report
			row[4] = f.At("igmp.maddr", 0)
			if typ == "17" && f.At("igmp.version", 0) == "3" {
				row[8] = f.At("igmp.num_src", 0)
				row[9] = strings.Join(f.All("igmp.saddr"), ",")
			}
			return [][]string{row}
		}
		row[10] = zeroWhenAbsent(f.At("igmp.num_grp_recs", 0))
		var grs []string
		src := 0
		for i, rt := range f.All("igmp.record_type") {
			n, err := strconv.Atoi(f.At("igmp.num_src", i))
			if err != nil {
				return [][]string{{"bad number of sources " + f.At("igmp.num_src", i)}}
			}
			var srcs []string
			for range n {
				srcs = append(srcs, f.At("igmp.saddr", src))
				src++
			}
			grs = append(grs, strings.Join([]string{rt, f.At("igmp.aux_data_len", i), strconv.Itoa(n),
				f.At("igmp.maddr", i), strings.Join(srcs, ",")}, ";"))
		}
		row[11] = strings.Join(grs, "|")
		return [][]string{row}
	},
}

// igmpv3CodeValue decodes an IGMPv3 Max Resp Code or QQIC (RFC 3376
// 4.1.1, 4.1.7): below 128 the value itself, else 1|exp(3)|mant(4) is
// (mant | 0x10) << (exp + 3).
func igmpv3CodeValue(code uint8) uint64 {
	if code < 128 {
		return uint64(code)
	}
	return uint64(code&0x0F|0x10) << (code>>4&0x07 + 3)
}

func TestIGMPAgainstTshark(t *testing.T) {
	t.Parallel()
	// IGMPv2 queries, reports and leaves; IGMPv3 general and group queries,
	// with max response codes in the floating-point form (igmpv3-queries)
	// and with a QQIC; IGMPv3 reports with one to three group records.
	compare(t, igmpCase,
		testutil.Shared(t, "public/tcpdump/IGMP_V2.pcap"),
		testutil.Shared(t, "public/tcpdump/igmpv3-queries.pcap"),
		testutil.Shared(t, "public/arkime/igmp.pcap"),
		testutil.Shared(t, "public/suricata-verify/bug-5162/input.pcap"),
		testutil.Shared(t, "public/zeek/traces/dns/mdns.pcap"),
		testutil.Shared(t, "public/ndpi/wechat.pcap"),
		testutil.Shared(t, "public/ndpi/iphone.pcap"),
	)
}

// TestIGMPSynthAgainstTshark compares messages the public captures lack:
// an IGMPv3 query with sources, S flag, robustness 3 and floating-point
// max response code and QQIC; an IGMPv3 report whose records have sources
// and auxiliary data; an IGMPv2 query with a max response time above 12.7
// seconds (plain tenths in IGMPv2, not the IGMPv3 form); an IGMPv1 report.
func TestIGMPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	query := withChecksum(mustHex("119c0000" + "ef010203" + "0b8a0002" + "0a000001" + "0a000002"))
	report := withChecksum(mustHex("22000000" + "00000003" +
		"01000002" + "ef010203" + "0a000001" + "0a000002" +
		"05010001" + "ef010204" + "0a000003" + "deadbeef" +
		"02000000" + "ef010205"))
	v2query := withChecksum(mustHex("11c80000" + "00000000"))
	v1report := withChecksum(mustHex("12000000" + "ef010206"))
	compare(t, igmpCase, writePcap(t, layers.LinkTypeEthernet,
		ipv4Frame(t, layers.IPProtocolIGMP, "224.0.0.1", query),
		ipv4Frame(t, layers.IPProtocolIGMP, "224.0.0.22", report),
		ipv4Frame(t, layers.IPProtocolIGMP, "224.0.0.1", v2query),
		ipv4Frame(t, layers.IPProtocolIGMP, "239.1.2.6", v1report),
	))
}

// TestIGMPCodes decodes IGMPv3 queries with every Max Resp Code and QQIC,
// and IGMPv2 queries with every Max Resp Time, and checks the durations
// against RFC 3376 4.1.1 and 4.1.7 and RFC 2236 2.2 (the captures have
// only a few codes).
func TestIGMPCodes(t *testing.T) {
	var got []*types.IGMP
	emit := func(typ types.Type, r proto.Message) error {
		if typ == types.Type_NC_IGMP {
			got = append(got, proto.Clone(r).(*types.IGMP))
		}
		return nil
	}
	p := packet.NewParser(packet.Options{}, registry.PacketDecoders(nil), emit)
	for code := range 256 {
		// v3 query: type, max resp code, checksum, group, S/QRV, QQIC, no sources
		v3 := []byte{0x11, byte(code), 0, 0, 0, 0, 0, 0, 0x02, byte(255 - code), 0, 0}
		v2 := []byte{0x11, byte(code), 0, 0, 0, 0, 0, 0}
		for _, msg := range [][]byte{v3, v2} {
			got = got[:0]
			if err := p.DecodeFrom(layers.LayerTypeIGMP, msg, 1, len(msg)); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("% x: %d IGMP records", msg, len(got))
			}
			r := got[0]
			wantResp, wantInterval, wantVersion := uint64(code)*100_000_000, uint64(0), int32(2)
			if len(msg) == 12 {
				wantResp = igmpv3CodeValue(uint8(code)) * 100_000_000
				wantInterval = igmpv3CodeValue(uint8(255-code)) * 1_000_000_000
				wantVersion = 3
			} else if code == 0 {
				wantVersion = 1
			}
			if r.MaxResponseTime != wantResp || r.IntervalTime != wantInterval || r.Version != wantVersion {
				t.Errorf("% x: max response %d, interval %d, version %d; want %d, %d, %d", msg,
					r.MaxResponseTime, r.IntervalTime, r.Version, wantResp, wantInterval, wantVersion)
			}
		}
	}
}

func FuzzIGMP(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeIGMP,
		mustHex("1164ee9b00000000"),                                               // v2 general query
		mustHex("11ff00000000000002fd0001e0000001"),                               // v3 query with a source
		mustHex("2200f9fb00000002"+"04000000e00000fb"+"01000001efffffff0a000001"), // v3 report, two records
	)
}
