package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// VXLAN decodes VXLAN records.
var VXLAN = newDecoder(
	decoder.Info{Name: "VXLAN", Type: types.Type_NC_VXLAN, Description: "Virtual eXtensible LAN (RFC 7348), with group policy bits"},
	layers.LayerTypeVXLAN,
	func() gopacket.DecodingLayer { return &layers.VXLAN{} },
	func() *types.VXLAN { return &types.VXLAN{} },
	func(l *layers.VXLAN, p *Packet, r *types.VXLAN) {
		r.Timestamp = p.Timestamp
		r.ValidIDFlag = l.ValidIDFlag
		r.VNI = l.VNI
		r.GBPExtension = l.GBPExtension
		r.GBPDontLearn = l.GBPDontLearn
		r.GBPApplied = l.GBPApplied
		r.GBPGroupPolicyID = int32(l.GBPGroupPolicyID)
	},
)
