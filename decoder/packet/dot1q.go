package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// Dot1Q decodes Dot1Q records.
var Dot1Q = newDecoder(
	decoder.Info{Name: "Dot1Q", Type: types.Type_NC_Dot1Q, Description: "IEEE 802.1Q VLAN tags"},
	layers.LayerTypeDot1Q,
	func() gopacket.DecodingLayer { return &layers.Dot1Q{} },
	func() *types.Dot1Q { return &types.Dot1Q{} },
	func(l *layers.Dot1Q, p *Packet, r *types.Dot1Q) {
		r.Timestamp = p.Timestamp
		r.Priority = int32(l.Priority)
		r.DropEligible = l.DropEligible
		r.VLANIdentifier = int32(l.VLANIdentifier)
		r.Type = int32(l.Type)
	},
)
