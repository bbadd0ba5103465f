package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ICMPv4 decodes ICMPv4 records.
var ICMPv4 = newDecoder(
	decoder.Info{Name: "ICMPv4", Type: types.Type_NC_ICMPv4, Description: "Internet Control Message Protocol for IPv4"},
	layers.LayerTypeICMPv4,
	func() gopacket.DecodingLayer { return &layers.ICMPv4{} },
	func() *types.ICMPv4 { return &types.ICMPv4{} },
	func(l *layers.ICMPv4, p *Packet, r *types.ICMPv4) {
		r.Timestamp = p.Timestamp
		r.TypeCode = int32(l.TypeCode) // type << 8 | code
		r.Checksum = int32(l.Checksum)
		r.Id = int32(l.Id)
		r.Seq = int32(l.Seq)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
