package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// Ethernet decodes Ethernet records.
var Ethernet = newDecoder(
	decoder.Info{Name: "Ethernet", Type: types.Type_NC_Ethernet, Description: "IEEE 802.3 Ethernet frames"},
	layers.LayerTypeEthernet,
	func() gopacket.DecodingLayer { return &layers.Ethernet{} },
	func() *types.Ethernet { return &types.Ethernet{} },
	func(l *layers.Ethernet, p *Packet, r *types.Ethernet) {
		r.Timestamp = p.Timestamp
		r.SrcMAC = p.addrs.macString(l.SrcMAC)
		r.DstMAC = p.addrs.macString(l.DstMAC)
		r.EthernetType = int32(l.EthernetType)
		r.PayloadEntropy, r.PayloadSize = payloadStats(p, l.Payload)
	},
)
