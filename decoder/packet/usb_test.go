package packet_test

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// usbmonHeader is a Linux usbmon header: the 48 bytes of link type 189,
// and with mmapped the 16 more of link type 220 (interval, start frame,
// transfer flags, descriptor count). setup is the 8 bytes after the first
// 40 (a setup packet, or ISO error count and descriptor count).
type usbmonHeader struct {
	id                   uint64
	event, xfer, ep, dev byte
	bus                  uint16
	flagSetup, flagData  byte
	sec                  int64
	usec, status         int32
	length, capLen       uint32
	setup                []byte
	interval, start      int32
	flags, ndesc         uint32
}

func (h usbmonHeader) bytes(mmapped bool) []byte {
	le := binary.LittleEndian
	b := le.AppendUint64(nil, h.id)
	b = append(b, h.event, h.xfer, h.ep, h.dev)
	b = le.AppendUint16(b, h.bus)
	b = append(b, h.flagSetup, h.flagData)
	b = le.AppendUint64(b, uint64(h.sec))
	b = le.AppendUint32(b, uint32(h.usec))
	b = le.AppendUint32(b, uint32(h.status))
	b = le.AppendUint32(b, h.length)
	b = le.AppendUint32(b, h.capLen)
	b = append(b, (slices.Concat(h.setup, make([]byte, 8)))[:8]...)
	if mmapped {
		b = le.AppendUint32(b, uint32(h.interval))
		b = le.AppendUint32(b, uint32(h.start))
		b = le.AppendUint32(b, h.flags)
		b = le.AppendUint32(b, h.ndesc)
	}
	return b
}

// usbFrames are usbmon frames of a control transfer (GET_DESCRIPTOR
// submit with its setup packet, completion with data), a bulk OUT submit
// with data, an interrupt IN completion with an error status, and an
// isochronous submit, with the header of link type 220 (mmapped) or 189.
func usbFrames(mmapped bool) [][]byte {
	desc := []byte{0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x6b, 0x1d, 0x02, 0x00, 0x01, 0x06, 0x03, 0x02, 0x01, 0x01}
	bulk := []byte("USB bulk transfer data")
	hs := []struct {
		h    usbmonHeader
		data []byte
	}{
		{usbmonHeader{id: 0xffff88003b6fd480, event: 'S', xfer: 2, ep: 0x80, dev: 3, bus: 1, flagSetup: 0, flagData: '<',
			sec: 1700000000, usec: 123456, status: -115, length: 18, setup: []byte{0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00},
			interval: 0, start: 0, flags: 0x200}, nil},
		{usbmonHeader{id: 0xffff88003b6fd480, event: 'C', xfer: 2, ep: 0x80, dev: 3, bus: 1, flagSetup: '-', flagData: 0,
			sec: 1700000000, usec: 123999, status: 0, length: 18, capLen: 18, flags: 0x200}, desc},
		{usbmonHeader{id: 0xffff8800aa000001, event: 'S', xfer: 3, ep: 0x02, dev: 5, bus: 2, flagSetup: '-', flagData: 0,
			sec: 1700000001, usec: 7, status: -115, length: 512, capLen: uint32(len(bulk)), flags: 0x1}, bulk},
		{usbmonHeader{id: 0xffff8800aa000002, event: 'E', xfer: 1, ep: 0x81, dev: 5, bus: 2, flagSetup: '-', flagData: '>',
			sec: 1700000002, usec: 999999, status: -32, length: 8, interval: 8, start: 0}, nil},
		{usbmonHeader{id: 0xffff8800aa000003, event: 'S', xfer: 0, ep: 0x83, dev: 7, bus: 3, flagSetup: '-', flagData: '<',
			sec: 1700000003, usec: 1, status: -115, length: 192, setup: []byte{0, 0, 0, 0, 2, 0, 0, 0},
			interval: 1, start: 100, flags: 0x2, ndesc: 2}, nil},
	}
	var out [][]byte
	for _, x := range hs {
		out = append(out, slices.Concat(x.h.bytes(mmapped), x.data))
	}
	return out
}

func usbCaptures(t *testing.T) []string {
	return []string{writePcap(t, layers.LinkTypeLinuxUSB, usbFrames(true)...), writePcap(t, 189, usbFrames(false)...)}
}

