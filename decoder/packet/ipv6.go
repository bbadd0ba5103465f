package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// IPv6 decodes IPv6 records.
var IPv6 = newDecoder(
	decoder.Info{Name: "IPv6", Type: types.Type_NC_IPv6, Description: "Internet Protocol version 6 (RFC 8200)"},
	layers.LayerTypeIPv6,
	func() gopacket.DecodingLayer { return &layers.IPv6{} },
	func() *types.IPv6 { return &types.IPv6{} },
	func(l *layers.IPv6, p *Packet, r *types.IPv6) {
		r.Timestamp = p.Timestamp
		r.Version = int32(l.Version)
		r.TrafficClass = int32(l.TrafficClass)
		r.FlowLabel = l.FlowLabel
		r.Length = int32(l.Length)
		r.NextHeader = int32(l.NextHeader)
		r.HopLimit = int32(l.HopLimit)
		r.SrcIP = p.addrs.ipString(l.SrcIP)
		r.DstIP = p.addrs.ipString(l.DstIP)
		r.PayloadEntropy, r.PayloadSize = payloadStats(p, l.Payload)
		if l.HopByHop != nil {
			r.HopByHop = &types.IPv6HopByHop{Timestamp: p.Timestamp, Options: hopByHopOptions(l.HopByHop)}
		}
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)
