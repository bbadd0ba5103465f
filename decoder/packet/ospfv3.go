package packet

import (
	"encoding/binary"

	"github.com/gopacket/gopacket"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

type ospfv3Layer struct{ ospfPacket }

func (o *ospfv3Layer) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	o.lt = layerTypeOSPFv3
	return o.decode(data, df, 3, 16)
}

func decodeOSPFv3(data []byte, p gopacket.PacketBuilder) error {
	o := &ospfv3Layer{}
	if err := o.DecodeFromBytes(data, p); err != nil {
		return err
	}
	p.AddLayer(o)
	return nil
}

// OSPFv3 reads OSPFv3 packets (see ospfv2.go for how they reach it):
// the header and the body of each packet type, as for OSPFv2. LSAs are
// read by their LS type's function code, whatever the U and scope bits:
// router (RLSA), network (NLSA), inter-area-prefix (InterAPrefixLSA),
// inter-area-router (IARouterLSA), AS-external and NSSA (ASELSA), link
// (LLSA) and intra-area-prefix (IntraAPrefixLSA) LSAs; others keep their
// header only. An address prefix holds the prefix's bytes as sent, whole
// 32-bit words (RFC 5340 A.4.1); a prefix's Metric is 0 where the LSA has
// none per prefix.
var OSPFv3 = newDecoder(
	decoder.Info{Name: "OSPFv3", Type: types.Type_NC_OSPFv3, Aliases: []string{"OSPF"}, Description: "Open Shortest Path First version 3 packets, with their LSAs"},
	layerTypeOSPFv3,
	func() gopacket.DecodingLayer { return &ospfv3Layer{} },
	func() *types.OSPFv3 { return &types.OSPFv3{} },
	func(l *ospfv3Layer, p *Packet, r *types.OSPFv3) {
		b := l.contents
		r.Timestamp = p.Timestamp
		r.Version = int32(b[0])
		r.Type = int32(b[1])
		r.PacketLength = int32(binary.BigEndian.Uint16(b[2:4]))
		r.RouterID = binary.BigEndian.Uint32(b[4:8])
		r.AreaID = binary.BigEndian.Uint32(b[8:12])
		r.Checksum = int32(binary.BigEndian.Uint16(b[12:14]))
		r.Instance = int32(b[14])
		r.Reserved = int32(b[15])
		body := b[16:]
		switch r.Type {
		case ospfHello:
			// interface ID, priority, options (24 bits), hello interval,
			// dead interval, DR, BDR, neighbors
			if len(body) >= 20 {
				r.Hello = &types.HelloPkg{
					InterfaceID:              binary.BigEndian.Uint32(body[0:4]),
					RtrPriority:              int32(body[4]),
					Options:                  be24(body[5:8]),
					HelloInterval:            int32(binary.BigEndian.Uint16(body[8:10])),
					RouterDeadInterval:       uint32(binary.BigEndian.Uint16(body[10:12])),
					DesignatedRouterID:       binary.BigEndian.Uint32(body[12:16]),
					BackupDesignatedRouterID: binary.BigEndian.Uint32(body[16:20]),
					NeighborID:               ospfIDs(body[20:]),
				}
			}
		case ospfDatabaseDescription:
			// 0, options (24 bits), MTU, 0, flags, DD sequence number
			if len(body) >= 12 {
				r.DbDesc = &types.DbDescPkg{
					Options:      be24(body[1:4]),
					InterfaceMTU: int32(binary.BigEndian.Uint16(body[4:6])),
					Flags:        int32(body[7]),
					DDSeqNumber:  binary.BigEndian.Uint32(body[8:12]),
					LSAinfo:      ospfLSAHeaders(body[12:], 3),
				}
			}
		case ospfLinkStateRequest:
			r.LSR = ospfRequests(body)
		case ospfLinkStateUpdate:
			r.LSU = ospfUpdate(body, 3, p)
		case ospfLinkStateAck:
			r.LSAs = ospfLSAHeaders(body, 3)
		}
		r.SrcIP, r.DstIP = p.SrcIP, p.DstIP
	},
)

// OSPFv3 LSA function codes (the LS type's low 13 bits).
const (
	ospfv3RouterLSA          = 1
	ospfv3NetworkLSA         = 2
	ospfv3InterAreaPrefixLSA = 3
	ospfv3InterAreaRouterLSA = 4
	ospfv3ASExternalLSA      = 5
	ospfv3NSSALSA            = 7
	ospfv3LinkLSA            = 8
	ospfv3IntraAreaPrefixLSA = 9
)

// ospfv3PrefixLen is the length of an address prefix of n bits: whole
// 32-bit words.
func ospfv3PrefixLen(n uint8) int { return (int(n) + 31) / 32 * 4 }

// ospfv3Prefixes reads count prefixes from b: length, options, a 16-bit
// field (the metric in intra-area-prefix LSAs), the address prefix.
func ospfv3Prefixes(b []byte, count int, metric bool) []*types.LSAPrefix {
	var out []*types.LSAPrefix
	for i := 0; i < count && len(b) >= 4; i++ {
		n := 4 + ospfv3PrefixLen(b[0])
		if n > len(b) {
			break
		}
		pr := &types.LSAPrefix{PrefixLength: int32(b[0]), PrefixOptions: int32(b[1]), AddressPrefix: copyBytes(b[4:n])}
		if metric {
			pr.Metric = int32(binary.BigEndian.Uint16(b[2:4]))
		}
		out = append(out, pr)
		b = b[n:]
	}
	return out
}

