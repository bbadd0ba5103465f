package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ICMPv6RouterAdvertisement decodes ICMPv6RouterAdvertisement records.
var ICMPv6RouterAdvertisement = newDecoder(
	decoder.Info{Name: "ICMPv6RouterAdvertisement", Type: types.Type_NC_ICMPv6RouterAdvertisement, Description: "ICMPv6 router advertisement (NDP)"},
	layers.LayerTypeICMPv6RouterAdvertisement,
	func() gopacket.DecodingLayer { return &layers.ICMPv6RouterAdvertisement{} },
	func() *types.ICMPv6RouterAdvertisement { return &types.ICMPv6RouterAdvertisement{} },
	func(l *layers.ICMPv6RouterAdvertisement, p *Packet, r *types.ICMPv6RouterAdvertisement) {
		r.Timestamp = p.Timestamp
		r.HopLimit = int32(l.HopLimit)
		r.Flags = int32(l.Flags)
		r.RouterLifetime = int32(l.RouterLifetime)
		r.ReachableTime = l.ReachableTime
		r.RetransTimer = l.RetransTimer
		r.Options = icmpv6Options(l.Options)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
