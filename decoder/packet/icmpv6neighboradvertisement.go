package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ICMPv6NeighborAdvertisement decodes ICMPv6NeighborAdvertisement records.
var ICMPv6NeighborAdvertisement = newDecoder(
	decoder.Info{Name: "ICMPv6NeighborAdvertisement", Type: types.Type_NC_ICMPv6NeighborAdvertisement, Description: "ICMPv6 neighbor advertisement (NDP)"},
	layers.LayerTypeICMPv6NeighborAdvertisement,
	func() gopacket.DecodingLayer { return &layers.ICMPv6NeighborAdvertisement{} },
	func() *types.ICMPv6NeighborAdvertisement { return &types.ICMPv6NeighborAdvertisement{} },
	func(l *layers.ICMPv6NeighborAdvertisement, p *Packet, r *types.ICMPv6NeighborAdvertisement) {
		r.Timestamp = p.Timestamp
		r.Flags = int32(l.Flags)
		r.TargetAddress = ipString(l.TargetAddress)
		r.Options = icmpv6Options(l.Options)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
