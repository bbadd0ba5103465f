package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/netcap-go/netcap/internal/tsharktest"
)

// ethernetCTPReplyCase compares the EthernetCTPReply records: the reply's
// function (tshark's last loop.function: forward data messages come
// first), receipt number, and the data after it (tshark's data.data, "" when
// there is none).
var ethernetCTPReplyCase = tsharktest.Case{
	Type:    "EthernetCTPReply",
	Filter:  "loop.receipt_number",
	Read:    []string{"loop.function", "loop.receipt_number", "data.data"},
	Columns: []string{"Function", "ReceiptNumber", "Data"},
	FrameRows: func(f tsharktest.Frame) [][]string {
		fn := f.All("loop.function")
		if len(fn) == 0 {
			return nil
		}
		return [][]string{{fn[len(fn)-1], f.At("loop.receipt_number", 0), f.At("data.data", 0)}}
	},
}

func TestEthernetCTPReplyAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, ethernetCTPReplyCase, sharedCaptures(t, ctpCaptures...)...)
}

func TestEthernetCTPReplySynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, ethernetCTPReplyCase, writePcap(t, layers.LinkTypeEthernet, ctpFrames()...))
}

func FuzzEthernetCTPReply(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeEthernetCTPReply, ctpReply(7, []byte("data")), ctpReply(1, nil))
}
