package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// Modbus reads Modbus/TCP application data units (an MBAP header,
// then the PDU: function code and data) on TCP port 502, which gopacket
// maps to its Modbus layer. FunctionCode is the PDU's first byte as sent,
// with the exception bit (0x80) that Exception repeats; Payload (with
// -payload) is the PDU data after the function code.
//
// Modbus is decoded per TCP segment, without reassembly (as Netcap
// v0.6.11): a segment with several ADUs yields a record for each (the
// parser's modbusLayer chains them), and an ADU cut by the end of the
// segment yields a record for its header with the data present. The
// segments that continue a cut ADU start in its middle and yield nothing
// unless their bytes happen to look like an MBAP header.
var Modbus = newDecoder(
	decoder.Info{Name: "Modbus", Type: types.Type_NC_Modbus, Description: "Modbus/TCP application data units (MBAP header and function code), per TCP segment"},
	layers.LayerTypeModbus,
	func() gopacket.DecodingLayer { return &modbusLayer{} },
	func() *types.Modbus { return &types.Modbus{} },
	func(l *layers.Modbus, p *Packet, r *types.Modbus) {
		r.Timestamp = p.Timestamp
		r.TransactionID = int32(l.TransactionID)
		r.ProtocolID = int32(l.ProtocolID)
		r.Length = int32(l.Length)
		r.UnitID = int32(l.UnitID)
		r.FunctionCode = int32(l.FunctionCode)
		r.Exception = l.Exception
		r.Payload = keepPayload(p, l.ReqResp)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

// modbusMBAPLen is the MBAP header (7 bytes); an ADU has at least the
// function code after it.
const modbusMBAPLen = 7

// looksLikeModbus reports whether data starts with an MBAP header: protocol
// identifier 0 (Modbus) and a length that covers the unit identifier and a
// function code. A length above 254 (a PDU has at most 253 bytes) is
// malformed but accepted, as tshark does.
func looksLikeModbus(data []byte) bool {
	if len(data) < modbusMBAPLen+1 {
		return false
	}
	return binary.BigEndian.Uint16(data[2:4]) == 0 && binary.BigEndian.Uint16(data[4:6]) >= 2
}

// modbusLayer decodes one Modbus/TCP ADU into a layers.Modbus. Unlike
// gopacket's DecodeFromBytes it accepts an ADU cut short by the end of the
// segment (no reassembly: the record keeps what is there) and, when more
// bytes follow the ADU, names Modbus as the next layer so every ADU of a
// segment is decoded (gopacket's DecodingLayer stops after the first).
type modbusLayer struct{ layers.Modbus }

func (m *modbusLayer) unwrap() gopacket.Layer { return &m.Modbus }

func (m *modbusLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < modbusMBAPLen+1 {
		df.SetTruncated()
		return errors.New("short Modbus ADU")
	}
	if !looksLikeModbus(data) {
		return errors.New("not a Modbus/TCP ADU (protocol identifier or length)")
	}
	m.TransactionID = binary.BigEndian.Uint16(data[0:2])
	m.ProtocolID = binary.BigEndian.Uint16(data[2:4])
	m.Length = binary.BigEndian.Uint16(data[4:6])
	m.UnitID = data[6]
	m.FunctionCode = data[7]
	m.Exception = m.FunctionCode&0x80 != 0
	end := 6 + int(m.Length)
	if end > len(data) {
		df.SetTruncated()
		end = len(data)
	}
	m.ReqResp = data[8:end]
	m.Contents, m.Payload = data[:end], data[end:]
	return nil
}

func (m *modbusLayer) CanDecode() gopacket.LayerClass { return layers.LayerTypeModbus }

func (m *modbusLayer) NextLayerType() gopacket.LayerType {
	if looksLikeModbus(m.Payload) {
		return layers.LayerTypeModbus
	}
	return gopacket.LayerTypePayload
}