// ospfv3LSABody reads the body of OSPFv3 LSA lsa (header included) into
// rec.
func ospfv3LSABody(rec *types.LSA, lsa []byte) {
	body := lsa[ospfLSAHeaderLen:]
	switch rec.Header.LSType & 0x1fff {
	case ospfv3RouterLSA:
		// flags, options (24 bits), then interfaces: type, 0, metric,
		// interface ID, neighbor interface ID, neighbor router ID
		if len(body) < 4 {
			return
		}
		r := &types.RouterLSA{Flags: int32(body[0]), Options: be24(body[1:4])}
		for b := body[4:]; len(b) >= 16; b = b[16:] {
			r.Routers = append(r.Routers, &types.Router{
				Type:                int32(b[0]),
				Metric:              int32(binary.BigEndian.Uint16(b[2:4])),
				InterfaceID:         binary.BigEndian.Uint32(b[4:8]),
				NeighborInterfaceID: binary.BigEndian.Uint32(b[8:12]),
				NeighborRouterID:    binary.BigEndian.Uint32(b[12:16]),
			})
		}
		rec.RLSA = r
	case ospfv3NetworkLSA:
		// 0, options (24 bits), attached routers
		if len(body) >= 4 {
			rec.NLSA = &types.NetworkLSA{Options: be24(body[1:4]), AttachedRouter: ospfIDs(body[4:])}
		}
	case ospfv3InterAreaPrefixLSA:
		// 0, metric (24 bits), prefix length, options, 0, address prefix
		if len(body) >= 8 {
			n := min(8+ospfv3PrefixLen(body[4]), len(body))
			rec.InterAPrefixLSA = &types.InterAreaPrefixLSA{
				Metric:        be24(body[1:4]),
				PrefixLength:  int32(body[4]),
				PrefixOptions: int32(body[5]),
				AddressPrefix: copyBytes(body[8:n]),
			}
		}
	case ospfv3InterAreaRouterLSA:
		// 0, options (24 bits), 0, metric (24 bits), destination router
		if len(body) >= 12 {
			rec.IARouterLSA = &types.InterAreaRouterLSA{
				Options:             be24(body[1:4]),
				Metric:              be24(body[5:8]),
				DestinationRouterID: binary.BigEndian.Uint32(body[8:12]),
			}
		}
	case ospfv3ASExternalLSA, ospfv3NSSALSA:
		rec.ASELSA = ospfv3External(body)
	case ospfv3LinkLSA:
		// priority, options (24 bits), link-local address, number of
		// prefixes, prefixes
		if len(body) >= 24 {
			n := binary.BigEndian.Uint32(body[20:24])
			rec.LLSA = &types.LinkLSA{
				RtrPriority:      int32(body[0]),
				Options:          be24(body[1:4]),
				LinkLocalAddress: copyBytes(body[4:20]),
				NumOfPrefixes:    n,
				Prefixes:         ospfv3Prefixes(body[24:], int(min(n, uint32(len(body)))), false),
			}
		}
	case ospfv3IntraAreaPrefixLSA:
		// number of prefixes, referenced LS type, link state ID and
		// advertising router, prefixes
		if len(body) >= 12 {
			n := binary.BigEndian.Uint16(body[0:2])
			rec.IntraAPrefixLSA = &types.IntraAreaPrefixLSA{
				NumOfPrefixes:  int32(n),
				RefLSType:      int32(binary.BigEndian.Uint16(body[2:4])),
				RefLinkStateID: binary.BigEndian.Uint32(body[4:8]),
				RefAdvRouter:   binary.BigEndian.Uint32(body[8:12]),
				Prefixes:       ospfv3Prefixes(body[12:], int(n), true),
			}
		}
	}
}

// OSPFv3 AS-external LSA flags.
const (
	ospfv3ExternalT = 0x01 // external route tag present
	ospfv3ExternalF = 0x02 // forwarding address present
)

// ospfv3External reads the body of an AS-external or NSSA LSA: flags,
// metric (24 bits), prefix length and options, referenced LS type, address
// prefix, then a forwarding address (F flag), an external route tag (T
// flag) and a referenced link state ID (referenced LS type not 0).
func ospfv3External(body []byte) *types.ASExternalLSA {
	if len(body) < 8 {
		return nil
	}
	e := &types.ASExternalLSA{
		Flags:         int32(body[0]),
		Metric:        be24(body[1:4]),
		PrefixLength:  int32(body[4]),
		PrefixOptions: int32(body[5]),
		RefLSType:     int32(binary.BigEndian.Uint16(body[6:8])),
	}
	off := min(8+ospfv3PrefixLen(body[4]), len(body))
	e.AddressPrefix = copyBytes(body[8:off])
	if body[0]&ospfv3ExternalF != 0 && len(body)-off >= 16 {
		e.ForwardingAddress = copyBytes(body[off : off+16])
		off += 16
	}
	if body[0]&ospfv3ExternalT != 0 && len(body)-off >= 4 {
		e.ExternalRouteTag = binary.BigEndian.Uint32(body[off : off+4])
		off += 4
	}
	if e.RefLSType != 0 && len(body)-off >= 4 {
		e.RefLinkStateID = binary.BigEndian.Uint32(body[off : off+4])
	}
	return e
}
