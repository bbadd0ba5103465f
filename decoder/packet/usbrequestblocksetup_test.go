package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// usbSetupCase compares the USBRequestBlockSetup records. tshark has
// wValue and wIndex as fields only for requests it does not dissect
// further (a standard GET_DESCRIPTOR's are descriptor type and index, and
// language ID): the test reads them from the setup packet's bytes (the
// "Setup Data" item of tshark's tree; the positions tshark gives its fields
// of vendor requests are off by one), little-endian.
var usbSetupCase = tsharktest.Case{
	Type:    "USBRequestBlockSetup",
	Filter:  "usb.bmRequestType",
	Columns: []string{"RequestType", "Request", "Value", "Index", "Length"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.USBRequestBlockSetup)
		return []string{decimal(r.RequestType), decimal(r.Request), decimal(r.Value), decimal(r.Index), decimal(r.Length)}
	},
	PacketRows: func(f tsharktest.Packet) [][]string {
		setup := "no setup data"
		for _, fl := range f.Nodes() {
			if fl.Name == "" && fl.Show == "Setup Data" && len(fl.Value) == 16 {
				setup = fl.Value
			}
		}
		if len(setup) != 16 {
			return [][]string{{setup}}
		}
		return [][]string{{tsharktest.Normalize(f.ShowOf("usb.bmRequestType")), f.ShowOf("usb.setup.bRequest"), l2LEHex(setup[4:8]),
			l2LEHex(setup[8:12]), f.ShowOf("usb.setup.wLength")}}
	},
}

// usbSetupFrames are control transfer submissions with setup packets (a
// standard GET_DESCRIPTOR, a class request to an interface, a vendor
// request with a data stage OUT), with the headers of link types 220 and
// 189.
func usbSetupFrames(mmapped bool) [][]byte {
	var out [][]byte
	for i, setup := range [][]byte{
		{0x80, 0x06, 0x00, 0x03, 0x09, 0x04, 0xff, 0x00},
		{0x21, 0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00},
		{0x40, 0xa5, 0x34, 0x12, 0x78, 0x56, 0x04, 0x00},
	} {
		h := usbmonHeader{id: uint64(0x1000 + i), event: 'S', xfer: 2, ep: setup[0] & 0x80, dev: 9, bus: 1, flagSetup: 0,
			flagData: '<', sec: 1700000000, usec: int32(i), status: -115, length: uint32(setup[6]), setup: setup}
		data := []byte(nil)
		if setup[0]&0x80 == 0 && setup[6] > 0 {
			h.flagData, h.capLen = 0, uint32(setup[6])
			data = []byte{1, 2, 3, 4}[:setup[6]]
		}
		out = append(out, append(h.bytes(mmapped), data...))
	}
	return out
}

// TestUSBRequestBlockSetupSynthAgainstTshark: no public capture is of
// USB. The setup packets of usbFrames and usbSetupFrames.
func TestUSBRequestBlockSetupSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, usbSetupCase, usbCaptures(t)...)
	compare(t, usbSetupCase,
		writePcap(t, layers.LinkTypeLinuxUSB, usbSetupFrames(true)...), writePcap(t, 189, usbSetupFrames(false)...))
}

func FuzzUSBRequestBlockSetup(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeUSBRequestBlockSetup, []byte{0x80, 0x06, 0x00, 0x03, 0x09, 0x04, 0xff, 0x00})
}
