package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// EthernetCTPReply reads the Reply message of an Ethernet CTP
// (loopback) packet: function, receipt number and the data after them (to
// the end of the frame, as gopacket has it).
var EthernetCTPReply = newDecoder(
	decoder.Info{Name: "EthernetCTPReply", Type: types.Type_NC_EthernetCTPReply, Description: "Ethernet Configuration Testing Protocol (loopback) replies"},
	layers.LayerTypeEthernetCTPReply,
	func() gopacket.DecodingLayer { return &ctpReplyLayer{} },
	func() *types.EthernetCTPReply { return &types.EthernetCTPReply{} },
	func(l *layers.EthernetCTPReply, p *Packet, r *types.EthernetCTPReply) {
		r.Timestamp = p.Timestamp
		r.Function = int32(l.Function)
		r.ReceiptNumber = int32(l.ReceiptNumber)
		r.Data = copyBytes(l.Data)
	},
)

// ctpReplyLayer decodes a CTP Reply message into a layers.EthernetCTPReply;
// gopacket has no decoding layer for it.
type ctpReplyLayer struct{ layers.EthernetCTPReply }

func (l *ctpReplyLayer) unwrap() gopacket.Layer { return &l.EthernetCTPReply }

func (l *ctpReplyLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeEthernetCTPReply }

func (l *ctpReplyLayer) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

func (l *ctpReplyLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < ctpReplyLen {
		df.SetTruncated()
		return errors.New("EthernetCTP reply too short")
	}
	l.EthernetCTPReply = layers.EthernetCTPReply{
		Function:      layers.EthernetCTPFunction(binary.LittleEndian.Uint16(data)),
		ReceiptNumber: binary.LittleEndian.Uint16(data[2:4]),
		Data:          data[ctpReplyLen:],
	}
	l.Contents = data
	return nil
}
