package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// SPI and Seq are unsigned on the wire but int32 in Netcap's schema; values
// above 2^31 wrap to negative numbers there, and here the same way.
var IPSecAH = newDecoder(
	decoder.Info{Name: "IPSecAH", Type: types.Type_NC_IPSecAH, Description: "IPsec Authentication Header"},
	layers.LayerTypeIPSecAH,
	func() gopacket.DecodingLayer { return &layers.IPSecAH{} },
	func() *types.IPSecAH { return &types.IPSecAH{} },
	func(l *layers.IPSecAH, p *Packet, r *types.IPSecAH) {
		r.Timestamp = p.Timestamp
		r.Reserved = int32(l.Reserved)
		r.SPI = int32(l.SPI)
		r.Seq = int32(l.Seq)
		r.AuthenticationData = copyBytes(l.AuthenticationData)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
