package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

var llcDecoder = newDecoder(
	decoder.Info{Name: "LLC", Type: types.Type_NC_LLC, Description: "IEEE 802.2 Logical Link Control"},
	layers.LayerTypeLLC,
	func() gopacket.DecodingLayer { return &layers.LLC{} },
	func() *types.LLC { return &types.LLC{} },
	func(l *layers.LLC, p *Packet, r *types.LLC) {
		r.Timestamp = p.Timestamp
		r.DSAP = int32(l.DSAP)
		r.IG = l.IG
		r.SSAP = int32(l.SSAP)
		r.CR = l.CR
		r.Control = int32(l.Control)
	},
)
