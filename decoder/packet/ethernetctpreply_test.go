package packet_test

import (
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// ethernetCTPReplyCase compares the EthernetCTPReply records: the reply's
// function (tshark's last loop.function: forward data messages come
// first), receipt number, and the data after it (tshark's data.data, "" when
// there is none).
var ethernetCTPReplyCase = derivedCase{
	typ:    "EthernetCTPReply",
	filter: "loop.receipt_number",
	tshark: []string{"loop.function", "loop.receipt_number", "data.data"},
	ours:   []string{"Function", "ReceiptNumber", "Data"},
	rows: func(f tsharkFrame) [][]string {
		fn := f.all("loop.function")
		if len(fn) == 0 {
			return nil
		}
		return [][]string{{fn[len(fn)-1], f.at("loop.receipt_number", 0), f.at("data.data", 0)}}
	},
}

func TestEthernetCTPReplyAgainstTshark(t *testing.T) {
	t.Parallel()
	compareDerived(t, ethernetCTPReplyCase, sharedCaptures(t, ctpCaptures...)...)
}

func TestEthernetCTPReplySynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compareDerived(t, ethernetCTPReplyCase, writePcap(t, layers.LinkTypeEthernet, ctpFrames()...))
}

func FuzzEthernetCTPReply(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeEthernetCTPReply, ctpReply(7, []byte("data")), ctpReply(1, nil))
}
