package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// CIP reads the CIP message an EtherNet/IP SendRRData or
// SendUnitData command carries (one record per ENIP message; the services
// inside a Multiple Service Packet or an Unconnected Send are part of the
// outer message's Data). ServiceID is the service code without the
// response bit, which Response holds. A request's ClassID and InstanceID
// are the first class and instance segments of its path (8, 16 or 32-bit
// logical segments, after any port or other segments); a response has
// none, but a general status and additional status words. Data (with
// -payload) is what follows the path or the status.
var CIP = newDecoder(
	decoder.Info{Name: "CIP", Type: types.Type_NC_CIP, Description: "Common Industrial Protocol messages carried by EtherNet/IP, per TCP segment"},
	layers.LayerTypeCIP,
	func() gopacket.DecodingLayer { return &cipLayer{} },
	func() *types.CIP { return &types.CIP{} },
	func(l gopacket.Layer, p *Packet, r *types.CIP) {
		r.Timestamp = p.Timestamp
		switch c := l.(type) {
		case *cipLayer:
			r.Response = c.response
			r.ServiceID = int32(c.service)
			r.ClassID, r.InstanceID = c.class, c.instance
			r.Status = int32(c.status)
			r.AdditionalStatus = append([]uint32(nil), c.additional...)
			r.Data = keepPayload(p, c.data)
		case *layers.CIP: // gopacket's, behind links decoded by gopacket
			r.Response = c.Response
			r.ServiceID = int32(c.ServiceID)
			r.ClassID, r.InstanceID = uint32(c.ClassID), uint32(c.InstanceID)
			r.Status = int32(c.Status)
			for _, s := range c.AdditionalStatus {
				r.AdditionalStatus = append(r.AdditionalStatus, uint32(s))
			}
			r.Data = keepPayload(p, c.Data)
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
		r.SrcPort, r.DstPort = p.SrcPort, p.DstPort
	},
)

// cipLayer decodes a CIP message. Its input is framed by enipLayer: a
// 2-byte length, the message, then the bytes that follow the ENIP message
// carrying it in the segment, which are the next layer (another ENIP
// message) when they start like one.
//
// It is written here rather than taken from gopacket, whose CIP decoder
// reads a class or instance only as the path's first two segments (none
// after a port segment or an electronic key) and fails the message on a
// 32-bit ID above 65535 (its IDs are 16-bit; the record's are 32-bit).
type cipLayer struct {
	response   bool
	service    uint8
	class      uint32
	instance   uint32
	status     uint8
	additional []uint32
	data       []byte
	contents   []byte
	rest       []byte
}

func (c *cipLayer) LayerType() gopacket.LayerType { return layers.LayerTypeCIP }
func (c *cipLayer) LayerContents() []byte         { return c.contents }
func (c *cipLayer) LayerPayload() []byte          { return c.rest }
func (c *cipLayer) CanDecode() gopacket.LayerClass {
	return layers.LayerTypeCIP
}

func (c *cipLayer) NextLayerType() gopacket.LayerType {
	if looksLikeENIP(c.rest) {
		return layers.LayerTypeENIP
	}
	return gopacket.LayerTypePayload
}

func (c *cipLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	*c = cipLayer{additional: c.additional[:0]}
	if len(data) < 2 {
		df.SetTruncated()
		return errors.New("CIP message length missing")
	}
	n := int(binary.BigEndian.Uint16(data[0:2]))
	if n > len(data)-2 {
		return errors.New("CIP message longer than its frame")
	}
	msg := data[2 : 2+n]
	c.contents, c.rest = msg, data[2+n:]
	if len(msg) < 2 {
		df.SetTruncated()
		return errors.New("CIP message too short")
	}
	c.service = msg[0] & 0x7f
	c.response = msg[0]&0x80 != 0
	if c.response {
		// service, reserved, general status, additional status size
		// (words), additional status, data
		if len(msg) < 4 {
			df.SetTruncated()
			return errors.New("CIP response too short")
		}
		c.status = msg[2]
		words := int(msg[3])
		end := 4 + 2*words
		if end > len(msg) {
			df.SetTruncated()
			return errors.New("CIP additional status truncated")
		}
		for off := 4; off < end; off += 2 {
			c.additional = append(c.additional, uint32(binary.LittleEndian.Uint16(msg[off:off+2])))
		}
		c.data = msg[end:]
		return nil
	}
	// service, path size (words), path, data
	end := 2 + 2*int(msg[1])
	if end > len(msg) {
		df.SetTruncated()
		return errors.New("CIP request path truncated")
	}
	c.class, c.instance = cipPathIDs(msg[2:end])
	c.data = msg[end:]
	return nil
}

// cipPathIDs returns the first class and instance IDs of a padded EPATH
// (CIP Vol. 1, C-1): logical segments 001TTTFF hold an 8-bit ID in the
// next byte, a 16 or 32-bit one (little-endian) after a pad byte. Port,
// other logical, symbolic and data segments are skipped; the walk ends at
// a segment it cannot size.
func cipPathIDs(path []byte) (class, instance uint32) {
	var haveClass, haveInstance bool
	for off := 0; off < len(path) && !(haveClass && haveInstance); {
		seg := path[off]
		var n int // segment length, or 0 when unknown
		switch seg >> 5 {
		case 0: // port segment
			n = cipPortSegmentLen(path[off:])
		case 1: // logical segment
			typ, format := seg>>2&0x7, seg&0x3
			var id uint32
			switch {
			case typ == 5 && format == 0: // electronic key
				n = 10
			case format == 0 && len(path)-off >= 2:
				n, id = 2, uint32(path[off+1])
			case format == 1 && len(path)-off >= 4:
				n, id = 4, uint32(binary.LittleEndian.Uint16(path[off+2:off+4]))
			case format == 2 && len(path)-off >= 6:
				n, id = 6, binary.LittleEndian.Uint32(path[off+2:off+6])
			}
			if n > 0 && typ == 0 && !haveClass {
				class, haveClass = id, true
			}
			if n > 0 && typ == 1 && !haveInstance {
				instance, haveInstance = id, true
			}
		case 3: // symbolic segment: size in the low 5 bits, padded
			n = 1 + int(seg&0x1f)
			n += n % 2
		case 4: // data segment
			switch seg {
			case 0x80: // simple data: size in words
				if len(path)-off >= 2 {
					n = 2 + 2*int(path[off+1])
				}
			case 0x91: // ANSI extended symbol: size in bytes, padded
				if len(path)-off >= 2 {
					n = 2 + int(path[off+1])
					n += n % 2
				}
			}
		}
		if n <= 0 || n > len(path)-off {
			break
		}
		off += n
	}
	return class, instance
}

// cipPortSegmentLen returns the length of the port segment at the start of
// seg, or 0: 000E PPPP, an extended port number when PPPP is 15, then one
// link address byte or (E set) a sized link address, padded to a word.
func cipPortSegmentLen(seg []byte) int {
	n := 1
	if seg[0]&0x0f == 0x0f {
		n += 2
	}
	if seg[0]&0x10 == 0 {
		n++
	} else {
		if len(seg) < 2 {
			return 0
		}
		n += 1 + int(seg[1])
	}
	return n + n%2
}
