package packet_test

import (
	"encoding/binary"
	"encoding/hex"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// The DHCPv6 records are compared with tshark's PDML: message type,
// transaction ID or hop count and addresses, each top-level option (code,
// length, data) and the fingerprint, which the test builds from tshark's
// requested option codes.

var dhcpv6Cols = []string{"MsgType", "HopCount", "LinkAddr", "PeerAddr", "TransactionID", "Options", "Fingerprint",
	"SrcIP", "DstIP", "SrcPort", "DstPort"}

func dhcpv6OurRow(m proto.Message) []string {
	r := m.(*types.DHCPv6)
	var opts []string
	for _, o := range r.Options {
		opts = append(opts, decimal(o.Code)+";"+decimal(o.Length)+";"+o.Data)
	}
	return []string{decimal(r.MsgType), decimal(r.HopCount), r.LinkAddr, r.PeerAddr, hexOf(r.TransactionID),
		strings.Join(opts, "|"), r.Fingerprint, r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
}

// dhcpv6Rows renders each DHCPv6 message of a packet. The options are the
// elements tshark names dhcpv6.option.type_str directly under the message,
// each holding the whole option (code, length, data); options inside
// options (an IA address in an IA_NA) and the message a relay carries are
// part of their option's data. A relayed message, which tshark dissects
// inside the Relay Message option, is in the relay's record only.
func dhcpv6Rows(p tsharktest.Packet) [][]string {
	srcIP, dstIP, srcPort, dstPort := pdmlContext(p)
	var rows [][]string
	for _, d := range p.Outer("dhcpv6") {
		var opts, fp []string
		for _, o := range d.Children {
			if o.Name != "dhcpv6.option.type_str" {
				continue
			}
			b, err := hex.DecodeString(o.Value)
			if err != nil || len(b) < 4 {
				break // an option overrunning the message: the record's options end before it
			}
			opts = append(opts, decimal(binary.BigEndian.Uint16(b))+";"+decimal(binary.BigEndian.Uint16(b[2:]))+";"+types.WireBytes(b[4:]))
			if binary.BigEndian.Uint16(b) == 6 {
				for _, c := range o.Fields("dhcpv6.requested_option_code") {
					fp = append(fp, c.Show)
				}
			}
		}
		// The message's own fields, not those of a message it relays.
		field := func(name string, value bool) string {
			if f := d.Child(name); f != nil {
				if value {
					return f.Value
				}
				return f.Show
			}
			return ""
		}
		rows = append(rows, []string{tsharktest.Normalize(field("dhcpv6.msgtype", false)), zeroWhenAbsent(tsharktest.Normalize(field("dhcpv6.hopcount", false))),
			field("dhcpv6.linkaddr", false), field("dhcpv6.peeraddr", false), field("dhcpv6.xid", true),
			strings.Join(opts, "|"), strings.Join(fp, ","), srcIP, dstIP, srcPort, dstPort})
	}
	return rows
}

var dhcpv6Case = tsharktest.Case{
	Type:       "DHCPv6",
	Filter:     "dhcpv6",
	Columns:    dhcpv6Cols,
	PacketRows: dhcpv6Rows,
	OursRow:    dhcpv6OurRow,
}

func TestDHCPv6AgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, dhcpv6Case, sharedCaptures(t,
		"public/ja4/pcap/dhcpv6.pcap",
		"public/tcpdump/dhcpv6-ia-na.pcap",
		"public/tcpdump/dhcpv6-domain-list.pcap",
		"public/ndpi/tor.pcap",
		"public/ndpi/android.pcap",
	)...)
}

// dhcpv6Option is an option: code, length, data.
func dhcpv6Option(code uint16, data []byte) []byte {
	return slices.Concat(be16(code), be16(uint16(len(data))), data)
}

// dhcpv6SynthMessages are messages the captures lack: a Relay-forward
// carrying a Solicit (with an Option Request and a vendor class whose data
// is no UTF-8) and an Interface-Id, a Relay-reply, a Reconfigure with no
// options and a Request whose last option overruns the message.
func dhcpv6SynthMessages() [][]byte {
	solicit := slices.Concat([]byte{1, 0xab, 0xcd, 0xef},
		dhcpv6Option(1, mustHex("00030001020000000001")),
		dhcpv6Option(6, slices.Concat(be16(23), be16(24), be16(17), be16(39))),
		dhcpv6Option(16, slices.Concat(be32(311), be16(4), []byte{0xff, 0xfe, 'M', 'S'})),
		dhcpv6Option(8, be16(100)))
	relay := func(typ byte, hops byte, msg []byte) []byte {
		return slices.Concat([]byte{typ, hops}, net.ParseIP("2001:db8:1::1"), net.ParseIP("fe80::1"),
			dhcpv6Option(18, []byte("eth0")), dhcpv6Option(9, msg))
	}
	advertise := slices.Concat([]byte{2, 0xab, 0xcd, 0xef}, dhcpv6Option(2, mustHex("0003000102000000aaaa")), dhcpv6Option(13, slices.Concat(be16(0), []byte("ok"))))
	reconfigure := []byte{10, 0, 0, 1}
	overrun := slices.Concat([]byte{3, 1, 2, 3}, dhcpv6Option(8, be16(0)), be16(1), be16(40), []byte{0, 3})
	return [][]byte{relay(12, 0, solicit), relay(13, 3, advertise), reconfigure, overrun}
}

func TestDHCPv6SynthAgainstTshark(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for i, m := range dhcpv6SynthMessages() {
		if i%2 == 0 {
			frames = append(frames, udpOverIPv6(t, 547, 547, m))
		} else {
			frames = append(frames, udpOverIPv6(t, 547, 546, m))
		}
	}
	compare(t, dhcpv6Case, writePcap(t, layers.LinkTypeEthernet, frames...))
}

func FuzzDHCPv6(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeDHCPv6, dhcpv6SynthMessages()...)
}
