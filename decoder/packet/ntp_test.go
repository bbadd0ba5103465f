package packet_test

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// The NTP records are compared with tshark's PDML: every header field;
// the four timestamps as tshark shows them (a date, or NULL for zero),
// which the test renders the record's 32.32 fixed-point values as; and the
// bytes after the 48-byte header, from the UDP payload tshark shows.
// Control (mode 6) and private (mode 7) messages, whose layout differs
// after the first byte, have only the flags in the record: tshark shows
// none of the time fields for them.

var ntpCols = []string{"LeapIndicator", "Version", "Mode", "Stratum", "Poll", "Precision", "RootDelay", "RootDispersion",
	"ReferenceID", "ReferenceTimestamp", "OriginTimestamp", "ReceiveTimestamp", "TransmitTimestamp", "ExtensionBytes",
	"SrcIP", "DstIP", "SrcPort", "DstPort"}

// ntpTime renders an NTP timestamp the way tshark shows it: NULL for zero,
// else the UTC date with nanoseconds. Seconds with the top bit clear are
// in era 1 (from 2036 on), as tshark reads them (RFC 4330 3).
func ntpTime(v uint64) string {
	if v == 0 {
		return "NULL"
	}
	secs, frac := int64(v>>32), v&0xffffffff
	if secs&0x80000000 == 0 {
		secs += 1 << 32
	}
	const ntpToUnix = 2208988800 // seconds from 1900 to 1970
	nsec := int64(float64(frac) / 4294967296.0 * 1e9)
	return time.Unix(secs-ntpToUnix, nsec).UTC().Format("Jan _2, 2006 15:04:05.000000000 UTC")
}

func ntpOurRow(m proto.Message) []string {
	r := m.(*types.NTP)
	times := []string{"", "", "", ""}
	if r.Mode != 6 && r.Mode != 7 {
		for i, v := range []uint64{r.ReferenceTimestamp, r.OriginTimestamp, r.ReceiveTimestamp, r.TransmitTimestamp} {
			times[i] = ntpTime(v)
		}
	}
	return append([]string{decimal(r.LeapIndicator), decimal(r.Version), decimal(r.Mode), decimal(r.Stratum), decimal(r.Poll),
		decimal(r.Precision), decimal(r.RootDelay), decimal(r.RootDispersion), decimal(r.ReferenceID)},
		append(times, hexOf(r.ExtensionBytes), r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort))...)
}

// ntpRows renders each NTP message of a packet. tshark shows poll and
// precision as unsigned bytes; they are signed powers of two.
func ntpRows(p tsharktest.Packet) [][]string {
	srcIP, dstIP, srcPort, dstPort := pdmlContext(p)
	var rows [][]string
	for _, n := range p.Outer("ntp") {
		// The header's fields, not those of the same name tshark shows
		// in the data of a private message (peer lists).
		show := func(field string) string {
			if f := n.Child(field); f != nil {
				return f.Show
			}
			return ""
		}
		signed := func(field string) string {
			v, err := strconv.Atoi(show(field))
			if err != nil {
				return "0" // absent in control and private messages
			}
			return strconv.Itoa(int(int8(v)))
		}
		word := func(field string) string {
			f := n.Child(field)
			if f == nil {
				return "0"
			}
			b, err := hex.DecodeString(f.Value)
			if err != nil || len(b) != 4 {
				return "0"
			}
			return decimal(binary.BigEndian.Uint32(b))
		}
		var ext string
		if u := p.Outer("udp"); len(u) > 0 && n.Child("ntp.xmt") != nil {
			if payload := u[len(u)-1].ValueOf("udp.payload"); len(payload) > 96 {
				ext = payload[96:]
			}
		}
		// A private message has no leap indicator: the first bits are
		// its response and more flags.
		rows = append(rows, []string{zeroWhenAbsent(n.ShowOf("ntp.flags.li")), n.ShowOf("ntp.flags.vn"), n.ShowOf("ntp.flags.mode"),
			zeroWhenAbsent(show("ntp.stratum")), signed("ntp.ppoll"), signed("ntp.precision"), word("ntp.rootdelay"),
			word("ntp.rootdispersion"), word("ntp.refid"), show("ntp.reftime"), show("ntp.org"), show("ntp.rec"),
			show("ntp.xmt"), ext, srcIP, dstIP, srcPort, dstPort})
	}
	return rows
}

var ntpCase = tsharktest.Case{
	Type:       "NTP",
	Filter:     "ntp",
	Columns:    ntpCols,
	PacketRows: ntpRows,
	OursRow:    ntpOurRow,
}

// TestNTPAgainstTsharkPublic: NTPv2 to v4 client, server, symmetric and
// broadcast messages, with keys and digests (NTP-digest, ntp.pcap), times
// past 2036 (era 1) and at odd values (ntp-time), control and private
// messages (ntp-control, ntp-mode7, ntpmode67), NTP over GRE (gre-sample).
func TestNTPAgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, ntpCase, sharedCaptures(t,
		"public/tcpdump/ntp.pcap",
		"public/tcpdump/ntp-time.pcap",
		"public/tcpdump/ntp-control.pcap",
		"public/tcpdump/ntp-mode7.pcap",
		"public/suricata-verify/ntp-keywords/input.pcap",
		"public/zeek/traces/ntp/ntp.pcap",
		"public/zeek/traces/ntp/ntp2.pcap",
		"public/zeek/traces/ntp/NTP-digest.pcap",
		"public/zeek/traces/ntp/ntpmode67.pcap",
		"public/ndpi/NTPv4.pcap",
		"public/ndpi/NTPv3.pcap",
		"public/ndpi/NTPv2.pcap",
		"public/ja4/pcap/gre-sample.pcap",
	)...)
}

// ntpSynthMessages are messages the captures lack: a leap second warning
// with negative poll and precision, a large root delay and dispersion and
// an extension field; a kiss-o'-death; a control message of 48 bytes or
// more (which gopacket would read as a time message).
func ntpSynthMessages() [][]byte {
	header := func(flags, stratum, poll, precision byte, delay, disp uint32, refid string, times ...uint64) []byte {
		b := slices.Concat([]byte{flags, stratum, poll, precision}, be32(delay), be32(disp), []byte(refid))
		for _, ts := range times {
			b = binary.BigEndian.AppendUint64(b, ts)
		}
		return b
	}
	leap := slices.Concat(header(0x64, 1, 0xfa, 0xe9, 0x00018000, 0xffffffff, "GPS\x00",
		0xe9ae5a0080000000, 0x7fffffffffffffff, 0x0000000100000001, 0xffffffffffffffff),
		be16(0x0104), be16(16), []byte("extension!!!"))
	kod := header(0x24, 0, 6, 0xec, 0, 0, "RATE", 0, 0xe9ae5a0011111111, 0, 0)
	control := slices.Concat([]byte{0x16, 0x82, 0, 1, 0x06, 0x15, 0, 0, 0, 0, 0, 40}, []byte("version=\"ntpd 4.2.8p15\", processor=\"x86\""))
	return [][]byte{leap, kod, control}
}

func TestNTPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for _, m := range ntpSynthMessages() {
		frames = append(frames, udpOverIPv4(t, 123, 123, m), udpOverIPv6(t, 40000, 123, m))
	}
	compare(t, ntpCase, writePcap(t, layers.LinkTypeEthernet, frames...))
}

func FuzzNTP(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeNTP, ntpSynthMessages()...)
}
