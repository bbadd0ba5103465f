package bpf

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// BenchmarkMatch runs filters on a typical frame: Ethernet, IPv4, TCP to
// port 443 with 1,400 bytes of payload.
func BenchmarkMatch(b *testing.B) {
	ip := ipv4(layers.IPProtocolTCP)
	payload := make([]byte, 1400)
	frame := etherFrame(0x0800, serialize(b, ip, tcpSeg(51000, 443, false, ip), gopacketPayload(payload)))
	for _, c := range []struct{ name, expr string }{
		{"tcp", "tcp"},
		{"tcp_port_443", "tcp port 443"},
		{"host_and_port", "host 10.1.2.3 and (port 80 or 443)"},
		{"not_port_22_miss_all", "not port 22 and not arp and not host 192.0.2.1"},
		{"tcpflags", "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0"},
		{"vlan_tcp", "vlan and tcp port 443"},
	} {
		flt, err := NewFilter(c.expr, layers.LinkTypeEthernet, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(frame)))
			for b.Loop() {
				flt.Match(frame)
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("host 10.1.2.3 and tcp and (port 80 or 443) and not net 192.168.0.0/16", layers.LinkTypeEthernet, 0); err != nil {
			b.Fatal(err)
		}
	}
}
