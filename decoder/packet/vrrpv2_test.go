package packet_test

import (
	"net"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// vrrpCase compares every field of the VRRPv2 record with tshark's VRRP
// dissection, for versions 2 and 3. AdverInt is tshark's vrrp.adver_int
// (version 2, seconds) or vrrp.short_adver_int (version 3, the 12-bit Max
// Adver Int in centiseconds); version 3 has no authentication type, which
// the record holds as 0. IPAddress lists vrrp.ip_addr or vrrp.ipv6_addr.
var vrrpCase = tsharktest.Case{
	Type:   "VRRPv2",
	Filter: "vrrp",
	Columns: []string{"Version", "Type", "VirtualRtrID", "Priority", "CountIPAddr", "AuthType", "AdverInt", "Checksum",
		"IPAddress", "SrcIP", "DstIP"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.VRRPv2)
		return []string{decimal(r.Version), decimal(r.Type), decimal(r.VirtualRtrID), decimal(r.Priority), decimal(r.CountIPAddr),
			decimal(r.AuthType), decimal(r.AdverInt), decimal(r.Checksum), joinList(r.IPAddress), r.SrcIP, r.DstIP}
	},
	PacketRows: func(p tsharktest.Packet) [][]string {
		src, dst := p.Addrs()
		var rows [][]string
		for _, v := range p.Protocols("vrrp") {
			var addrs []string
			for _, a := range v.Fields("vrrp.ip_addr") {
				addrs = append(addrs, a.Show)
			}
			for _, a := range v.Fields("vrrp.ipv6_addr") {
				addrs = append(addrs, a.Show)
			}
			auth, adver := v.Val("vrrp.auth_type"), v.Val("vrrp.adver_int")
			if auth == "" {
				auth = "0"
			}
			if adver == "" {
				adver = v.Val("vrrp.short_adver_int")
			}
			rows = append(rows, []string{v.Val("vrrp.version"), v.Val("vrrp.type"), v.Val("vrrp.virt_rtr_id"),
				v.Val("vrrp.prio"), v.Val("vrrp.addr_count"), auth, adver, v.Val("vrrp.checksum"), joinList(addrs), src, dst})
		}
		return rows
	},
}

// TestVRRPAgainstTshark: tcpdump's vrrp.pcap has version 2 advertisements
// with one and three addresses, without and with simple text
// authentication, and version 3 advertisements over IPv4 and IPv6 (two and
// five IPv6 addresses).
func TestVRRPAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, vrrpCase, sharedCaptures(t, "public/tcpdump/vrrp.pcap")...)
}

// vrrpAdvert is a VRRP advertisement with the Internet checksum of the
// message: right for version 2; version 3's also covers an IP
// pseudo-header, which tshark only notes.
func vrrpAdvert(version, typ, vrid, prio byte, b4, b5 byte, addrs []string, auth []byte) []byte {
	m := []byte{version<<4 | typ, vrid, prio, byte(len(addrs)), b4, b5, 0, 0}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		m = append(m, ip...)
	}
	return ipChecksumAt(append(m, auth...), 6)
}

// vrrpSamples are advertisements the public capture lacks: version 2 with
// the reserved IP authentication header type (2) and a type other than
// advertisement, priority 0 (stepping down) and 255 (owner); version 3
// with the largest interval (4095 centiseconds) and no address.
func vrrpSamples() (v4 [][]byte, v6 [][]byte) {
	v4 = [][]byte{
		vrrpAdvert(2, 1, 1, 255, 2, 1, []string{"192.0.2.10"}, make([]byte, 8)),
		vrrpAdvert(2, 3, 200, 0, 0, 255, []string{"192.0.2.10", "192.0.2.11"}, []byte("12345678")),
		vrrpAdvert(3, 1, 9, 100, 0x0f, 0xff, []string{"192.0.2.20", "192.0.2.21", "192.0.2.22", "192.0.2.23"}, nil),
		vrrpAdvert(3, 1, 10, 100, 0x00, 0x64, nil, nil),
	}
	v6 = [][]byte{
		vrrpAdvert(3, 1, 11, 150, 0x01, 0x00, []string{"fe80::1"}, nil),
		vrrpAdvert(3, 1, 12, 150, 0x00, 0x01, []string{"fe80::1", "2001:db8::1", "2001:db8::2", "2001:db8::3"}, nil),
	}
	return v4, v6
}

func TestVRRPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	v4, v6 := vrrpSamples()
	var frames [][]byte
	for _, m := range v4 {
		frames = append(frames, ipv4To(t, layers.IPProtocolVRRP, "192.0.2.1", "224.0.0.18", 255, m))
	}
	for _, m := range v6 {
		frames = append(frames, ipv6To(t, layers.IPProtocolVRRP, "fe80::2", "ff02::12", m))
	}
	compare(t, vrrpCase, writePcap(t, layers.LinkTypeEthernet, frames...))
}

func FuzzVRRP(f *testing.F) {
	v4, v6 := vrrpSamples()
	fuzzLayer(f, layers.LayerTypeVRRP, slices.Concat(v4, v6)...)
}
