package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// SNAP decodes SNAP records.
var SNAP = newDecoder(
	decoder.Info{Name: "SNAP", Type: types.Type_NC_SNAP, Description: "Subnetwork Access Protocol headers after LLC"},
	layers.LayerTypeSNAP,
	func() gopacket.DecodingLayer { return &layers.SNAP{} },
	func() *types.SNAP { return &types.SNAP{} },
	func(l *layers.SNAP, p *Packet, r *types.SNAP) {
		r.Timestamp = p.Timestamp
		r.OrganizationalCode = copyBytes(l.OrganizationalCode)
		r.Type = int32(l.Type)
	},
)
