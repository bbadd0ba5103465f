package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ICMPv6RouterSolicitation decodes ICMPv6RouterSolicitation records.
var ICMPv6RouterSolicitation = newDecoder(
	decoder.Info{Name: "ICMPv6RouterSolicitation", Type: types.Type_NC_ICMPv6RouterSolicitation, Description: "ICMPv6 router solicitation (NDP)"},
	layers.LayerTypeICMPv6RouterSolicitation,
	func() gopacket.DecodingLayer { return &layers.ICMPv6RouterSolicitation{} },
	func() *types.ICMPv6RouterSolicitation { return &types.ICMPv6RouterSolicitation{} },
	func(l *layers.ICMPv6RouterSolicitation, p *Packet, r *types.ICMPv6RouterSolicitation) {
		r.Timestamp = p.Timestamp
		r.Options = icmpv6Options(l.Options)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
