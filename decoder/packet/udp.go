package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// UDP decodes UDP records.
var UDP = newDecoder(
	decoder.Info{Name: "UDP", Type: types.Type_NC_UDP, Description: "User Datagram Protocol"},
	layers.LayerTypeUDP,
	func() gopacket.DecodingLayer { return &layers.UDP{} },
	func() *types.UDP { return &types.UDP{} },
	func(l *layers.UDP, p *Packet, r *types.UDP) {
		r.Timestamp = p.Timestamp
		r.SrcPort = int32(l.SrcPort)
		r.DstPort = int32(l.DstPort)
		r.Length = int32(l.Length)
		r.Checksum = int32(l.Checksum)
		r.PayloadEntropy, r.PayloadSize = payloadStats(p, l.Payload)
		r.Payload = keepPayload(p, l.Payload)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
