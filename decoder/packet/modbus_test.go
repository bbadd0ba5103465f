package packet_test

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// modbusCase compares every field of the Modbus record with tshark's
// Modbus/TCP (mbtcp) and Modbus (modbus) dissection, one row per ADU.
//
// Modbus is decoded per TCP segment (no reassembly yet): an ADU split over
// segments gives a record for its first segment, with the PDU data that
// segment holds, and none for the others. tshark runs without TCP
// reassembly (noDesegment) to dissect each segment the same way; it then
// also reads the later segments on their own, which start in the middle
// of the ADU (see TestModbusSynthAgainstTshark).
//
// tshark shows the function code without the exception bit; PDML keeps
// the byte as sent (unmaskedvalue), which FunctionCode holds, and its bit
// 0x80 is Exception. Payload (with -payload) is the PDU data after the
// function code: the bytes of tshark's modbus protocol after its first,
// cut from the TCP payload.
var modbusCase = tsharktest.Case{
	Type:   "Modbus",
	Filter: "mbtcp",
	Args:   noDesegment,
	Columns: []string{"TransactionID", "ProtocolID", "Length", "UnitID", "FunctionCode", "Exception", "Payload",
		"SrcIP", "DstIP", "SrcPort", "DstPort"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.Modbus)
		return []string{decimal(r.TransactionID), decimal(r.ProtocolID), decimal(r.Length), decimal(r.UnitID),
			decimal(r.FunctionCode), boolDigit(r.Exception), hex.EncodeToString(r.Payload),
			r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
	},
	PacketRows: func(p tsharktest.Packet) [][]string {
		ip, tcp := p.Protocols("ip")[0], p.Protocols("tcp")[0]
		payload := tcp.Field("tcp.payload")
		var rows [][]string
		for _, mb := range p.Protocols("mbtcp") {
			row := []string{mb.Val("mbtcp.trans_id"), mb.Val("mbtcp.prot_id"), mb.Val("mbtcp.len"), mb.Val("mbtcp.unit_id"),
				"no modbus PDU", "", "", ip.Val("ip.src"), ip.Val("ip.dst"), tcp.Val("tcp.srcport"), tcp.Val("tcp.dstport")}
			if pdu := p.Next(mb); pdu != nil && pdu.Name == "modbus" {
				if fc := pdu.Field("modbus.func_code"); fc != nil {
					raw := fc.Unmasked
					if raw == "" {
						raw = fc.Value
					}
					row[4] = hexBytesNumber(raw)
					row[5] = boolDigit(mapIntBit(row[4], 0x80))
				}
				if payload != nil {
					b, _ := hex.DecodeString(payload.Value)
					from, to := pdu.Pos+1-payload.Pos, pdu.Pos+pdu.Size-payload.Pos
					if from >= 0 && from <= to && to <= len(b) {
						row[6] = hex.EncodeToString(b[from:to])
					}
				}
			}
			rows = append(rows, row)
		}
		return rows
	},
}

// mapIntBit reports whether decimal number v has bit set.
func mapIntBit(v string, bit int) bool {
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n&bit != 0
}

// modbusPublic are the public captures with Modbus/TCP: reads and writes
// of coils and registers, diagnostics, exceptions (illegal function,
// address, busy, gateway), encapsulated interface (MEI) and file record
// functions, and (arkime) segments that are no Modbus.
var modbusPublic = []string{
	"public/icsnpp-modbus/traces/modbus_example.pcap",
	"public/gopacket/layers/testdata/modbus.pcap",
	"public/arkime/modbus.pcap",
	"public/suricata-verify/modbus/modbus.pcap",
	"public/zeek/traces/modbus/modbusSmall.pcap",
}

func TestModbusAgainstTshark(t *testing.T) {
	t.Parallel()
	compareWith(t, withPayloads, modbusCase, sharedCaptures(t, modbusPublic...)...)
}

// modbusADU is a Modbus/TCP ADU: MBAP header (its length counts the unit
// identifier and the PDU), then the PDU.
func modbusADU(trans uint16, unit byte, pdu []byte) []byte {
	return slices.Concat(be16(trans), be16(0), be16(uint16(1+len(pdu))), []byte{unit}, pdu)
}

// TestModbusSynthAgainstTshark compares what the public captures lack:
// three ADUs in one segment (a request, a response, an exception), an ADU
// split over two segments, a request to the highest unit identifier, and
// a segment on port 502 that is no Modbus (protocol identifier 1).
func TestModbusSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	read := modbusADU(0x0101, 1, mustHex("0300100002"))
	resp := modbusADU(0x0101, 1, mustHex("030400ff0001"))
	exc := modbusADU(0xfffe, 7, mustHex("8302"))
	long := modbusADU(0x2222, 255, mustHex("10000a0004080001000200030004"))
	notModbus := slices.Concat(be16(5), be16(1), be16(6), mustHex("0103000a0001"))
	pcap := writePcap(t, layers.LinkTypeEthernet,
		tcpFrame(t, 40000, 502, 1, slices.Concat(read, resp, exc)),
		tcpFrame(t, 40001, 502, 1, long[:12]),
		tcpFrame(t, 40001, 502, 13, long[12:]),
		tcpFrame(t, 502, 40002, 1, notModbus),
	)
	// Neither tshark nor we take the split ADU's second segment (its
	// bytes make a protocol identifier of 4) or the last one for Modbus.
	compareWith(t, withPayloads, modbusCase, pcap)
	for _, m := range decodeCaptureWith(t, pcap, packet.Options{Payloads: true}).Records(types.Type_NC_Modbus) {
		r := m.(*types.Modbus)
		if r.SrcPort == 40001 && r.TransactionID != 0x2222 {
			t.Errorf("record for the continuation of a split ADU: %v", r)
		}
	}
}

func FuzzModbus(f *testing.F) {
	fuzzLayer(f, layers.LayerTypeModbus,
		slices.Concat(modbusADU(1, 1, mustHex("0300100002")), modbusADU(2, 1, mustHex("8301"))),
		modbusADU(3, 255, mustHex("10000a0004080001000200030004"))[:10],
	)
}
