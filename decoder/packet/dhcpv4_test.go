package packet_test

import (
	"encoding/hex"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// The DHCPv4 records are compared with tshark's PDML: every fixed field,
// the sname and file fields byte for byte, each option (type, length and
// data) and the fingerprint, which the test builds from tshark's
// Parameter Request List items.

var dhcpv4Cols = []string{"Operation", "HardwareType", "HardwareLen", "HardwareOpts", "Xid", "Secs", "Flags",
	"ClientIP", "YourClientIP", "NextServerIP", "RelayAgentIP", "ClientHWAddr", "ServerName", "File", "Options",
	"Fingerprint", "SrcIP", "DstIP", "SrcPort", "DstPort"}

func dhcpv4OurRow(m proto.Message) []string {
	r := m.(*types.DHCPv4)
	var opts []string
	for _, o := range r.Options {
		opts = append(opts, decimal(o.Type)+";"+decimal(o.Length)+";"+o.Data)
	}
	return []string{decimal(r.Operation), decimal(r.HardwareType), decimal(r.HardwareLen), decimal(r.HardwareOpts), decimal(r.Xid),
		decimal(r.Secs), decimal(r.Flags), r.ClientIP, r.YourClientIP, r.NextServerIP, r.RelayAgentIP, r.ClientHWAddr,
		hexOf(r.ServerName), hexOf(r.File), strings.Join(opts, "|"), r.Fingerprint, r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
}

// dhcpv4Rows renders each DHCP message of a packet as dhcpv4OurRow renders
// a record. The options are the elements tshark names dhcp.option.type,
// each holding the whole option: its first byte is the type, its data
// follows the length byte. The End option is left out (the record lists
// the options before it), as is the padding after it, which tshark shows
// as a field of its own; a run of Pad options before End is one element
// for tshark, one option per byte in the record. Options an Option
// Overload (52) puts in the file and sname fields follow, in that order
// (RFC 2131 4.1); tshark shows them inside option 52.
func dhcpv4Rows(p tsharktest.Packet) [][]string {
	srcIP, dstIP, srcPort, dstPort := pdmlContext(p)
	var rows [][]string
	for _, d := range p.Outer("dhcp") {
		var opts, fp []string
		var overloaded []*tsharktest.Node
		add := func(list []*tsharktest.Node) bool {
			for _, o := range list {
				b, err := hex.DecodeString(o.Value)
				if err != nil || len(b) == 0 {
					// An option overrunning the message, whose bytes
					// tshark does not show: the record's options end
					// before it.
					return false
				}
				switch b[0] {
				case 255:
					continue
				case 0:
					// The element has the first byte; its padding
					// field covers the run.
					n := len(b)
					if pad := o.Child("dhcp.option.padding"); pad != nil {
						n = len(pad.Value) / 2
					}
					for range n {
						opts = append(opts, "0;0;")
					}
					continue
				case 52:
					for _, field := range []string{"Boot file name option overload", "Server host name option overload"} {
						if f := o.Labelled(field); f != nil {
							overloaded = append(overloaded, f.Fields("dhcp.option.type")...)
						}
					}
				}
				opts = append(opts, decimal(b[0])+";"+tsharktest.Normalize(o.ShowOf("dhcp.option.length"))+";"+types.WireBytes(b[min(2, len(b)):]))
				for _, item := range o.Fields("dhcp.option.request_list_item") {
					fp = append(fp, item.Show)
				}
			}
			return true
		}
		if add(d.Fields("dhcp.option.type")) {
			add(overloaded)
		}
		// tshark names the hardware address a MAC address when it is one
		// (Ethernet, 6 bytes), else shows the whole 16-byte field: the
		// record has the address, the first hlen bytes, written as MAC
		// addresses are whatever their length. (Neither has an address
		// longer than the 16-byte field.)
		hw := d.ShowOf("dhcp.hw.mac_addr")
		if a := d.Find("dhcp.hw.addr"); a != nil && hw == "" {
			if n, err := strconv.Atoi(tsharktest.Normalize(d.ShowOf("dhcp.hw.len"))); err == nil && 2*n <= len(a.Value) {
				hw = hexColons(a.Value[:2*n])
			}
		}
		// sname and file, or the fields tshark shows in their place when
		// they hold options.
		sname, file := d.ValueOf("dhcp.server"), d.ValueOf("dhcp.file")
		if f := d.Labelled("Server name option overloaded by DHCP"); f != nil {
			sname = f.Value
		}
		if f := d.Labelled("Boot file name option overloaded by DHCP"); f != nil {
			file = f.Value
		}
		rows = append(rows, []string{tsharktest.Normalize(d.ShowOf("dhcp.type")), tsharktest.Normalize(d.ShowOf("dhcp.hw.type")), tsharktest.Normalize(d.ShowOf("dhcp.hw.len")),
			tsharktest.Normalize(d.ShowOf("dhcp.hops")), tsharktest.Normalize(d.ShowOf("dhcp.id")), tsharktest.Normalize(d.ShowOf("dhcp.secs")), tsharktest.Normalize(d.ShowOf("dhcp.flags")),
			d.ShowOf("dhcp.ip.client"), d.ShowOf("dhcp.ip.your"), d.ShowOf("dhcp.ip.server"), d.ShowOf("dhcp.ip.relay"), hw,
			sname, file, strings.Join(opts, "|"), strings.Join(fp, ","), srcIP, dstIP, srcPort, dstPort})
	}
	return rows
}

var dhcpv4Case = tsharktest.Case{
	Type:       "DHCPv4",
	Filter:     "dhcp",
	Columns:    dhcpv4Cols,
	PacketRows: dhcpv4Rows,
	OursRow:    dhcpv4OurRow,
}

func TestDHCPv4AgainstTsharkPublic(t *testing.T) {
	t.Parallel()
	compare(t, dhcpv4Case, sharedCaptures(t,
		"public/ja4/pcap/dhcp.pcapng",
		"public/arkime/wireshark-dhcp.pcap",
		"public/tcpdump/dhcp-rfc3004.pcap",
		"public/tcpdump/dhcp-option-33.pcap",
		"public/tcpdump/dhcp-option-108.pcapng",
		"public/suricata-verify/dhcp-eve-extended/input.pcap",
		"public/zeek/traces/dhcp/dhcp.pcap",
		"public/zeek/traces/dhcp/dhcp_inform.pcap",
		"public/ndpi/dhcp-fuzz.pcapng",
		"public/ndpi/whatsapp_login_call.pcap",
		"public/ndpi/signal.pcap",
		"public/ndpi/android.pcap",
	)...)
}

// dhcpv4Message builds a BOOTP/DHCP message: the fixed fields, then the
// cookie and options when cookie is set (options are raw bytes, End
// included where wanted).
func dhcpv4Message(op, htype, hlen, hops byte, xid uint32, secs, flags uint16, ciaddr, yiaddr, siaddr, giaddr string,
	chaddr []byte, sname, file []byte, cookie bool, options []byte) []byte {
	b := []byte{op, htype, hlen, hops}
	b = append(b, be32(xid)...)
	b = append(b, be16(secs)...)
	b = append(b, be16(flags)...)
	for _, a := range []string{ciaddr, yiaddr, siaddr, giaddr} {
		b = append(b, net.ParseIP(a).To4()...)
	}
	pad := func(v []byte, n int) []byte { return append(append([]byte{}, v...), make([]byte, n-len(v))...) }
	b = append(b, pad(chaddr, 16)...)
	b = append(b, pad(sname, 64)...)
	b = append(b, pad(file, 128)...)
	if cookie {
		b = append(b, 0x63, 0x82, 0x53, 0x63)
	}
	return append(b, options...)
}

// dhcpv4SynthMessages are messages the captures lack: a relayed request
// with a Parameter Request List split over two options (RFC 3396), Pad
// options and a host name that is no UTF-8; an Option Overload putting
// options in the file and sname fields; a BOOTP reply without the DHCP
// cookie; a message whose last option overruns it; hardware addresses
// other than Ethernet's.
func dhcpv4SynthMessages() [][]byte {
	mac := []byte{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}
	relayed := dhcpv4Message(1, 1, 6, 2, 0xdeadbeef, 5, 0x8000, "0.0.0.0", "0.0.0.0", "0.0.0.0", "10.0.0.1", mac, nil, nil, true,
		slices.Concat([]byte{53, 1, 3, 55, 7, 1, 121, 3, 6, 15, 119, 252, 0, 0, 55, 2, 44, 46, 12, 5, 'h', 'o', 's', 't', 0xff,
			82, 6, 1, 4, 0, 0, 0, 1, 255}, make([]byte, 8)))
	overload := dhcpv4Message(2, 1, 6, 0, 7, 0, 0, "0.0.0.0", "192.0.2.10", "192.0.2.1", "0.0.0.0", mac,
		[]byte{15, 3, 'd', 'o', 'm', 255}, []byte{12, 4, 'f', 'i', 'l', 'e', 255}, true,
		[]byte{53, 1, 5, 52, 1, 3, 54, 4, 192, 0, 2, 1, 255})
	bootp := dhcpv4Message(2, 1, 6, 0, 8, 0, 0, "0.0.0.0", "192.0.2.20", "192.0.2.1", "0.0.0.0", mac,
		[]byte("bootserver"), []byte("/boot/image"), false, make([]byte, 64))
	overrun := dhcpv4Message(1, 1, 6, 0, 9, 0, 0, "0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0", mac, nil, nil, true,
		[]byte{53, 1, 1, 61, 7, 1, 2, 0x11, 0x22, 0x33, 0x44, 0x55, 60, 200, 'M', 'S', 'F', 'T'})
	ieee802 := dhcpv4Message(1, 6, 8, 0, 10, 0, 0, "192.0.2.30", "0.0.0.0", "0.0.0.0", "0.0.0.0",
		[]byte{1, 2, 3, 4, 5, 6, 7, 8}, nil, nil, true, []byte{53, 1, 8, 255})
	noAddr := dhcpv4Message(1, 32, 0, 0, 11, 0, 0, "0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0", nil, nil, nil, true,
		[]byte{53, 1, 1, 255})
	// A hardware address length beyond the 16 bytes of chaddr (gopacket
	// rejects the message).
	tooLong := dhcpv4Message(1, 1, 20, 0, 12, 0, 0, "0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0",
		[]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, nil, nil, true, []byte{53, 1, 1, 255})
	return [][]byte{relayed, overload, bootp, overrun, ieee802, noAddr, tooLong}
}

func TestDHCPv4SynthAgainstTshark(t *testing.T) {
	t.Parallel()
	var frames [][]byte
	for i, m := range dhcpv4SynthMessages() {
		src, dst := 68, 67
		if m[0] == 2 {
			src, dst = 67, 68
		}
		if i%2 == 0 {
			frames = append(frames, udpOverIPv4(t, src, dst, m))
		} else {
			// DHCP relayed over IPv6 is not a thing, but the context
			// fields must come from either version.
			frames = append(frames, udpOverIPv6(t, src, dst, m))
		}
	}
	compare(t, dhcpv4Case, writePcap(t, layers.LinkTypeEthernet, frames...))
}

func FuzzDHCPv4(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeDHCPv4, dhcpv4SynthMessages()...)
}
