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

// enipCase compares every field of the ENIP record with tshark's
// EtherNet/IP dissection, one row per encapsulation message (tshark's
// top-level enip protocols). CommandSpecific.Cmd repeats the command;
// CommandSpecific.Data is the command-specific data, Length bytes after
// the 24-byte header (those the segment holds), cut from tshark's TCP or
// UDP payload at the message's position. tshark also has an enip protocol
// for the CIP I/O data on UDP port 2222 (Common Packet Format items, no
// encapsulation header), which has no ENIP record.
//
// ENIP is decoded per TCP segment (no reassembly yet): a message split
// over segments gives a record for its first segment, with the data that
// segment holds (and no CIP record), and the segments continuing it are
// read as ENIP messages of their own; tshark reads each segment on its own
// too (noDesegment) and does the same.
var enipCase = tsharktest.Case{
	Type:   "ENIP",
	Filter: "enip",
	Args:   noDesegment,
	Columns: []string{"Command", "Length", "SessionHandle", "Status", "SenderContext", "Options", "CommandSpecific",
		"SrcIP", "DstIP", "SrcPort", "DstPort"},
	OursRow: func(m proto.Message) []string {
		r := m.(*types.ENIP)
		cs := "none"
		if c := r.CommandSpecific; c != nil {
			cs = decimal(c.Cmd) + ";" + hex.EncodeToString(c.Data)
		}
		return []string{decimal(r.Command), decimal(r.Length), decimal(r.SessionHandle), decimal(r.Status),
			hex.EncodeToString(r.SenderContext), decimal(r.Options), cs, r.SrcIP, r.DstIP, decimal(r.SrcPort), decimal(r.DstPort)}
	},
	PacketRows: func(p tsharktest.Packet) [][]string {
		src, dst := p.Addrs()
		sport, dport := p.Ports()
		var rows [][]string
		for _, e := range p.Protocols("enip") {
			if e.Field("enip.command") == nil {
				continue // CIP I/O data on UDP port 2222: no encapsulation header
			}
			cmd, length := e.Val("enip.command"), e.Val("enip.length")
			n, err := strconv.Atoi(length)
			data, ok := p.BytesAt(e.Pos+24, n)
			cs := cmd + ";" + hex.EncodeToString(data)
			// In a ListIdentity request tshark shows the sender
			// context's first two bytes as the maximum response delay.
			context := append(e.FieldBytes("enip.listid_delay"), e.FieldBytes("enip.context")...)
			if err != nil || !ok {
				cs = "no data at " + strconv.Itoa(e.Pos+24)
			}
			rows = append(rows, []string{cmd, length, e.Val("enip.session"), e.Val("enip.status"),
				hex.EncodeToString(context), e.Val("enip.options"), cs, src, dst, sport, dport})
		}
		return rows
	},
}

// enipPublic are the public captures with EtherNet/IP: SendUnitData with
// connected CIP (Get Attribute List, Multiple Service Packet, Set
// Attribute Single), SendRRData with unconnected CIP (Unconnected Send,
// Get Attributes All), ListIdentity, several messages in one segment
// (ethernetIP.pcap), and CIP I/O on UDP port 2222 (no encapsulation
// header: tshark's cipio, no ENIP record).
var enipPublic = []string{
	"public/icsnpp-enip/traces/enip_cip_example.pcap",
	"public/icsnpp-enip/traces/multiple_service_packet_cip.pcapng",
	"public/icsnpp-enip/traces/set_attribute_single_service_cip.pcapng",
	"public/gopacket/layers/testdata/ethernetIP.pcap",
	"public/suricata-verify/enip-keywords/enip_cip_example.pcap",
}

func TestENIPAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, enipCase, sharedCaptures(t, enipPublic...)...)
	// UDP port 2222 carries CIP I/O data, which gopacket would take for
	// ENIP headers.
	pcap := sharedCaptures(t, "public/ndpi/cip_io.pcap")[0]
	if n := len(decodeCapture(t, pcap).Records(types.Type_NC_ENIP)); n != 0 {
		t.Errorf("%s: %d ENIP records from CIP I/O data", pcap, n)
	}
}

// enipHeader is an encapsulation header, then data.
func enipHeader(cmd uint16, session, status uint32, context string, options uint32, data []byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, cmd)
	b = le.AppendUint16(b, uint16(len(data)))
	b = le.AppendUint32(b, session)
	b = le.AppendUint32(b, status)
	b = append(b, []byte(context)[:8]...)
	b = le.AppendUint32(b, options)
	return append(b, data...)
}

