package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// SCTP decodes SCTP records.
var SCTP = newDecoder(
	decoder.Info{Name: "SCTP", Type: types.Type_NC_SCTP, Description: "Stream Control Transmission Protocol common header"},
	layers.LayerTypeSCTP,
	func() gopacket.DecodingLayer { return &layers.SCTP{} },
	func() *types.SCTP { return &types.SCTP{} },
	func(l *layers.SCTP, p *Packet, r *types.SCTP) {
		r.Timestamp = p.Timestamp
		r.SrcPort = int32(l.SrcPort)
		r.DstPort = int32(l.DstPort)
		r.VerificationTag = l.VerificationTag
		r.Checksum = l.Checksum
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
