package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// USB reads the Linux usbmon header of USB captures: link type 220
// (memory-mapped, a 64-byte header) and link type 189 (a 48-byte header,
// without the interval, start frame, transfer flags and descriptor count,
// which are then 0, but for the descriptor count of isochronous transfers,
// from the setup field). Setup and Data say whether the flag bytes announce a
// setup packet and data (they are 0 then). Payload, kept with -payload, is
// the data after the header, at most the captured length the header gives.
// The header is in host byte order; captures are read as little-endian,
// the order of nearly all machines that write them (as gopacket does).
var USB = newDecoder(
	decoder.Info{Name: "USB", Type: types.Type_NC_USB, Description: "Linux usbmon USB request blocks"},
	layers.LayerTypeUSB,
	func() gopacket.DecodingLayer { return &usbLayer{} },
	func() *types.USB { return &types.USB{} },
	func(l *layers.USB, p *Packet, r *types.USB) {
		r.Timestamp = p.Timestamp
		r.ID = l.ID
		r.EventType = int32(l.EventType)
		r.TransferType = int32(l.TransferType)
		r.Direction = int32(l.Direction)
		r.EndpointNumber = int32(l.EndpointNumber)
		r.DeviceAddress = int32(l.DeviceAddress)
		r.BusID = int32(l.BusID)
		r.TimestampSec = l.TimestampSec
		r.TimestampUsec = l.TimestampUsec
		r.Setup = l.Setup
		r.Data = l.Data
		r.Status = l.Status
		r.UrbLength = l.UrbLength
		r.UrbDataLength = l.UrbDataLength
		r.UrbInterval = l.UrbInterval
		r.UrbStartFrame = l.UrbStartFrame
		r.UrbCopyOfTransferFlags = l.UrbCopyOfTransferFlags
		r.IsoNumDesc = l.IsoNumDesc
		r.Payload = keepPayload(p, l.Payload)
	},
)

const (
	usbHeaderLen        = 40 // the fields both header formats share
	usbSetupLen         = 8  // the setup packet (or ISO error count and descriptor count) after them
	usbMonHeaderLen     = usbHeaderLen + usbSetupLen
	usbMmappedHeaderLen = usbMonHeaderLen + 16 // interval, start frame, transfer flags, descriptor count
)

// usbLayer decodes a memory-mapped usbmon header (link type 220) into a
// layers.USB. gopacket's decoder reads only its first 40 bytes: it leaves
// out the interval, start frame, transfer flags and descriptor count, and
// gives the setup packet's layer the rest of the frame. The setup packet is
// the 8 bytes after the first 40 when the setup flag is 0; the layer's
// LayerPayload is then those 8 bytes, its Payload field the data.
type usbLayer struct {
	layers.USB
	setup []byte
}

func (l *usbLayer) unwrap() gopacket.Layer { return &l.USB }

func (l *usbLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeUSB }

func (l *usbLayer) NextLayerType() gopacket.LayerType {
	if l.setup != nil {
		return layers.LayerTypeUSBRequestBlockSetup
	}
	return gopacket.LayerTypePayload
}

func (l *usbLayer) LayerPayload() []byte {
	if l.setup != nil {
		return l.setup
	}
	return l.Payload
}

func (l *usbLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < usbMmappedHeaderLen {
		df.SetTruncated()
		return errors.New("usbmon header too short")
	}
	le := binary.LittleEndian
	l.USB = layers.USB{
		ID:                     le.Uint64(data[0:8]),
		EventType:              layers.USBEventType(data[8]),
		TransferType:           layers.USBTransportType(data[9]),
		EndpointNumber:         data[10] & 0x7f,
		DeviceAddress:          data[11],
		BusID:                  le.Uint16(data[12:14]),
		Setup:                  data[14] == 0,
		Data:                   data[15] == 0,
		TimestampSec:           int64(le.Uint64(data[16:24])),
		TimestampUsec:          int32(le.Uint32(data[24:28])),
		Status:                 int32(le.Uint32(data[28:32])),
		UrbLength:              le.Uint32(data[32:36]),
		UrbDataLength:          le.Uint32(data[36:40]),
		UrbInterval:            le.Uint32(data[48:52]),
		UrbStartFrame:          le.Uint32(data[52:56]),
		UrbCopyOfTransferFlags: le.Uint32(data[56:60]),
		IsoNumDesc:             le.Uint32(data[60:64]),
	}
	l.Direction = layers.USBDirectionTypeOut
	if data[10]&0x80 != 0 {
		l.Direction = layers.USBDirectionTypeIn
	}
	l.setup = nil
	if l.Setup {
		l.setup = data[usbHeaderLen:usbMonHeaderLen]
	}
	payload := data[usbMmappedHeaderLen:]
	if uint64(len(payload)) > uint64(l.UrbDataLength) {
		payload = payload[:l.UrbDataLength]
	} else if uint64(len(payload)) < uint64(l.UrbDataLength) {
		df.SetTruncated()
	}
	l.Contents, l.Payload = data[:usbMmappedHeaderLen], payload
	return nil
}

// layerTypeUSBMon is a usbmon header of link type 189 (48 bytes), which
// gopacket does not know (registered in gopacket.go). Its transit layer
// (registry.go) turns it into the memory-mapped form for the USB layer.
const layerTypeUSBMon gopacket.LayerType = 1189

// linkTypeUSBLinux is DLT_USB_LINUX (189); gopacket's LinkTypeLinuxUSB is
// DLT_USB_LINUX_MMAPPED (220).
const linkTypeUSBLinux layers.LinkType = 189

// usbMonLayer turns a 48-byte usbmon header into a 64-byte one, with the
// four fields the shorter header lacks set to 0, for the USB layer; but for
// the descriptor count of an isochronous transfer, which the shorter header
// has in its setup field.
type usbMonLayer struct {
	layers.BaseLayer
	buf []byte
}

func newUSBMonLayer() gopacket.DecodingLayer { return &usbMonLayer{} }

func (l *usbMonLayer) LayerType() gopacket.LayerType     { return layerTypeUSBMon }
func (l *usbMonLayer) CanDecode() gopacket.LayerClass    { return layerTypeUSBMon }
func (l *usbMonLayer) NextLayerType() gopacket.LayerType { return layers.LayerTypeUSB }

func (l *usbMonLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < usbMonHeaderLen {
		df.SetTruncated()
		return errors.New("usbmon header too short")
	}
	l.buf = append(l.buf[:0], data[:usbMonHeaderLen]...)
	l.buf = append(l.buf, make([]byte, usbMmappedHeaderLen-usbMonHeaderLen)...)
	if data[9] == byte(layers.USBTransportTypeIsochronous) {
		// The descriptor count of an isochronous transfer is in the
		// setup field.
		copy(l.buf[60:64], data[44:48])
	}
	l.buf = append(l.buf, data[usbMonHeaderLen:]...)
	l.Contents, l.Payload = data[:usbMonHeaderLen], l.buf
	return nil
}

func decodeUSBMon(data []byte, p gopacket.PacketBuilder) error {
	l := &usbMonLayer{}
	if err := l.DecodeFromBytes(data, p); err != nil {
		return err
	}
	p.AddLayer(l)
	return p.NextDecoder(layers.LayerTypeUSB)
}
