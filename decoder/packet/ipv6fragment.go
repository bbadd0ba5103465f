package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// IPv6Fragment decodes IPv6Fragment records.
var IPv6Fragment = newDecoder(
	decoder.Info{Name: "IPv6Fragment", Type: types.Type_NC_IPv6Fragment, Description: "IPv6 fragment extension header"},
	layers.LayerTypeIPv6Fragment,
	func() gopacket.DecodingLayer { return &layers.IPv6Fragment{} },
	func() *types.IPv6Fragment { return &types.IPv6Fragment{} },
	func(l *layers.IPv6Fragment, p *Packet, r *types.IPv6Fragment) {
		r.Timestamp = p.Timestamp
		r.NextHeader = int32(l.NextHeader)
		r.Reserved1 = int32(l.Reserved1)
		r.FragmentOffset = int32(l.FragmentOffset)
		r.Reserved2 = int32(l.Reserved2)
		r.MoreFragments = l.MoreFragments
		r.Identification = l.Identification
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)
