package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Decoding layers gopacket lacks for its fast path, written here so the
// layers of a packet decode without gopacket.NewPacket.

// mplsLayer decodes one MPLS label stack entry (RFC 3032). After the bottom
// of the stack it guesses IPv4 or IPv6 from the version nibble, as gopacket
// does; anything else ends decoding.
type mplsLayer struct{ layers.MPLS }

func (m *mplsLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 4 {
		df.SetTruncated()
		return errors.New("MPLS label stack entry too short")
	}
	v := binary.BigEndian.Uint32(data[:4])
	m.Label = v >> 12
	m.TrafficClass = uint8(v>>9) & 0x7
	m.StackBottom = v&0x100 != 0
	m.TTL = uint8(v)
	m.Contents, m.Payload = data[:4], data[4:]
	return nil
}

func (m *mplsLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeMPLS }

func (m *mplsLayer) NextLayerType() gopacket.LayerType {
	if !m.StackBottom {
		return layers.LayerTypeMPLS
	}
	return guessIP(m.Payload)
}

// guessIP names the IP version that starts data, or Payload.
func guessIP(data []byte) gopacket.LayerType {
	if len(data) > 0 {
		switch data[0] >> 4 {
		case 4:
			return layers.LayerTypeIPv4
		case 6:
			return layers.LayerTypeIPv6
		}
	}
	return gopacket.LayerTypePayload
}

// igmpLayer picks IGMPv1/v2 or IGMPv3 decoding by message type and length,
// the way gopacket's decodeIGMP does, so one slot serves all versions.
type igmpLayer struct {
	v12     layers.IGMPv1or2
	v3      layers.IGMP
	current gopacket.Layer
	payload []byte
}

func (i *igmpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 1 {
		return errors.New("IGMP message too short")
	}
	v3 := false
	switch layers.IGMPType(data[0]) {
	case layers.IGMPMembershipQuery:
		switch {
		case len(data) >= 12:
			v3 = true
		case len(data) == 8:
		default:
			return errors.New("IGMP membership query of unknown version")
		}
	case layers.IGMPMembershipReportV3:
		v3 = true
	case layers.IGMPMembershipReportV1, layers.IGMPLeaveGroup, layers.IGMPMembershipReportV2:
	default:
		return errors.New("unknown IGMP message type")
	}
	if v3 {
		i.v3 = layers.IGMP{Version: 3}
		if err := i.v3.DecodeFromBytes(data, df); err != nil {
			return err
		}
		// gopacket keeps neither the message bytes nor, for v3, the
		// version: the IGMP decoder reads the raw time codes from Contents.
		i.v3.Version, i.v3.Contents = 3, data
		i.current, i.payload = &i.v3, i.v3.Payload
		return nil
	}
	i.v12 = layers.IGMPv1or2{}
	if err := i.v12.DecodeFromBytes(data, df); err != nil {
		return err
	}
	switch {
	case layers.IGMPType(data[0]) == layers.IGMPMembershipReportV1,
		layers.IGMPType(data[0]) == layers.IGMPMembershipQuery && data[1] == 0:
		i.v12.Version = 1
	default:
		i.v12.Version = 2
	}
	i.v12.Contents = data
	i.current, i.payload = &i.v12, i.v12.Payload
	return nil
}

func (i *igmpLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeIGMP }
func (i *igmpLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }
func (i *igmpLayer) LayerPayload() []byte              { return i.payload }

// LayerType, LayerContents: igmpLayer is also a gopacket.Layer so the
// parser can hand it to the IGMP decoder, which unwraps it.
func (i *igmpLayer) LayerType() gopacket.LayerType { return layers.LayerTypeIGMP }
func (i *igmpLayer) LayerContents() []byte {
	if i.current == nil {
		return nil
	}
	return i.current.LayerContents()
}
