package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

var geneveDecoder = newDecoder(
	decoder.Info{Name: "Geneve", Type: types.Type_NC_Geneve, Description: "Generic Network Virtualization Encapsulation (RFC 8926)"},
	layers.LayerTypeGeneve,
	func() gopacket.DecodingLayer { return &layers.Geneve{} },
	func() *types.Geneve { return &types.Geneve{} },
	func(l *layers.Geneve, p *Packet, r *types.Geneve) {
		r.Timestamp = p.Timestamp
		r.Version = int32(l.Version)
		r.OptionsLength = int32(l.OptionsLength)
		r.OAMPacket = l.OAMPacket
		r.CriticalOption = l.CriticalOption
		r.Protocol = int32(l.Protocol)
		r.VNI = l.VNI
		for _, o := range l.Options {
			if o == nil {
				continue
			}
			r.Options = append(r.Options, &types.GeneveOption{
				Class:  int32(o.Class),
				Type:   int32(o.Type),
				Flags:  int32(o.Flags),
				Length: int32(o.Length),
				Data:   copyBytes(o.Data),
			})
		}
	},
)
