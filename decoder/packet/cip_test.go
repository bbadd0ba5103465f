package packet_test

import (
	"encoding/hex"
	"slices"
	"strconv"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/registry"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// cipCase compares every field of the CIP record with tshark's dissection
// of the CIP message each ENIP message carries (tshark's top-level cip
// protocols; the services a Multiple Service Packet or an Unconnected Send
// holds are nested in them and are part of the record's Data).
//
// Response is the service byte's bit 0x80 (cip.rr), ServiceID the service
// code (cip.sc). A request's ClassID and InstanceID are the first class
// and instance of its path, 0 when it has none (a symbolic tag path); a
// response has neither (tshark repeats the request's path in a response
// when it saw the request; those are not the response's), but a general
// status and additional status words. Data (with -payload) is the message
// after the path or status, cut from tshark's TCP payload at the
// message's position. As ENIP, CIP is decoded per TCP segment
// (noDesegment): a CIP message split over segments has no record.
var cipCase = tsharktest.Case{
	Type:   "CIP",
	Filter: "cip",
	Args:   noDesegment,
	Columns: []string{"Response", "ServiceID", "ClassID", "InstanceID", "Status", "AdditionalStatus", "Data",
		"SrcIP", "DstIP", "SrcPort", "DstPort"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.CIP)
		var add []string
		for _, a := range r.AdditionalStatus {
			add = append(add, decimal(a))
		}
		return []string{boolDigit(r.Response), decimal(r.ServiceID), decimal(r.ClassID), decimal(r.InstanceID), decimal(r.Status),
			joinList(add), hex.EncodeToString(r.Data), r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
	},
	PacketRows: func(p tsharktest.Packet) [][]string {
		src, dst := p.Addrs()
		sport, dport := p.Ports()
		var rows [][]string
		for _, c := range p.Protocols("cip") {
			row := []string{c.Val("cip.rr"), c.Val("cip.sc"), "0", "0", "0", "", "", src, dst, sport, dport}
			var from int
			if row[0] == "1" {
				row[4] = c.Val("cip.genstat")
				var add []string
				for _, a := range c.Fields("cip.addstat") {
					add = append(add, tsharktest.Normalize(a.Show))
				}
				row[5] = joinList(add)
				n, _ := strconv.Atoi(c.Val("cip.addstat_size"))
				from = c.Pos + 4 + 2*n
			} else {
				if v := c.Val("cip.class"); v != "" {
					row[2] = v
				}
				if v := c.Val("cip.instance"); v != "" {
					row[3] = v
				}
				n, _ := strconv.Atoi(c.Val("cip.request_path_size"))
				from = c.Pos + 2 + 2*n
			}
			if data, ok := p.BytesAt(from, c.Pos+c.Size-from); ok {
				row[6] = hex.EncodeToString(data)
			} else {
				row[6] = "no data at " + strconv.Itoa(from)
			}
			rows = append(rows, row)
		}
		return rows
	},
}

func TestCIPAgainstTshark(t *testing.T) {
	t.Parallel()
	compareWith(t, withPayloads, cipCase, sharedCaptures(t, enipPublic...)...)
}

// TestCIPSynthAgainstTshark compares the CIP messages of enipSamples: 16
// and 32-bit class and instance segments, a path with a port segment and
// an electronic key first, a symbolic path, responses with additional
// status and an error status, a connected message, three messages in one
// segment. A message cut by the end of its segment (enipSynthCapture cuts
// three) has no record, as tshark dissects none.
func TestCIPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compareWith(t, withPayloads, cipCase, enipSynthCapture(t))
}

// TestCIPPathIDs checks the class and instance IDs taken from request
// paths against values set in the paths: the segment formats of CIP Vol.
// 1 C-1 in all orders the decoder must walk.
func TestCIPPathIDs(t *testing.T) {
	for _, c := range []struct {
		path            string
		class, instance uint32
	}{
		{"2001" + "2401", 1, 1},
		{"21000201" + "2500ffff", 0x0102, 0xffff},
		{"220001020304" + "260004030201", 0x04030201, 0x01020304},
		{"0102" + "2006" + "2401", 6, 1},                   // port segment first
		{"1203" + "616263" + "00" + "2004" + "2405", 4, 5}, // extended link address, padded
		{"0f" + "1234" + "09" + "2001" + "2402", 1, 2},     // extended port number
		{"34040100020003000401" + "2001" + "2401", 1, 1},   // electronic key
		{"9103" + "616263" + "00" + "2401", 0, 1},          // ANSI symbol, padded
		{"800201020304" + "2002", 2, 0},                    // simple data segment
		{"63" + "616263" + "2001", 1, 0},                   // symbolic segment, 3 characters
		{"2402" + "2003", 3, 2},                            // instance before class
		{"2001" + "e0" + "2402", 1, 0},                     // a segment it cannot size ends the walk
	} {
		path := mustHex(c.path)
		if len(path)%2 != 0 {
			path = append(path, 0)
		}
		msg := slices.Concat([]byte{0x0e, byte(len(path) / 2)}, path)
		var got []*types.CIP
		p := packet.NewParser(packet.Options{}, registry.PacketDecoders(nil), func(typ types.Type, r proto.Message) error {
			if typ == types.Type_NC_CIP {
				got = append(got, proto.Clone(r).(*types.CIP))
			}
			return nil
		})
		frame := enipRR(1, "pathtest", msg)
		if err := p.DecodeFrom(layers.LayerTypeENIP, frame, 1, len(frame)); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Errorf("path %s: %d CIP records", c.path, len(got))
			continue
		}
		if got[0].ClassID != c.class || got[0].InstanceID != c.instance {
			t.Errorf("path %s: class %#x instance %#x, want %#x %#x", c.path, got[0].ClassID, got[0].InstanceID, c.class, c.instance)
		}
	}
}

func FuzzCIP(f *testing.F) {
	// The CIP layer's input is framed by the ENIP layer: a 2-byte length,
	// the message, the bytes after the ENIP message.
	frame := func(msg []byte, rest []byte) []byte {
		return slices.Concat(be16(uint16(len(msg))), msg, rest)
	}
	s := enipSamples()
	fuzzLayer(f, layers.LayerTypeCIP,
		frame(mustHex("0e05"+"21000104"+"25003412"+"3007"), nil),
		frame(mustHex("8e001e02"+"0500"+"ff01"+"aa"), s[1]),
		frame(mustHex("0108"+"0102"+"34040100020003000401"+"2001"+"2401"), nil),
	)
}
