package packet

import (
	"errors"
	"math/bits"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// FDDI reads FDDI MAC headers (link type 10). FrameControl is the
// frame control byte without its low three bits, which are Priority, as
// gopacket splits them.
var FDDI = newDecoder(
	decoder.Info{Name: "FDDI", Type: types.Type_NC_FDDI, Description: "Fiber Distributed Data Interface MAC headers"},
	layers.LayerTypeFDDI,
	func() gopacket.DecodingLayer { return &fddiLayer{} },
	func() *types.FDDI { return &types.FDDI{} },
	func(l *layers.FDDI, p *Packet, r *types.FDDI) {
		r.Timestamp = p.Timestamp
		r.FrameControl = int32(l.FrameControl)
		r.Priority = int32(l.Priority)
		r.SrcMAC = macString(l.SrcMAC)
		r.DstMAC = macString(l.DstMAC)
	},
)

// fddiHeaderLen is frame control, destination and source address.
const fddiHeaderLen = 13

// fddiLayer decodes an FDDI header into a layers.FDDI, so FDDI frames take
// the fast path instead of gopacket.NewPacket. It differs from gopacket's
// decoder in the addresses: the header is frame control, destination,
// source (ANSI X3.139), where gopacket takes the first address for the
// source; and the addresses of link type 10 are in the order FDDI sends
// them, most significant bit of each byte first, which Wireshark (and so
// this decoder) reverses into the canonical form of a MAC address.
// Asynchronous LLC frames (frame control 0x50 to 0x57) go on to LLC, as in
// gopacket; other frames (SMT, MAC, synchronous) end there.
type fddiLayer struct {
	layers.FDDI
	dst, src [6]byte
}

func (l *fddiLayer) unwrap() gopacket.Layer { return &l.FDDI }

func (l *fddiLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeFDDI }

func (l *fddiLayer) NextLayerType() gopacket.LayerType {
	if l.FrameControl == layers.FDDIFrameControlLLC {
		return layers.LayerTypeLLC
	}
	return gopacket.LayerTypePayload
}

func (l *fddiLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < fddiHeaderLen {
		df.SetTruncated()
		return errors.New("FDDI frame too short")
	}
	for i := range 6 {
		l.dst[i] = bits.Reverse8(data[1+i])
		l.src[i] = bits.Reverse8(data[7+i])
	}
	l.FDDI = layers.FDDI{
		FrameControl: layers.FDDIFrameControl(data[0] & 0xf8),
		Priority:     data[0] & 0x07,
		DstMAC:       net.HardwareAddr(l.dst[:]),
		SrcMAC:       net.HardwareAddr(l.src[:]),
	}
	l.Contents, l.Payload = data[:fddiHeaderLen], data[fddiHeaderLen:]
	return nil
}
