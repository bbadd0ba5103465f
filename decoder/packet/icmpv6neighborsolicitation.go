package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ICMPv6NeighborSolicitation decodes ICMPv6NeighborSolicitation records.
var ICMPv6NeighborSolicitation = newDecoder(
	decoder.Info{Name: "ICMPv6NeighborSolicitation", Type: types.Type_NC_ICMPv6NeighborSolicitation, Description: "ICMPv6 neighbor solicitation (NDP)"},
	layers.LayerTypeICMPv6NeighborSolicitation,
	func() gopacket.DecodingLayer { return &layers.ICMPv6NeighborSolicitation{} },
	func() *types.ICMPv6NeighborSolicitation { return &types.ICMPv6NeighborSolicitation{} },
	func(l *layers.ICMPv6NeighborSolicitation, p *Packet, r *types.ICMPv6NeighborSolicitation) {
		r.Timestamp = p.Timestamp
		r.TargetAddress = ipString(l.TargetAddress)
		r.Options = icmpv6Options(l.Options)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
