package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// Geneve decodes Geneve records.
var Geneve = newDecoder(
	decoder.Info{Name: "Geneve", Type: types.Type_NC_Geneve, Description: "Generic Network Virtualization Encapsulation (RFC 8926)"},
	layers.LayerTypeGeneve,
	func() gopacket.DecodingLayer { return &geneveLayer{} },
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

// geneveLayer decodes a Geneve header into a layers.Geneve the way gopacket
// does, but for one bug: gopacket keeps the options' offset in a uint8, so
// with more than 247 bytes of options (the header allows 252) the offset
// wraps, later options are read from the start of the header and the
// payload begins at the wrong byte.
type geneveLayer struct{ layers.Geneve }

func (g *geneveLayer) unwrap() gopacket.Layer { return &g.Geneve }

func (g *geneveLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 8 {
		df.SetTruncated()
		return errors.New("geneve packet too short")
	}
	g.Version = data[0] >> 6
	g.OptionsLength = (data[0] & 0x3f) * 4
	g.OAMPacket = data[1]&0x80 != 0
	g.CriticalOption = data[1]&0x40 != 0
	g.Protocol = layers.EthernetType(binary.BigEndian.Uint16(data[2:4]))
	g.VNI = uint32(data[4])<<16 | uint32(data[5])<<8 | uint32(data[6])
	g.Options = g.Options[:0]
	end := 8 + int(g.OptionsLength)
	if len(data) < end {
		df.SetTruncated()
		return errors.New("geneve packet too short")
	}
	// As in gopacket, options are read while the declared length is not
	// used up; the last one may reach past it.
	off := 8
	for off < end {
		if len(data)-off < 4 {
			df.SetTruncated()
			return errors.New("geneve option too small")
		}
		n := 4 + int(data[off+3]&0x1f)*4
		if len(data)-off < n {
			df.SetTruncated()
			return errors.New("geneve option too small")
		}
		g.Options = append(g.Options, &layers.GeneveOption{
			Class:  binary.BigEndian.Uint16(data[off : off+2]),
			Type:   data[off+2],
			Flags:  data[off+3] >> 5,
			Length: uint8(n),
			Data:   data[off+4 : off+n],
		})
		off += n
	}
	g.Contents, g.Payload = data[:off], data[off:]
	return nil
}
