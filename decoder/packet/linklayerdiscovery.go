package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// LinkLayerDiscovery reads the mandatory part of an LLDP data unit
// (IEEE 802.1AB): chassis ID, port ID and time to live. Values holds every
// other TLV as it is on the wire (optional and organisationally specific
// TLVs, and repeats of the mandatory ones), in order, without the End TLV;
// the LinkLayerDiscoveryInfo record decodes the optional ones.
var LinkLayerDiscovery = newDecoder(
	decoder.Info{Name: "LinkLayerDiscovery", Type: types.Type_NC_LinkLayerDiscovery, Description: "Link Layer Discovery Protocol (IEEE 802.1AB) chassis, port and TTL"},
	layers.LayerTypeLinkLayerDiscovery,
	func() gopacket.DecodingLayer { return &lldpLayer{} },
	func() *types.LinkLayerDiscovery { return &types.LinkLayerDiscovery{} },
	func(l *layers.LinkLayerDiscovery, p *Packet, r *types.LinkLayerDiscovery) {
		r.Timestamp = p.Timestamp
		r.ChassisID = &types.LLDPChassisID{Subtype: int32(l.ChassisID.Subtype), ID: copyBytes(l.ChassisID.ID)}
		r.PortID = &types.LLDPPortID{Subtype: int32(l.PortID.Subtype), ID: copyBytes(l.PortID.ID)}
		r.TTL = int32(l.TTL)
		if len(l.Values) > 0 {
			r.Values = make([]*types.LinkLayerDiscoveryValue, len(l.Values))
			for i, v := range l.Values {
				r.Values[i] = lldpValue(v)
			}
		}
	},
)

func lldpValue(v layers.LinkLayerDiscoveryValue) *types.LinkLayerDiscoveryValue {
	return &types.LinkLayerDiscoveryValue{Type: int32(v.Type), Length: int32(v.Length), Value: copyBytes(v.Value)}
}

// lldpTLVs appends the TLVs of an LLDP data unit to tlvs, up to and without
// the End TLV, and returns them and the length of the data unit (through
// the End TLV, or all of data when it has none). A TLV that runs past data
// (cut short by the capture) ends them: truncated is then true.
func lldpTLVs(tlvs []layers.LinkLayerDiscoveryValue, data []byte) (out []layers.LinkLayerDiscoveryValue, n int, truncated bool) {
	off := 0
	for off < len(data) {
		if len(data)-off < 2 {
			return tlvs, off, true
		}
		h := binary.BigEndian.Uint16(data[off:])
		v := layers.LinkLayerDiscoveryValue{Type: layers.LLDPTLVType(h >> 9), Length: h & 0x1ff}
		end := off + 2 + int(v.Length)
		if end > len(data) {
			return tlvs, off, true
		}
		if v.Type == layers.LLDPTLVEnd {
			return tlvs, end, false
		}
		v.Value = data[off+2 : end]
		tlvs = append(tlvs, v)
		off = end
		if len(tlvs) > 3 && v.Type <= layers.LLDPTLVTTL {
			// A repeated chassis ID, port ID or TTL TLV ends the
			// data unit, as in Wireshark (802.1AB discards such data
			// units); it is kept.
			break
		}
	}
	return tlvs, off, false
}

// lldpLayer decodes the mandatory TLVs of an LLDP data unit into a
// layers.LinkLayerDiscovery, and hands the same TLVs on to the
// LinkLayerDiscoveryInfo layer (gopacket has no decoding layer for either
// and makes both in one go). It reads a data unit as Wireshark does, where
// gopacket differs: the data unit starts with the chassis ID, port ID and
// TTL TLVs (gopacket takes them from anywhere, the last of each type); it
// ends at the End TLV, at a repeat of one of those three (kept in Values)
// or at the end of the frame (gopacket requires the End TLV). A data unit
// not starting with the three is an error; one cut short by the capture
// keeps the TLVs before the cut.
type lldpLayer struct {
	layers.LinkLayerDiscovery
	tlvs []layers.LinkLayerDiscoveryValue
}

func (l *lldpLayer) unwrap() gopacket.Layer { return &l.LinkLayerDiscovery }

func (l *lldpLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeLinkLayerDiscovery }

func (l *lldpLayer) NextLayerType() gopacket.LayerType {
	return layers.LayerTypeLinkLayerDiscoveryInfo
}

func (l *lldpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	tlvs, n, truncated := lldpTLVs(l.tlvs[:0], data)
	l.tlvs = tlvs
	if truncated {
		df.SetTruncated()
	}
	l.LinkLayerDiscovery = layers.LinkLayerDiscovery{Values: l.Values[:0]}
	if len(tlvs) < 3 || !l.mandatory(tlvs[0], tlvs[1], tlvs[2]) {
		return errors.New("LLDP data unit does not start with chassis ID, port ID and TTL")
	}
	l.Values = append(l.Values, tlvs[3:]...)
	// The Info layer reads the same TLVs.
	l.Contents, l.Payload = data[:n], data[:n]
	return nil
}

// mandatory reads the chassis ID, port ID and TTL TLVs.
func (l *lldpLayer) mandatory(chassis, port, ttl layers.LinkLayerDiscoveryValue) bool {
	if chassis.Type != layers.LLDPTLVChassisID || len(chassis.Value) < 2 ||
		port.Type != layers.LLDPTLVPortID || len(port.Value) < 2 ||
		ttl.Type != layers.LLDPTLVTTL || len(ttl.Value) < 2 {
		return false
	}
	l.ChassisID = layers.LLDPChassisID{Subtype: layers.LLDPChassisIDSubType(chassis.Value[0]), ID: chassis.Value[1:]}
	l.PortID = layers.LLDPPortID{Subtype: layers.LLDPPortIDSubType(port.Value[0]), ID: port.Value[1:]}
	l.TTL = binary.BigEndian.Uint16(ttl.Value)
	return true
}