// usbChar turns tshark's rendering of a character field ('S', '\0') into
// its code.
func usbChar(v string) string {
	switch {
	case v == `'\0'`:
		return "0"
	case len(v) == 3 && v[0] == '\'' && v[2] == '\'':
		return decimal(v[1])
	}
	return "bad char " + v
}

// usbFlag is the record's Setup or Data: the flag byte is 0.
func usbFlag(v string) string {
	if v == `'\0'` {
		return "1"
	}
	return "0"
}

// usbCase compares the USB records. Direction is gopacket's: 1 in, 2 out
// (Read: 1 in, 0 out). The interval, start frame and transfer flags are
// in the header of link type 220 only (0 for 189). The number of ISO
// descriptors is the extended header's (220; tshark shows it after the
// one in the setup field) or the setup field's (189, isochronous
// transfers).
var usbCase = tsharktest.Case{
	Type:   "USB",
	Filter: "usb",
	Fields: []tsharktest.Field{
		{Ours: "ID", Tshark: "usb.urb_id"},
		{Ours: "EventType", Tshark: "usb.urb_type", Conv: usbChar},
		{Ours: "TransferType", Tshark: "usb.transfer_type"},
		{Ours: "Direction", Tshark: "usb.endpoint_address.direction", Conv: func(v string) string { return mapInt(v, func(n int) int { return 2 - n }) }},
		{Ours: "EndpointNumber", Tshark: "usb.endpoint_address.number"},
		{Ours: "DeviceAddress", Tshark: "usb.device_address"},
		{Ours: "BusID", Tshark: "usb.bus_id"},
		{Ours: "TimestampSec", Tshark: "usb.urb_ts_sec"},
		{Ours: "TimestampUsec", Tshark: "usb.urb_ts_usec"},
		{Ours: "Setup", Tshark: "usb.setup_flag", Conv: usbFlag},
		{Ours: "Data", Tshark: "usb.data_flag", Conv: usbFlag},
		{Ours: "Status", Tshark: "usb.urb_status"},
		{Ours: "UrbLength", Tshark: "usb.urb_len"},
		{Ours: "UrbDataLength", Tshark: "usb.data_len"},
		{Ours: "UrbInterval", Tshark: "usb.interval", Conv: zeroWhenAbsent},
		{Ours: "UrbStartFrame", Tshark: "usb.start_frame", Conv: zeroWhenAbsent},
		{Ours: "UrbCopyOfTransferFlags", Tshark: "usb.copy_of_transfer_flags", Conv: zeroWhenAbsent},
	},
}

// usbNumDescCase compares IsoNumDesc (see usbCase); tshark has the field
// once or twice per packet.
var usbNumDescCase = tsharktest.Case{
	Type:    "USB",
	Filter:  "usb",
	Read:    []string{"usb.urb_id", "usb.iso.numdesc"},
	Columns: []string{"ID", "IsoNumDesc"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		n := f.All("usb.iso.numdesc")
		last := "0"
		if len(n) > 0 {
			last = n[len(n)-1]
		}
		return [][]string{{tsharktest.Normalize(f.At("usb.urb_id", 0)), last}}
	},
}

// usbPayloadCase compares the data kept with -payload: the bytes after the
// header, as many as the header's captured length (usb.data_len), which
// tshark's fields cover.
func usbPayloadCase(hdrLen int) tsharktest.Case {
	return tsharktest.Case{
		Type:    "USB",
		Filter:  "usb",
		Columns: []string{"ID", "Payload"},
		OursRow: func(m proto.Message) []string {
			r := m.(*types.USB)
			return []string{decimal(r.ID), hex.EncodeToString(r.Payload)}
		},
		PacketRows: func(f tsharktest.Packet) [][]string {
			n, _ := strconv.Atoi(f.ShowOf("usb.data_len"))
			return [][]string{{tsharktest.Normalize(f.ShowOf("usb.urb_id")), f.Span(hdrLen, hdrLen+n)}}
		},
	}
}

// TestUSBSynthAgainstTshark: no public capture is of USB. Control,
// bulk, interrupt and isochronous transfers with the headers of link
// types 220 and 189 (see usbFrames).
func TestUSBSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	pcaps := usbCaptures(t)
	compare(t, usbCase, pcaps...)
	compare(t, usbNumDescCase, pcaps...)
	compareWith(t, withPayloads, usbPayloadCase(64), pcaps[0])
	compareWith(t, withPayloads, usbPayloadCase(48), pcaps[1])
}

func FuzzUSB(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeUSB, usbFrames(true)...)
}
