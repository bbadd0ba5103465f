package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// CiscoDiscovery reads the CDP header (version, TTL, checksum) and
// its TLVs as they are on the wire (Values); the CiscoDiscoveryInfo record
// decodes them.
var CiscoDiscovery = newDecoder(
	decoder.Info{Name: "CiscoDiscovery", Type: types.Type_NC_CiscoDiscovery, Description: "Cisco Discovery Protocol headers and TLVs"},
	layers.LayerTypeCiscoDiscovery,
	func() gopacket.DecodingLayer { return &cdpLayer{} },
	func() *types.CiscoDiscovery { return &types.CiscoDiscovery{} },
	func(l *layers.CiscoDiscovery, p *Packet, r *types.CiscoDiscovery) {
		r.Timestamp = p.Timestamp
		r.Version = int32(l.Version)
		r.TTL = int32(l.TTL)
		r.Checksum = int32(l.Checksum)
		if len(l.Values) > 0 {
			r.Values = make([]*types.CiscoDiscoveryValue, len(l.Values))
			for i, v := range l.Values {
				r.Values[i] = cdpValue(v)
			}
		}
	},
)

func cdpValue(v layers.CiscoDiscoveryValue) *types.CiscoDiscoveryValue {
	return &types.CiscoDiscoveryValue{Type: int32(v.Type), Length: int32(v.Length), Value: copyBytes(v.Value)}
}

// cdpTLVs appends the TLVs in data to tlvs. Each is type (2 bytes), length
// (2 bytes, counting the 4-byte header) and value. Reading stops at a TLV
// whose length is below 4 (malformed) or that runs past data (cut short:
// truncated is then true); the TLVs before it are returned.
func cdpTLVs(tlvs []layers.CiscoDiscoveryValue, data []byte) (out []layers.CiscoDiscoveryValue, truncated bool) {
	for len(data) > 0 {
		if len(data) < 4 {
			return tlvs, true
		}
		v := layers.CiscoDiscoveryValue{
			Type:   layers.CDPTLVType(binary.BigEndian.Uint16(data[0:2])),
			Length: binary.BigEndian.Uint16(data[2:4]),
		}
		if v.Length < 4 {
			return tlvs, false
		}
		if int(v.Length) > len(data) {
			return tlvs, true
		}
		v.Value = data[4:v.Length]
		tlvs = append(tlvs, v)
		data = data[v.Length:]
	}
	return tlvs, false
}

// cdpLayer decodes a CDP header and its TLVs into a layers.CiscoDiscovery
// and hands the TLVs on to the CiscoDiscoveryInfo layer (gopacket has no
// decoding layer for either). Unlike gopacket it takes any version number
// (tshark does too), and a malformed or cut-short TLV ends the TLVs instead
// of failing the packet.
type cdpLayer struct{ layers.CiscoDiscovery }

func (l *cdpLayer) unwrap() gopacket.Layer { return &l.CiscoDiscovery }

func (l *cdpLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeCiscoDiscovery }

func (l *cdpLayer) NextLayerType() gopacket.LayerType { return layers.LayerTypeCiscoDiscoveryInfo }

func (l *cdpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 4 {
		df.SetTruncated()
		return errors.New("CDP header too short")
	}
	values, truncated := cdpTLVs(l.Values[:0], data[4:])
	if truncated {
		df.SetTruncated()
	}
	l.CiscoDiscovery = layers.CiscoDiscovery{
		Version:  data[0],
		TTL:      data[1],
		Checksum: binary.BigEndian.Uint16(data[2:4]),
		Values:   values,
	}
	l.Contents, l.Payload = data[:4], data[4:]
	return nil
}
