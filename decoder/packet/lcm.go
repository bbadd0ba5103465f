package packet

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// LCM reads Lightweight Communications and Marshalling datagrams:
// small messages (magic "LC02": sequence number, channel name, data) and
// fragments of large ones (magic "LC03": sequence number, message size,
// fragment offset, fragment number and count, and in fragment 0 the
// channel name). PayloadSize, FragmentOffset, FragmentNumber and
// TotalFragments are the fragment header's fields, 0 for a small message.
// The magic and the 32-bit counters are held in int32 fields (Netcap's
// schema). LCM has no assigned port; gopacket maps none, init below maps
// UDP port 7667, the port of LCM's default URL (udpm://239.255.76.67:7667).
var LCM = onUDPPorts(newDecoder(
	decoder.Info{Name: "LCM", Type: types.Type_NC_LCM, Description: "Lightweight Communications and Marshalling datagrams (UDP port 7667)"},
	layers.LayerTypeLCM,
	func() gopacket.DecodingLayer { return &lcmLayer{} },
	func() *types.LCM { return &types.LCM{} },
	func(l gopacket.Layer, p *Packet, r *types.LCM) {
		r.Timestamp = p.Timestamp
		switch m := l.(type) {
		case *lcmLayer:
			r.Magic = int32(m.magic)
			r.SequenceNumber = int32(m.seq)
			r.PayloadSize = int32(m.size)
			r.FragmentOffset = int32(m.offset)
			r.FragmentNumber = int32(m.fragment)
			r.TotalFragments = int32(m.fragments)
			r.ChannelName = types.WireBytes(m.channel)
			r.Fragmented = m.magic == lcmFragmentMagic
		case *layers.LCM: // gopacket's, behind links decoded by gopacket
			r.Magic = int32(m.Magic)
			r.SequenceNumber = int32(m.SequenceNumber)
			r.PayloadSize = int32(m.PayloadSize)
			r.FragmentOffset = int32(m.FragmentOffset)
			r.FragmentNumber = int32(m.FragmentNumber)
			r.TotalFragments = int32(m.TotalFragments)
			r.ChannelName = types.WireString(m.ChannelName)
			r.Fragmented = m.Fragmented
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
), lcmPort) // gopacket knows the layer, not its usual port

const (
	lcmPort          = 7667
	lcmShortMagic    = 0x4c433032 // "LC02"
	lcmFragmentMagic = 0x4c433033 // "LC03"
	// lcmMaxChannel is the longest channel name LCM sends (LCM's
	// LCM_MAX_CHANNEL_NAME_LENGTH), without its terminating NUL.
	lcmMaxChannel = 63
)

// lcmLayer decodes an LCM datagram header. gopacket's LCM layer builds the
// channel name byte by byte from everything up to a NUL or the end of the
// datagram; here the name must end with a NUL within LCM's 63 characters.
type lcmLayer struct {
	magic, seq, size, offset uint32
	fragment, fragments      uint16
	channel                  []byte
	contents, payload        []byte
}

func (m *lcmLayer) LayerType() gopacket.LayerType     { return layers.LayerTypeLCM }
func (m *lcmLayer) LayerContents() []byte             { return m.contents }
func (m *lcmLayer) LayerPayload() []byte              { return m.payload }
func (m *lcmLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeLCM }
func (m *lcmLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypePayload }

func (m *lcmLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	*m = lcmLayer{}
	if len(data) < 8 {
		df.SetTruncated()
		return errors.New("LCM header too short")
	}
	m.magic = binary.BigEndian.Uint32(data[0:4])
	m.seq = binary.BigEndian.Uint32(data[4:8])
	off := 8
	switch m.magic {
	case lcmShortMagic:
	case lcmFragmentMagic:
		if len(data) < 20 {
			df.SetTruncated()
			return errors.New("LCM fragment header too short")
		}
		m.size = binary.BigEndian.Uint32(data[8:12])
		m.offset = binary.BigEndian.Uint32(data[12:16])
		m.fragment = binary.BigEndian.Uint16(data[16:18])
		m.fragments = binary.BigEndian.Uint16(data[18:20])
		off = 20
	default:
		return errors.New("unknown LCM magic")
	}
	if m.magic == lcmShortMagic || m.fragment == 0 {
		rest := data[off:min(len(data), off+lcmMaxChannel+1)]
		n := bytes.IndexByte(rest, 0)
		if n < 0 {
			df.SetTruncated()
			return errors.New("LCM channel name without its NUL")
		}
		m.channel = rest[:n]
		off += n + 1
	}
	m.contents, m.payload = data[:off], data[off:]
	return nil
}
