package packet_test

import (
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// eapCase compares the EAP records: code, identifier, length, type (0 for
// Success and Failure, which have none) and the type data, the bytes of
// the fields tshark dissects after the type, up to the packet's length.
// The filter keeps EAP in EAPOL; EAP inside RADIUS attributes is compared
// by the RADIUS tests (radius_test.go).
var eapCase = tsharktest.Case{
	Type:    "EAP",
	Filter:  "eap && eapol",
	Columns: []string{"Code", "Id", "Length", "Type", "TypeData"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.EAP)
		return []string{decimal(r.Code), decimal(r.Id), decimal(r.Length), decimal(r.Type), hex.EncodeToString(r.TypeData)}
	},
	PacketRows: func(f tsharktest.Packet) [][]string {
		p := f.All("eap")
		if len(p) != 1 {
			return [][]string{{"tshark has " + decimal(len(p)) + " EAP packets"}}
		}
		data := ""
		if t := f.All("eap.type"); len(t) > 0 {
			data = f.Span(t[0].Pos+1, p[0].Pos+p[0].Size)
		}
		return [][]string{{f.ShowOf("eap.code"), f.ShowOf("eap.id"), f.ShowOf("eap.len"), zeroWhenAbsent(f.ShowOf("eap.type")), data}}
	},
}

// TestEAPSynthAgainstTshark: no public capture has EAP over EAPOL (only in
// RADIUS). Identity, MD5-Challenge, TLS start and expanded-type requests and
// responses, Success and Failure, on Ethernet and 802.11.
func TestEAPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, eapCase, eapolSyntheticCaptures(t)...)
}

func FuzzEAP(f *testing.F) {
	var seeds [][]byte
	for _, p := range eapolPackets() {
		if p[1] == 0 {
			seeds = append(seeds, p[4:])
		}
	}
	fuzzLayer(f, layers.LayerTypeEAP, seeds...)
}
