package packet

import (
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// gopacket decodes the hop-by-hop header as part of IPv6; the parser hands
// it to this decoder, so it needs no decoding layer of its own.
var IPv6HopByHop = newDecoder(
	decoder.Info{Name: "IPv6HopByHop", Type: types.Type_NC_IPv6HopByHop, Description: "IPv6 hop-by-hop options header"},
	layers.LayerTypeIPv6HopByHop,
	nil,
	func() *types.IPv6HopByHop { return &types.IPv6HopByHop{} },
	func(l *layers.IPv6HopByHop, p *Packet, r *types.IPv6HopByHop) {
		r.Timestamp = p.Timestamp
		r.Options = hopByHopOptions(l)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

func hopByHopOptions(l *layers.IPv6HopByHop) []*types.IPv6HopByHopOption {
	if len(l.Options) == 0 {
		return nil
	}
	out := make([]*types.IPv6HopByHopOption, 0, len(l.Options))
	for _, o := range l.Options {
		if o == nil {
			continue
		}
		out = append(out, &types.IPv6HopByHopOption{
			OptionType:   int32(o.OptionType),
			OptionLength: int32(o.OptionLength),
			ActualLength: int32(o.ActualLength),
			OptionData:   copyBytes(o.OptionData),
			OptionAlignment: &types.IPv6HopByHopOptionAlignment{
				One: int32(o.OptionAlignment[0]),
				Two: int32(o.OptionAlignment[1]),
			},
		})
	}
	return out
}
