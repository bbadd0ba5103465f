package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// USBRequestBlockSetup reads the setup packet of a USB control
// transfer, which a usbmon header carries when its setup flag is 0.
var USBRequestBlockSetup = newDecoder(
	decoder.Info{Name: "USBRequestBlockSetup", Type: types.Type_NC_USBRequestBlockSetup, Description: "USB control transfer setup packets"},
	layers.LayerTypeUSBRequestBlockSetup,
	func() gopacket.DecodingLayer { return &usbSetupLayer{} },
	func() *types.USBRequestBlockSetup { return &types.USBRequestBlockSetup{} },
	func(l *layers.USBRequestBlockSetup, p *Packet, r *types.USBRequestBlockSetup) {
		r.Timestamp = p.Timestamp
		r.RequestType = int32(l.RequestType)
		r.Request = int32(l.Request)
		r.Value = int32(l.Value)
		r.Index = int32(l.Index)
		r.Length = int32(l.Length)
	},
)

// usbSetupLayer is gopacket's USBRequestBlockSetup as a decoding layer (it
// lacks CanDecode).
type usbSetupLayer struct{ layers.USBRequestBlockSetup }

func (l *usbSetupLayer) unwrap() gopacket.Layer { return &l.USBRequestBlockSetup }

func (l *usbSetupLayer) CanDecode() gopacket.LayerClass {
	return layers.LayerTypeUSBRequestBlockSetup
}
