package packet_test

import (
	"encoding/hex"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// eapCase compares the EAP records: code, identifier, length, type (0 for
// Success and Failure, which have none) and the type data, the bytes of
// the fields tshark dissects after the type, up to the packet's length.
// EAP inside RADIUS attributes (tshark dissects those too) is not ours:
// the filter keeps EAP in EAPOL.
var eapCase = l2Case{
	typ:    "EAP",
	filter: "eap && eapol",
	cols:   []string{"Code", "Id", "Length", "Type", "TypeData"},
	ours: func(m proto.Message) []string {
		r := m.(*types.EAP)
		return []string{l2num(r.Code), l2num(r.Id), l2num(r.Length), l2num(r.Type), hex.EncodeToString(r.TypeData)}
	},
	theirs: func(f l2Frame) [][]string {
		p := f.all("eap")
		if len(p) != 1 {
			return [][]string{{"tshark has " + l2num(len(p)) + " EAP packets"}}
		}
		data := ""
		if t := f.all("eap.type"); len(t) > 0 {
			data = l2Span(f, t[0].Pos+1, p[0].Pos+p[0].Size)
		}
		return [][]string{{f.show("eap.code"), f.show("eap.id"), f.show("eap.len"), zeroWhenAbsent(f.show("eap.type")), data}}
	},
}

// TestEAPSynthAgainstTshark: no public capture has EAP over EAPOL (only in
// RADIUS). Identity, MD5-Challenge, TLS start and expanded-type requests and
// responses, Success and Failure, on Ethernet and 802.11.
func TestEAPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compareL2(t, eapCase, eapolSyntheticCaptures(t)...)
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
