package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ICMPv6Echo decodes ICMPv6Echo records.
var ICMPv6Echo = newDecoder(
	decoder.Info{Name: "ICMPv6Echo", Type: types.Type_NC_ICMPv6Echo, Description: "ICMPv6 echo request and reply"},
	layers.LayerTypeICMPv6Echo,
	func() gopacket.DecodingLayer { return &layers.ICMPv6Echo{} },
	func() *types.ICMPv6Echo { return &types.ICMPv6Echo{} },
	func(l *layers.ICMPv6Echo, p *Packet, r *types.ICMPv6Echo) {
		r.Timestamp = p.Timestamp
		r.Identifier = int32(l.Identifier)
		r.SeqNumber = int32(l.SeqNumber)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