// cpfItem is a Common Packet Format item.
func cpfItem(typ uint16, data []byte) []byte {
	le := binary.LittleEndian
	return append(le.AppendUint16(le.AppendUint16(nil, typ), uint16(len(data))), data...)
}

// enipRR is SendRRData with a null address item and an unconnected data
// item holding msg.
func enipRR(session uint32, context string, msg []byte) []byte {
	csd := slices.Concat(mustHex("00000000"+"0a00"+"0200"), cpfItem(0, nil), cpfItem(0xb2, msg))
	return enipHeader(0x6f, session, 0, context, 0, csd)
}

// enipUnit is SendUnitData with a connected address item and a connected
// data item holding a sequence count and msg.
func enipUnit(session, conn uint32, seq uint16, msg []byte) []byte {
	le := binary.LittleEndian
	csd := slices.Concat(mustHex("00000000"+"0000"+"0200"), cpfItem(0xa1, le.AppendUint32(nil, conn)),
		cpfItem(0xb1, append(le.AppendUint16(nil, seq), msg...)))
	return enipHeader(0x70, session, 0, "\x00\x00\x00\x00\x00\x00\x00\x00", 0, csd)
}

// enipSamples are ENIP messages with what the public captures lack, and
// the CIP messages the CIP test compares: RegisterSession, SendRRData with
// requests whose paths have 16 and 32-bit class and instance segments, a
// port segment and an electronic key before them, and a symbolic tag path
// (no class); responses with additional status words and an error status;
// SendUnitData; a ListServices reply with status and options set; a
// SendRRData whose interface handle is not CIP's.
func enipSamples() [][]byte {
	return [][]byte{
		enipHeader(0x65, 0, 0, "regsess\x00", 0, mustHex("01000000")),
		// Get Attribute Single: 16-bit class 0x0401, instance 0x1234,
		// attribute 7.
		enipRR(0x11223344, "ctx-0001", mustHex("0e05"+"21000104"+"25003412"+"3007")),
		// Its response: general status 0x1e, two additional status words.
		enipRR(0x11223344, "ctx-0002", mustHex("8e001e02"+"0500"+"ff01"+"aa")),
		// Read Tag with 32-bit class 0x12345678 and instance 0x0100007f.
		enipRR(0x11223344, "ctx-0003", mustHex("4c06"+"220078563412"+"26007f000001"+"0100")),
		// Get Attributes All through a port segment and an electronic key.
		enipRR(0x11223344, "ctx-0004", mustHex("0108"+"0102"+"34040100020003000401"+"2001"+"2401")),
		// Read Tag by name (ANSI extended symbol "Tag123"): no class.
		enipRR(0x11223344, "ctx-0005", mustHex("4c04"+"9106546167313233"+"0100")),
		// A response with status 5 (path destination unknown).
		enipRR(0x11223344, "ctx-0006", mustHex("cc000500")),
		enipUnit(0x11223344, 0xdeadbeef, 7, mustHex("0e03"+"2001"+"2401"+"3007")),
		enipHeader(0x04, 0, 0x65, "listserv", 0x1234, nil),
		enipHeader(0x6f, 5, 0, "notcip\x00\x00", 0, mustHex("01000000"+"0000"+"0100"+"b2000200"+"0102")),
	}
}

// TestENIPSynthAgainstTshark compares enipSamples, one per segment, then
// three of them in one segment and one split over two segments.
func TestENIPSynthAgainstTshark(t *testing.T) {
	t.Parallel()
	compare(t, enipCase, enipSynthCapture(t))
}

// enipSynthCapture writes enipSamples to a capture.
func enipSynthCapture(t *testing.T) string {
	s := enipSamples()
	var frames [][]byte
	for i, m := range s {
		frames = append(frames, tcpFrame(t, 40000+i, 44818, 1, m))
	}
	three := slices.Concat(s[1], s[2], s[7])
	frames = append(frames, tcpFrame(t, 41000, 44818, 1, three))
	frames = append(frames, tcpFrame(t, 41001, 44818, 1, s[3][:30]), tcpFrame(t, 41001, 44818, 31, s[3][30:]))
	// Cut in the CIP message's path, and after the path.
	frames = append(frames, tcpFrame(t, 41002, 44818, 1, s[3][:44]), tcpFrame(t, 41003, 44818, 1, s[3][:54]))
	return writePcap(t, layers.LinkTypeEthernet, frames...)
}

func FuzzENIP(f *testing.F) {
	s := enipSamples()
	fuzzLayer(f, layers.LayerTypeENIP, append(s, slices.Concat(s[1], s[2]))...)
}
