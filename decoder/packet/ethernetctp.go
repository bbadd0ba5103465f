package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// EthernetCTP reads the skip count of Ethernet Configuration Testing
// Protocol (loopback, EtherType 0x9000) packets.
var EthernetCTP = newDecoder(
	decoder.Info{Name: "EthernetCTP", Type: types.Type_NC_EthernetCTP, Description: "Ethernet Configuration Testing Protocol (loopback) headers"},
	layers.LayerTypeEthernetCTP,
	func() gopacket.DecodingLayer { return &ctpLayer{} },
	func() *types.EthernetCTP { return &types.EthernetCTP{} },
	func(l *layers.EthernetCTP, p *Packet, r *types.EthernetCTP) {
		r.Timestamp = p.Timestamp
		r.SkipCount = int32(l.SkipCount)
	},
)

// CTP function codes (little-endian on the wire, like the skip count).
const (
	ctpFunctionReply       = 1
	ctpFunctionForwardData = 2
	ctpForwardDataLen      = 8 // function and forward address
	ctpReplyLen            = 4 // function and receipt number
)

// ctpLayer decodes the skip count into a layers.EthernetCTP (gopacket has
// no decoding layer for it) and walks the messages after it, as gopacket
// and tshark do, from the first one whatever the skip count says: Forward
// Data messages are passed over, a Reply message is the
// EthernetCTPReply layer. An unknown function ends the packet; gopacket
// fails it, and drops packets with an odd skip count or one past the data,
// which tshark reads and so does this layer.
type ctpLayer struct {
	layers.EthernetCTP
	next gopacket.LayerType
}

func (l *ctpLayer) unwrap() gopacket.Layer { return &l.EthernetCTP }

func (l *ctpLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeEthernetCTP }

func (l *ctpLayer) NextLayerType() gopacket.LayerType { return l.next }

func (l *ctpLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 2 {
		df.SetTruncated()
		return errors.New("EthernetCTP packet too short")
	}
	l.EthernetCTP = layers.EthernetCTP{SkipCount: binary.LittleEndian.Uint16(data)}
	l.Contents = data[:2]
	msgs := data[2:]
	l.next = gopacket.LayerTypePayload
	for len(msgs) >= 2 && binary.LittleEndian.Uint16(msgs) == ctpFunctionForwardData {
		if len(msgs) < ctpForwardDataLen {
			df.SetTruncated()
			break
		}
		msgs = msgs[ctpForwardDataLen:]
	}
	if len(msgs) >= 2 && binary.LittleEndian.Uint16(msgs) == ctpFunctionReply {
		l.next = layers.LayerTypeEthernetCTPReply
	}
	l.Payload = msgs
	return nil
}
