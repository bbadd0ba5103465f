package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// One record per label stack entry.
var MPLS = newDecoder(
	decoder.Info{Name: "MPLS", Type: types.Type_NC_MPLS, Description: "MPLS label stack entries"},
	layers.LayerTypeMPLS,
	func() gopacket.DecodingLayer { return &mplsLayer{} },
	func() *types.MPLS { return &types.MPLS{} },
	func(l *layers.MPLS, p *Packet, r *types.MPLS) {
		r.Timestamp = p.Timestamp
		r.Label = int32(l.Label)
		r.TrafficClass = int32(l.TrafficClass)
		r.StackBottom = l.StackBottom
		r.TTL = int32(l.TTL)
	},
)
