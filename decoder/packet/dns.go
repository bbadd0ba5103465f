package packet

import (
	"encoding/binary"
	"errors"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// DNS writes one record per DNS message: the header, the questions
// and the resource records of the three sections. Each resource record
// keeps its raw RDATA (Data) and, by type, the decoded form: the address
// of an A or AAAA record (IP), the name of an NS, CNAME or PTR record, the
// SOA, SRV and MX fields and the character strings of a TXT (or HINFO)
// record. An OPT pseudo-record (EDNS, RFC 6891) is kept as it is on the
// wire: its Class is the requester's UDP payload size, its TTL holds the
// extended RCODE, version and flags, and Data its options. ResponseCode is
// the full 12-bit RCODE: the header's 4 bits and, with an OPT record, its
// extended RCODE above them (RFC 6891 6.1.3). Z is the three bits between
// RA and RCODE (Z, AD and CD of RFC 4035), as gopacket reads them. Names
// are in dotted form, the labels' bytes as they are (bytes that are no
// valid UTF-8 become U+FFFD in the string fields); the root is the empty
// name.
//
// A message with a malformed question or resource record (a name that
// cannot be read or is longer than 255 bytes, an entry overrunning the
// message) yields a record with the header and the entries before the
// malformed one: its lists are then shorter than the header's counts
// say. RDATA that does not fit its type (an A record that is not 4 bytes,
// an NS record whose name overruns it) leaves the record's decoded fields
// empty but keeps it, with its raw Data; a TXT record keeps the strings
// before one that overruns it. gopacket rejects such messages as a whole
// (and any message with an RDATA of a type it decodes, such as RRSIG,
// that it finds too short), so the decoding layer here reads the message
// itself.
//
// DNS over TCP (RFC 1035 4.2.2, RFC 7766) prefixes every message with its
// length, and a segment may hold several messages: the decoding layer
// strips the prefix and chains the messages of a segment, one record each.
// A message that continues into the next segment yields no record: the
// parser does not reassemble TCP streams.
var DNS = newDecoder(
	decoder.Info{Name: "DNS", Type: types.Type_NC_DNS, Description: "Domain Name System messages over UDP and TCP"},
	layers.LayerTypeDNS,
	func() gopacket.DecodingLayer { return &dnsLayer{} },
	func() *types.DNS { return &types.DNS{} },
	func(layer gopacket.Layer, p *Packet, r *types.DNS) {
		var d *dnsLayer
		switch x := layer.(type) {
		case *dnsLayer:
			d = x
		case *layers.DNS:
			// The parser's slow path (behind PPP links) decodes with
			// gopacket; the message is read again here, so that records
			// do not depend on the path.
			d = &dnsLayer{}
			d.decodeMessage(x.Contents)
		default:
			return
		}
		l := &d.DNS
		r.Timestamp = p.Timestamp
		r.ID = int32(l.ID)
		r.QR = l.QR
		r.OpCode = int32(l.OpCode)
		r.AA, r.TC, r.RD, r.RA = l.AA, l.TC, l.RD, l.RA
		r.Z = int32(l.Z)
		r.ResponseCode = int32(l.ResponseCode)
		for i := range l.Additionals {
			if l.Additionals[i].Type == layers.DNSTypeOPT {
				r.ResponseCode |= int32(l.Additionals[i].TTL>>24) << 4
				break
			}
		}
		r.QDCount = int32(l.QDCount)
		r.ANCount = int32(l.ANCount)
		r.NSCount = int32(l.NSCount)
		r.ARCount = int32(l.ARCount)
		if len(l.Questions) > 0 {
			r.Questions = make([]*types.DNSQuestion, len(l.Questions))
			for i, q := range l.Questions {
				r.Questions[i] = &types.DNSQuestion{Name: types.WireBytes(q.Name), Type: int32(q.Type), Class: int32(q.Class)}
			}
		}
		r.Answers = dnsRecords(l.Answers)
		r.Authorities = dnsRecords(l.Authorities)
		r.Additionals = dnsRecords(l.Additionals)
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

func dnsRecords(rrs []layers.DNSResourceRecord) []*types.DNSResourceRecord {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]*types.DNSResourceRecord, len(rrs))
	for i := range rrs {
		out[i] = dnsRecord(&rrs[i])
	}
	return out
}

func dnsRecord(rr *layers.DNSResourceRecord) *types.DNSResourceRecord {
	r := &types.DNSResourceRecord{
		Name:       types.WireBytes(rr.Name),
		Type:       int32(rr.Type),
		Class:      int32(rr.Class),
		TTL:        rr.TTL,
		DataLength: int32(rr.DataLength),
		Data:       copyBytes(rr.Data),
	}
	// The decoded fields are set only when the RDATA decoded.
	switch rr.Type {
	case layers.DNSTypeA, layers.DNSTypeAAAA:
		r.IP = ipString(rr.IP)
	case layers.DNSTypeNS:
		r.NS = copyBytes(rr.NS)
	case layers.DNSTypeCNAME:
		r.CNAME = copyBytes(rr.CNAME)
	case layers.DNSTypePTR:
		r.PTR = copyBytes(rr.PTR)
	case layers.DNSTypeSOA:
		if rr.SOA.MName != nil {
			r.SOA = &types.DNSSOA{
				MName:   copyBytes(rr.SOA.MName),
				RName:   copyBytes(rr.SOA.RName),
				Serial:  rr.SOA.Serial,
				Refresh: rr.SOA.Refresh,
				Retry:   rr.SOA.Retry,
				Expire:  rr.SOA.Expire,
				Minimum: rr.SOA.Minimum,
			}
		}
	case layers.DNSTypeSRV:
		if rr.SRV.Name != nil {
			r.SRV = &types.DNSSRV{
				Priority: int32(rr.SRV.Priority),
				Weight:   int32(rr.SRV.Weight),
				Port:     int32(rr.SRV.Port),
				Name:     copyBytes(rr.SRV.Name),
			}
		}
	case layers.DNSTypeMX:
		if rr.MX.Name != nil {
			r.MX = &types.DNSMX{Preference: int32(rr.MX.Preference), Name: types.WireBytes(rr.MX.Name)}
		}
	case layers.DNSTypeTXT, layers.DNSTypeHINFO:
		if len(rr.TXTs) > 0 {
			r.TXTs = make([][]byte, len(rr.TXTs))
			for i, t := range rr.TXTs {
				r.TXTs[i] = append([]byte{}, t...) // an empty string stays a (present) empty string
			}
		}
	}
	return r
}

const (
	dnsHeaderLen = 12
	// dnsTCPPrefix is the length of the message length that precedes
	// every DNS message on TCP.
	dnsTCPPrefix = 2
	// dnsMaxName is the longest name in dotted form: 255 bytes on the
	// wire (RFC 1035 3.1) are 253 in dotted form.
	dnsMaxName = 253
	// dnsMaxPointers bounds the compression pointers followed in one
	// name, against loops (a name of 255 bytes has at most 127 labels).
	dnsMaxPointers = 127
)

var (
	errDNSTooShort   = errors.New("DNS message shorter than its header")
	errDNSTCPPartial = errors.New("DNS message continues past the TCP segment")
	errDNSName       = errors.New("DNS name malformed")
	errDNSNameLong   = errors.New("DNS name longer than 255 bytes")
)

// dnsLayer decodes a DNS message into a layers.DNS (see DNS for
// how it differs from gopacket; a decoded name of the root in an SOA, SRV
// or MX record is empty, not nil, so that nil tells RDATA that did not
// decode), first stripping the length prefix when the message rides on
// TCP. gopacket strips it only in its NewPacket decoder (which knows the
// packet's transport layer); its DecodeFromBytes, which the parser calls,
// reads the prefix as the message ID and every later field two bytes
// off. The parser does not tell a decoding layer what came before it, so
// the layer asks the parser whether data is the payload of the TCP
// segment just decoded (or the rest of such a payload after a DNS
// message: a segment may carry several messages, each decoded as one more
// DNS layer).
type dnsLayer struct {
	layers.DNS
	tcp   bool
	rest  []byte // what follows the message in its TCP segment
	names []byte // the decoded names of the message
}

func (d *dnsLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	d.tcp, d.rest = dnsOnTCP(df, data), nil
	msg := data
	if d.tcp {
		if len(data) < dnsTCPPrefix {
			df.SetTruncated()
			return errDNSTCPPartial
		}
		end := dnsTCPPrefix + int(binary.BigEndian.Uint16(data))
		if end > len(data) {
			// The rest is in later segments.
			return errDNSTCPPartial
		}
		msg, d.rest = data[dnsTCPPrefix:end], data[end:]
	}
	if len(msg) < dnsHeaderLen {
		df.SetTruncated()
		return errDNSTooShort
	}
	d.decodeMessage(msg)
	return nil
}

func (d *dnsLayer) NextLayerType() gopacket.LayerType {
	if d.tcp && len(d.rest) >= dnsTCPPrefix && dnsTCPPrefix+int(binary.BigEndian.Uint16(d.rest)) <= len(d.rest) {
		return layers.LayerTypeDNS
	}
	return gopacket.LayerTypePayload
}

func (d *dnsLayer) LayerPayload() []byte { return d.rest }

// decodeMessage reads msg, at least a header long, into d.DNS; it stops
// at the first malformed question or resource record.
func (d *dnsLayer) decodeMessage(msg []byte) {
	l := &d.DNS
	questions, answers, authorities, additionals := l.Questions[:0], l.Answers[:0], l.Authorities[:0], l.Additionals[:0]
	*l = layers.DNS{
		BaseLayer:    layers.BaseLayer{Contents: msg},
		ID:           binary.BigEndian.Uint16(msg[0:2]),
		QR:           msg[2]&0x80 != 0,
		OpCode:       layers.DNSOpCode(msg[2] >> 3 & 0x0f),
		AA:           msg[2]&0x04 != 0,
		TC:           msg[2]&0x02 != 0,
		RD:           msg[2]&0x01 != 0,
		RA:           msg[3]&0x80 != 0,
		Z:            msg[3] >> 4 & 0x07,
		ResponseCode: layers.DNSResponseCode(msg[3] & 0x0f),
		QDCount:      binary.BigEndian.Uint16(msg[4:6]),
		ANCount:      binary.BigEndian.Uint16(msg[6:8]),
		NSCount:      binary.BigEndian.Uint16(msg[8:10]),
		ARCount:      binary.BigEndian.Uint16(msg[10:12]),
	}
	d.names = d.names[:0]
	defer func() {
		l.Questions, l.Answers, l.Authorities, l.Additionals = questions, answers, authorities, additionals
	}()
	off := dnsHeaderLen
	// Every entry takes at least 5 bytes, so the loops end with the
	// message whatever the counts say.
	for range l.QDCount {
		name, end, err := d.readName(msg, off)
		if err != nil || end+4 > len(msg) {
			return
		}
		questions = append(questions, layers.DNSQuestion{
			Name:  name,
			Type:  layers.DNSType(binary.BigEndian.Uint16(msg[end:])),
			Class: layers.DNSClass(binary.BigEndian.Uint16(msg[end+2:])),
		})
		off = end + 4
	}
	var ok bool
	for _, s := range []struct {
		list  *[]layers.DNSResourceRecord
		count uint16
	}{{&answers, l.ANCount}, {&authorities, l.NSCount}, {&additionals, l.ARCount}} {
		for range s.count {
			*s.list = append(*s.list, layers.DNSResourceRecord{})
			if off, ok = d.readRecord(msg, off, &(*s.list)[len(*s.list)-1]); !ok {
				*s.list = (*s.list)[:len(*s.list)-1]
				return
			}
		}
	}
}

// readRecord reads the resource record at off into rr and returns the
// offset after it; false when it is malformed.
func (d *dnsLayer) readRecord(msg []byte, off int, rr *layers.DNSResourceRecord) (int, bool) {
	name, end, err := d.readName(msg, off)
	if err != nil || end+10 > len(msg) {
		return 0, false
	}
	rr.Name = name
	rr.Type = layers.DNSType(binary.BigEndian.Uint16(msg[end:]))
	rr.Class = layers.DNSClass(binary.BigEndian.Uint16(msg[end+2:]))
	rr.TTL = binary.BigEndian.Uint32(msg[end+4:])
	rr.DataLength = binary.BigEndian.Uint16(msg[end+8:])
	start := end + 10
	stop := start + int(rr.DataLength)
	if stop > len(msg) {
		return 0, false
	}
	rr.Data = msg[start:stop]
	d.readRData(msg[:stop], start, rr)
	return stop, true
}

// readRData decodes the RDATA of the kinds the record holds, at off in
// msg (which ends with the RDATA: names in it may point back into the
// message). RDATA that does not fit its type is left undecoded.
func (d *dnsLayer) readRData(msg []byte, off int, rr *layers.DNSResourceRecord) {
	data := rr.Data
	// name reads the name at o, which must end within the RDATA.
	name := func(o int) ([]byte, int, bool) {
		n, end, err := d.readName(msg, o)
		return n, end, err == nil
	}
	switch rr.Type {
	case layers.DNSTypeA:
		if len(data) == net.IPv4len {
			rr.IP = net.IP(data)
		}
	case layers.DNSTypeAAAA:
		if len(data) == net.IPv6len {
			rr.IP = net.IP(data)
		}
	case layers.DNSTypeNS:
		if n, _, ok := name(off); ok {
			rr.NS = n
		}
	case layers.DNSTypeCNAME:
		if n, _, ok := name(off); ok {
			rr.CNAME = n
		}
	case layers.DNSTypePTR:
		if n, _, ok := name(off); ok {
			rr.PTR = n
		}
	case layers.DNSTypeSOA:
		mname, end, ok := name(off)
		if !ok {
			return
		}
		rname, end, ok := name(end)
		if !ok || end+20 > len(msg) {
			return
		}
		rr.SOA = layers.DNSSOA{
			MName:   mname,
			RName:   rname,
			Serial:  binary.BigEndian.Uint32(msg[end:]),
			Refresh: binary.BigEndian.Uint32(msg[end+4:]),
			Retry:   binary.BigEndian.Uint32(msg[end+8:]),
			Expire:  binary.BigEndian.Uint32(msg[end+12:]),
			Minimum: binary.BigEndian.Uint32(msg[end+16:]),
		}
		if rr.SOA.MName == nil {
			rr.SOA.MName = []byte{} // the root: decoded, but empty
		}
	case layers.DNSTypeMX:
		if len(data) < 3 {
			return
		}
		if n, _, ok := name(off + 2); ok {
			rr.MX = layers.DNSMX{Preference: binary.BigEndian.Uint16(data), Name: nonNil(n)}
		}
	case layers.DNSTypeSRV:
		if len(data) < 7 {
			return
		}
		if n, _, ok := name(off + 6); ok {
			rr.SRV = layers.DNSSRV{
				Priority: binary.BigEndian.Uint16(data),
				Weight:   binary.BigEndian.Uint16(data[2:]),
				Port:     binary.BigEndian.Uint16(data[4:]),
				Name:     nonNil(n),
			}
		}
	case layers.DNSTypeTXT, layers.DNSTypeHINFO:
		// Character strings (RFC 1035 3.3): a length byte and as many
		// bytes, to the end of the RDATA. A string overrunning the RDATA
		// ends the list.
		var txts [][]byte
		for i := 0; i < len(data); {
			n := int(data[i])
			if i+1+n > len(data) {
				break
			}
			txts = append(txts, data[i+1:i+1+n])
			i += 1 + n
		}
		rr.TXT, rr.TXTs = data, txts
	}
}

// nonNil makes a decoded root name (nil) an empty one, so that the record
// can tell it from a name that did not decode.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// readName reads the name at off in msg, appending it in dotted form to
// d.names, and returns it (nil for the root) and the offset after the
// name where it starts (before any compression pointer is followed).
func (d *dnsLayer) readName(msg []byte, off int) ([]byte, int, error) {
	start, end, pointers := len(d.names), -1, 0
	for {
		if off < 0 || off >= len(msg) {
			return nil, 0, errDNSName
		}
		c := int(msg[off])
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				if end < 0 {
					end = off + 1
				}
				if len(d.names) == start {
					return nil, end, nil
				}
				return d.names[start:len(d.names):len(d.names)], end, nil
			}
			if off+1+c > len(msg) {
				return nil, 0, errDNSName
			}
			if len(d.names) > start {
				d.names = append(d.names, '.')
			}
			d.names = append(d.names, msg[off+1:off+1+c]...)
			if len(d.names)-start > dnsMaxName {
				return nil, 0, errDNSNameLong
			}
			off += 1 + c
		case 0xc0:
			// A compression pointer (RFC 1035 4.1.4).
			if off+2 > len(msg) {
				return nil, 0, errDNSName
			}
			if end < 0 {
				end = off + 2
			}
			if pointers++; pointers > dnsMaxPointers {
				return nil, 0, errDNSName
			}
			off = int(binary.BigEndian.Uint16(msg[off:]) & 0x3fff)
		default:
			// Extended (0x40, RFC 6891) and reserved (0x80) label types.
			return nil, 0, errDNSName
		}
	}
}

// dnsOnTCP reports whether data is the payload of a TCP segment, or what
// follows the previous DNS message of such a segment: the parser names the
// layer decoded before this one.
func dnsOnTCP(df gopacket.DecodeFeedback, data []byte) bool {
	lc, ok := df.(LayerContext)
	if !ok || len(data) == 0 {
		return false
	}
	switch prev := lc.Previous().(type) {
	case *layers.TCP:
		return true
	case *dnsLayer:
		return prev.tcp
	}
	return false
}
