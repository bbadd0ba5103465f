package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// IPv4 decodes IPv4 records.
var IPv4 = newDecoder(
	decoder.Info{Name: "IPv4", Type: types.Type_NC_IPv4, Description: "Internet Protocol version 4 (RFC 791), with options"},
	layers.LayerTypeIPv4,
	func() gopacket.DecodingLayer { return &layers.IPv4{} },
	func() *types.IPv4 { return &types.IPv4{} },
	func(l *layers.IPv4, p *Packet, r *types.IPv4) {
		r.Timestamp = p.Timestamp
		r.Version = int32(l.Version)
		r.IHL = int32(l.IHL)
		r.TOS = int32(l.TOS)
		r.Length = int32(l.Length)
		r.Id = int32(l.Id)
		r.Flags = int32(l.Flags)
		r.FragOffset = int32(l.FragOffset)
		r.TTL = int32(l.TTL)
		r.Protocol = int32(l.Protocol)
		r.Checksum = int32(l.Checksum)
		r.SrcIP = p.addrs.ipString(l.SrcIP)
		r.DstIP = p.addrs.ipString(l.DstIP)
		r.Padding = copyBytes(l.Padding)
		if len(l.Options) > 0 {
			r.Options = make([]*types.IPv4Option, len(l.Options))
			for i, o := range l.Options {
				r.Options[i] = &types.IPv4Option{
					OptionType:   int32(o.OptionType),
					OptionLength: int32(o.OptionLength),
					OptionData:   copyBytes(o.OptionData),
				}
			}
		}
		r.PayloadEntropy, r.PayloadSize = payloadStats(p, l.Payload)
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)
