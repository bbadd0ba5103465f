package packet

import (
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ARP decodes ARP records.
var ARP = newDecoder(
	decoder.Info{Name: "ARP", Type: types.Type_NC_ARP, Description: "Address Resolution Protocol"},
	layers.LayerTypeARP,
	func() gopacket.DecodingLayer { return &layers.ARP{} },
	func() *types.ARP { return &types.ARP{} },
	func(l *layers.ARP, p *Packet, r *types.ARP) {
		r.Timestamp = p.Timestamp
		r.AddrType = int32(l.AddrType)
		r.Protocol = int32(l.Protocol)
		r.HwAddressSize = int32(l.HwAddressSize)
		r.ProtocolAddressSize = int32(l.ProtAddressSize)
		r.Operation = int32(l.Operation)
		r.SrcHwAddress = macString(l.SourceHwAddress)
		r.SrcProtocolAddress = arpProtocolAddress(l.Protocol, l.SourceProtAddress)
		r.DstHwAddress = macString(l.DstHwAddress)
		r.DstProtocolAddress = arpProtocolAddress(l.Protocol, l.DstProtAddress)
	},
)

// arpProtocolAddress formats an IPv4/IPv6 protocol address; others as hex.
func arpProtocolAddress(proto layers.EthernetType, b []byte) string {
	if (proto == layers.EthernetTypeIPv4 && len(b) == 4) || (proto == layers.EthernetTypeIPv6 && len(b) == 16) {
		return net.IP(b).String()
	}
	return net.HardwareAddr(b).String()
}
