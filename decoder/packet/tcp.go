package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// TCP decodes TCP records.
var TCP = newDecoder(
	decoder.Info{Name: "TCP", Type: types.Type_NC_TCP, Description: "Transmission Control Protocol segments, with options"},
	layers.LayerTypeTCP,
	func() gopacket.DecodingLayer { return &layers.TCP{} },
	func() *types.TCP { return &types.TCP{} },
	func(l *layers.TCP, p *Packet, r *types.TCP) {
		r.Timestamp = p.Timestamp
		r.SrcPort = int32(l.SrcPort)
		r.DstPort = int32(l.DstPort)
		r.SeqNum = l.Seq
		r.AckNum = l.Ack
		r.DataOffset = int32(l.DataOffset)
		r.FIN, r.SYN, r.RST, r.PSH = l.FIN, l.SYN, l.RST, l.PSH
		r.ACK, r.URG, r.ECE, r.CWR, r.NS = l.ACK, l.URG, l.ECE, l.CWR, l.NS
		r.Window = int32(l.Window)
		r.Checksum = int32(l.Checksum)
		r.Urgent = int32(l.Urgent)
		r.Padding = copyBytes(l.Padding)
		if len(l.Options) > 0 {
			r.Options = p.tcpOptions(len(l.Options))
			for i, o := range l.Options {
				opt := r.Options[i]
				opt.OptionType, opt.OptionLength, opt.OptionData = int32(o.OptionType), int32(o.OptionLength), copyBytes(o.OptionData)
			}
		}
		r.PayloadEntropy, r.PayloadSize = payloadStats(p, l.Payload)
		r.Payload = keepPayload(p, l.Payload)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)
