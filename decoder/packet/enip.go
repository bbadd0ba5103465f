package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// ENIP reads EtherNet/IP encapsulation messages (TCP port 44818 and
// UDP port 44818): the 24-byte header and, as CommandSpecific.Data, the
// command's data (Length bytes after the header, or what the segment
// holds of them). A CIP message carried in a SendRRData or SendUnitData
// command is decoded by the CIP decoder.
//
// ENIP is decoded per TCP segment, without reassembly (as Netcap v0.6.11):
// every message of a segment yields a record; a message cut by the end of
// the segment yields one with the data present (and no CIP record); the
// segments continuing it are read as ENIP messages too if they hold 24
// bytes or more, as tshark does without reassembly.
//
// UDP port 2222 carries CIP I/O data (Common Packet Format items, no
// encapsulation header), which gopacket maps to its ENIP layer:
// RegisterLayerTypes (gopacket.go) takes the mapping back, so that I/O data
// is not read as ENIP headers.
var ENIP = newDecoder(
	decoder.Info{
		Name: "ENIP", Type: types.Type_NC_ENIP, Aliases: []string{"Ethernet/IP"},
		Description: "EtherNet/IP encapsulation messages, per TCP segment",
	},
	layers.LayerTypeENIP,
	func() gopacket.DecodingLayer { return &enipLayer{} },
	func() *types.ENIP { return &types.ENIP{} },
	func(l *layers.ENIP, p *Packet, r *types.ENIP) {
		r.Timestamp = p.Timestamp
		r.Command = uint32(l.Command)
		r.Length = uint32(l.Length)
		r.SessionHandle = l.SessionHandle
		r.Status = l.Status
		r.SenderContext = copyBytes(l.SenderContext)
		r.Options = l.Options
		r.CommandSpecific = &types.ENIPCommandSpecificData{
			Cmd:  uint32(l.CommandSpecific.Cmd),
			Data: copyBytes(l.CommandSpecific.Data),
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

const enipHeaderLen = 24

// ENIP commands that carry CIP.
const (
	enipSendRRData   = 0x006f
	enipSendUnitData = 0x0070
)

// looksLikeENIP reports whether data can hold an encapsulation header. The
// command is not checked: tshark takes any for ENIP on its ports.
func looksLikeENIP(data []byte) bool { return len(data) >= enipHeaderLen }

// enipLayer decodes one encapsulation message into a layers.ENIP. It is
// written here because gopacket's ENIP layer reads the Common Packet
// Format items with a table of item sizes and fails the message on an item
// type the table lacks or on an item cut by the end of the segment, keeps
// as command-specific data of SendRRData and SendUnitData only the part
// before the data item (whose data is the CIP message), and ends the
// packet after the first message where TCP segments often hold several.
// Here every item is read by its length, the command-specific data is all
// of it, the CIP message is the data of the first data item (after the
// sequence count of a connected one), and the messages after this one in
// the segment are decoded too.
//
// The parser gives a layer one payload, but a CIP message and the next
// ENIP message both follow this one: the payload handed to the CIP layer
// is therefore framed as a 2-byte length, the CIP message, then the bytes
// after this ENIP message (see cipLayer).
type enipLayer struct {
	layers.ENIP
	next    gopacket.LayerType
	payload []byte
	framed  []byte // the CIP layer's framed payload, reused
}

func (e *enipLayer) unwrap() gopacket.Layer { return &e.ENIP }

func (e *enipLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < enipHeaderLen {
		df.SetTruncated()
		return errors.New("short ENIP header")
	}
	e.Command = layers.ENIPCommand(binary.LittleEndian.Uint16(data[0:2]))
	e.Length = binary.LittleEndian.Uint16(data[2:4])
	e.SessionHandle = binary.LittleEndian.Uint32(data[4:8])
	e.Status = binary.LittleEndian.Uint32(data[8:12])
	e.SenderContext = data[12:20]
	e.Options = binary.LittleEndian.Uint32(data[20:24])
	end := enipHeaderLen + int(e.Length)
	if end > len(data) {
		df.SetTruncated()
		end = len(data)
	}
	e.CommandSpecific = layers.ENIPCommandSpecificData{Cmd: e.Command, Data: data[enipHeaderLen:end]}
	rest := data[end:]
	e.Contents, e.ENIP.Payload = data[:end], rest
	if cip, ok := enipCIP(uint16(e.Command), e.CommandSpecific.Data); ok {
		e.framed = binary.BigEndian.AppendUint16(e.framed[:0], uint16(len(cip)))
		e.framed = append(append(e.framed, cip...), rest...)
		e.next, e.payload = layers.LayerTypeCIP, e.framed
		return nil
	}
	e.next, e.payload = gopacket.LayerTypePayload, rest
	if looksLikeENIP(rest) {
		e.next = layers.LayerTypeENIP
	}
	return nil
}

func (e *enipLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeENIP }
func (e *enipLayer) NextLayerType() gopacket.LayerType { return e.next }
func (e *enipLayer) LayerPayload() []byte              { return e.payload }

// Common Packet Format data items.
const (
	cpfConnectedData   = 0x00b1
	cpfUnconnectedData = 0x00b2
)

// enipCIP returns the CIP message in the command-specific data csd of a
// SendRRData or SendUnitData command: interface handle (0 for CIP),
// timeout, item count, then items of type, length and data. The message is
// the data of the first data item: an unconnected one, or a connected one
// after its 2-byte sequence count. An item cut by the end of csd (the end
// of the segment) gives none, as in tshark: there is no CIP record for a
// message split over segments.
func enipCIP(cmd uint16, csd []byte) ([]byte, bool) {
	if cmd != enipSendRRData && cmd != enipSendUnitData {
		return nil, false
	}
	if len(csd) < 8 || binary.LittleEndian.Uint32(csd[0:4]) != 0 {
		return nil, false
	}
	count := int(binary.LittleEndian.Uint16(csd[6:8]))
	off := 8
	for i := 0; i < count && len(csd)-off >= 4; i++ {
		typ := binary.LittleEndian.Uint16(csd[off : off+2])
		n := int(binary.LittleEndian.Uint16(csd[off+2 : off+4]))
		if n > len(csd)-off-4 {
			return nil, false
		}
		item := csd[off+4 : off+4+n]
		switch typ {
		case cpfUnconnectedData:
			return item, len(item) > 0
		case cpfConnectedData:
			if len(item) <= 2 {
				return nil, false
			}
			return item[2:], true
		}
		off += 4 + len(item)
	}
	return nil, false
}
