package packet

import (
	"encoding/binary"
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// OSPF versions 2 (RFC 2328, IPv4) and 3 (RFC 5340, IPv6) share IP protocol
// 89 and gopacket's one layer type, LayerTypeOSPF, while Netcap writes a
// record type for each. The parser has one decoder per layer type, so
// LayerTypeOSPF is a transit layer (ospfLayer, in registry.go's
// transitLayers) that reads the version and hands the same bytes on as
// one of two layer types registered here, one per record type.
//
// The packets are decoded here rather than by gopacket, whose OSPF decoder
// fails the whole packet on a Link State Update holding an LSA type it
// does not know (among them the OSPFv2 summary LSAs, types 3 and 4, found
// in most areas), reads an OSPFv3 AS-external LSA's prefix length in bytes
// and its prefix too short, never reads its route tag and referenced link
// state ID, and keeps only whole bytes of other OSPFv3 prefixes.
//
// The layer types' numbers are 2000 plus the record type's number.
const (
	layerTypeOSPFv2 gopacket.LayerType = 2074
	layerTypeOSPFv3 gopacket.LayerType = 2075
)

// decodeOSPF is ospfLayer for gopacket.NewPacket.
func decodeOSPF(data []byte, p gopacket.PacketBuilder) error {
	if len(data) > 0 && data[0] == 3 {
		return decodeOSPFv3(data, p)
	}
	return decodeOSPFv2(data, p)
}

// ospfLayer is the transit layer for LayerTypeOSPF: it names the version's
// layer type and passes the packet on unchanged.
type ospfLayer struct {
	data []byte
	next gopacket.LayerType
}

func (o *ospfLayer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 1 {
		df.SetTruncated()
		return errors.New("OSPF packet empty")
	}
	switch data[0] {
	case 2:
		o.next = layerTypeOSPFv2
	case 3:
		o.next = layerTypeOSPFv3
	default:
		return errors.New("unknown OSPF version")
	}
	o.data = data
	return nil
}

func (o *ospfLayer) CanDecode() gopacket.LayerClass    { return layers.LayerTypeOSPF }
func (o *ospfLayer) NextLayerType() gopacket.LayerType { return o.next }
func (o *ospfLayer) LayerPayload() []byte              { return o.data }

// ospfPacket holds one OSPF packet: its bytes up to the Packet Length (or
// the end of the data), without the authentication trailer or LLS data
// block that may follow. The decoders read it in their Fill.
type ospfPacket struct {
	lt       gopacket.LayerType
	contents []byte
	rest     []byte
}

func (o *ospfPacket) LayerType() gopacket.LayerType     { return o.lt }
func (o *ospfPacket) LayerContents() []byte             { return o.contents }
func (o *ospfPacket) LayerPayload() []byte              { return o.rest }
func (o *ospfPacket) CanDecode() gopacket.LayerClass    { return o.lt }
func (o *ospfPacket) NextLayerType() gopacket.LayerType { return gopacket.LayerTypeZero }

// decode delimits a packet of the given version whose header has hdr bytes.
func (o *ospfPacket) decode(data []byte, df gopacket.DecodeFeedback, version byte, hdr int) error {
	if len(data) < hdr {
		df.SetTruncated()
		return errors.New("OSPF header too short")
	}
	if data[0] != version {
		return errors.New("OSPF version does not match")
	}
	end := int(binary.BigEndian.Uint16(data[2:4]))
	switch {
	case end < hdr:
		end = hdr // a length below the header's: read the header
	case end > len(data):
		df.SetTruncated()
		end = len(data)
	}
	o.contents, o.rest = data[:end], data[end:]
	return nil
}

type ospfv2Layer struct{ ospfPacket }

func (o *ospfv2Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	o.lt = layerTypeOSPFv2
	return o.decode(data, df, 2, 24)
}

func decodeOSPFv2(data []byte, p gopacket.PacketBuilder) error {
	o := &ospfv2Layer{}
	if err := o.DecodeFromBytes(data, p); err != nil {
		return err
	}
	p.AddLayer(o)
	return nil
}

// OSPFv2 reads OSPFv2 packets: the header (Authentication is its 8
// authentication bytes as a big-endian number; for cryptographic
// authentication they hold the key ID, digest length and sequence number)
// and the body of each packet type: Hello (HelloV2), Database Description
// (DbDesc, with its LSA headers), Link State Request (LSR), Link State
// Update (LSU, with every LSA) and Link State Acknowledgment (LSAs, the
// acknowledged LSA headers). Of the LSAs, router LSAs fill RLSAV2 (a link's
// Metric is its TOS 0 metric), network LSAs NLSA (its AttachedRouter; the
// schema has no field for the network mask), and the LSAs laid out as
// network mask and metric ASELSAV2: AS-external and NSSA LSAs (ExternalBit
// 1 for E type 2 metrics; TOS metrics are left out) and also summary LSAs
// (types 3 and 4, which have no field of their own and leave the external
// fields 0). Other LSAs (opaque ones) keep their header only.
var OSPFv2 = newDecoder(
	decoder.Info{Name: "OSPFv2", Type: types.Type_NC_OSPFv2, Aliases: []string{"OSPF"}, Description: "Open Shortest Path First version 2 packets, with their LSAs"},
	layerTypeOSPFv2,
	func() gopacket.DecodingLayer { return &ospfv2Layer{} },
	func() *types.OSPFv2 { return &types.OSPFv2{} },
	func(l *ospfv2Layer, p *Packet, r *types.OSPFv2) {
		b := l.contents
		r.Timestamp = p.Timestamp
		r.Version = int32(b[0])
		r.Type = int32(b[1])
		r.PacketLength = int32(binary.BigEndian.Uint16(b[2:4]))
		r.RouterID = binary.BigEndian.Uint32(b[4:8])
		r.AreaID = binary.BigEndian.Uint32(b[8:12])
		r.Checksum = int32(binary.BigEndian.Uint16(b[12:14]))
		r.AuType = int32(binary.BigEndian.Uint16(b[14:16]))
		r.Authentication = int64(binary.BigEndian.Uint64(b[16:24]))
		body := b[24:]
		switch r.Type {
		case ospfHello:
			if len(body) >= 20 {
				r.HelloV2 = &types.HelloPkgV2{
					NetworkMask:              binary.BigEndian.Uint32(body[0:4]),
					HelloInterval:            int32(binary.BigEndian.Uint16(body[4:6])),
					Options:                  uint32(body[6]),
					RtrPriority:              int32(body[7]),
					RouterDeadInterval:       binary.BigEndian.Uint32(body[8:12]),
					DesignatedRouterID:       binary.BigEndian.Uint32(body[12:16]),
					BackupDesignatedRouterID: binary.BigEndian.Uint32(body[16:20]),
					NeighborID:               ospfIDs(body[20:]),
				}
			}
		case ospfDatabaseDescription:
			if len(body) >= 8 {
				r.DbDesc = &types.DbDescPkg{
					InterfaceMTU: int32(binary.BigEndian.Uint16(body[0:2])),
					Options:      uint32(body[2]),
					Flags:        int32(body[3]),
					DDSeqNumber:  binary.BigEndian.Uint32(body[4:8]),
					LSAinfo:      ospfLSAHeaders(body[8:], 2),
				}
			}
		case ospfLinkStateRequest:
			r.LSR = ospfRequests(body)
		case ospfLinkStateUpdate:
			r.LSU = ospfUpdate(body, 2, p)
		case ospfLinkStateAck:
			r.LSAs = ospfLSAHeaders(body, 2)
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

// OSPF packet types.
const (
	ospfHello               = 1
	ospfDatabaseDescription = 2
	ospfLinkStateRequest    = 3
	ospfLinkStateUpdate     = 4
	ospfLinkStateAck        = 5
)

const ospfLSAHeaderLen = 20

// ospfIDs reads 32-bit IDs (router IDs, addresses) to the end of b.
func ospfIDs(b []byte) []uint32 {
	if len(b) < 4 {
		return nil
	}
	out := make([]uint32, 0, len(b)/4)
	for ; len(b) >= 4; b = b[4:] {
		out = append(out, binary.BigEndian.Uint32(b[0:4]))
	}
	return out
}

// ospfLSAHeader reads an LSA header of the given OSPF version: version 2
// has an options byte and an 8-bit type, version 3 a 16-bit type.
func ospfLSAHeader(b []byte, version int) *types.LSAheader {
	h := &types.LSAheader{
		LSAge:       int32(binary.BigEndian.Uint16(b[0:2])),
		LinkStateID: binary.BigEndian.Uint32(b[4:8]),
		AdvRouter:   binary.BigEndian.Uint32(b[8:12]),
		LSSeqNumber: binary.BigEndian.Uint32(b[12:16]),
		LSChecksum:  int32(binary.BigEndian.Uint16(b[16:18])),
		Length:      int32(binary.BigEndian.Uint16(b[18:20])),
	}
	if version == 2 {
		h.LSOptions, h.LSType = int32(b[2]), int32(b[3])
	} else {
		h.LSType = int32(binary.BigEndian.Uint16(b[2:4]))
	}
	return h
}

// ospfLSAHeaders reads LSA headers to the end of b.
func ospfLSAHeaders(b []byte, version int) []*types.LSAheader {
	var out []*types.LSAheader
	for ; len(b) >= ospfLSAHeaderLen; b = b[ospfLSAHeaderLen:] {
		out = append(out, ospfLSAHeader(b, version))
	}
	return out
}

// ospfRequests reads the entries of a Link State Request: a 32-bit LS type
// (version 2; version 3 has 16 reserved bits and a 16-bit type), the link
// state ID and the advertising router.
func ospfRequests(b []byte) []*types.LSReq {
	var out []*types.LSReq
	for ; len(b) >= 12; b = b[12:] {
		out = append(out, &types.LSReq{
			LSType:    int32(binary.BigEndian.Uint32(b[0:4])),
			LSID:      binary.BigEndian.Uint32(b[4:8]),
			AdvRouter: binary.BigEndian.Uint32(b[8:12]),
		})
	}
	return out
}

// ospfUpdate reads a Link State Update: the number of LSAs, then as many
// LSAs as the body holds, each delimited by its header's length.
func ospfUpdate(b []byte, version int, p *Packet) *types.LSUpdate {
	if len(b) < 4 {
		return nil
	}
	u := &types.LSUpdate{NumOfLSAs: binary.BigEndian.Uint32(b[0:4])}
	b = b[4:]
	for i := uint32(0); i < u.NumOfLSAs && len(b) >= ospfLSAHeaderLen; i++ {
		h := ospfLSAHeader(b, version)
		n := int(h.Length)
		if n < ospfLSAHeaderLen {
			break // cannot tell where the next LSA starts
		}
		lsa := b[:min(n, len(b))]
		rec := &types.LSA{Header: h, SrcIP: p.SrcIP, DstIP: p.DstIP}
		if version == 2 {
			ospfv2LSABody(rec, lsa)
		} else {
			ospfv3LSABody(rec, lsa)
		}
		u.LSAs = append(u.LSAs, rec)
		if n >= len(b) {
			break
		}
		b = b[n:]
	}
	return u
}

// OSPFv2 LSA types.
const (
	ospfv2RouterLSA       = 1
	ospfv2NetworkLSA      = 2
	ospfv2SummaryLSA      = 3
	ospfv2ASBRSummaryLSA  = 4
	ospfv2ASExternalLSA   = 5
	ospfv2NSSAExternalLSA = 7
)

// ospfv2LSABody reads the body of OSPFv2 LSA lsa (header included) into
// rec.
func ospfv2LSABody(rec *types.LSA, lsa []byte) {
	body := lsa[ospfLSAHeaderLen:]
	switch rec.Header.LSType {
	case ospfv2RouterLSA:
		// flags, 0, number of links, then links: link ID, link data,
		// type, number of TOS metrics, TOS 0 metric, TOS metrics.
		if len(body) < 4 {
			return
		}
		r := &types.RouterLSAV2{Flags: int32(body[0]), Links: int32(binary.BigEndian.Uint16(body[2:4]))}
		for b := body[4:]; len(b) >= 12; {
			r.Routers = append(r.Routers, &types.RouterV2{
				LinkID:   binary.BigEndian.Uint32(b[0:4]),
				LinkData: binary.BigEndian.Uint32(b[4:8]),
				Type:     int32(b[8]),
				Metric:   uint32(binary.BigEndian.Uint16(b[10:12])),
			})
			n := 12 + 4*int(b[9])
			if n >= len(b) {
				break
			}
			b = b[n:]
		}
		rec.RLSAV2 = r
	case ospfv2NetworkLSA:
		// network mask, attached routers
		if len(body) >= 4 {
			rec.NLSA = &types.NetworkLSA{AttachedRouter: ospfIDs(body[4:])}
		}
	case ospfv2SummaryLSA, ospfv2ASBRSummaryLSA:
		// network mask, 0, metric (24 bits), TOS metrics
		if len(body) >= 8 {
			rec.ASELSAV2 = &types.ASExternalLSAV2{
				NetworkMask: binary.BigEndian.Uint32(body[0:4]),
				Metric:      binary.BigEndian.Uint32(body[4:8]) & 0xffffff,
			}
		}
	case ospfv2ASExternalLSA, ospfv2NSSAExternalLSA:
		// network mask, E bit and metric (24 bits), forwarding address,
		// external route tag, TOS entries
		if len(body) >= 16 {
			rec.ASELSAV2 = &types.ASExternalLSAV2{
				NetworkMask:       binary.BigEndian.Uint32(body[0:4]),
				ExternalBit:       int32(body[4] >> 7),
				Metric:            binary.BigEndian.Uint32(body[4:8]) & 0xffffff,
				ForwardingAddress: binary.BigEndian.Uint32(body[8:12]),
				ExternalRouteTag:  binary.BigEndian.Uint32(body[12:16]),
			}
		}
	}
}
