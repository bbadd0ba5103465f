// Package packet holds the per-packet decoders: each file turns one
// decoded gopacket layer into one audit record (a LayerDecoder), or a
// whole packet into one (a PacketDecoder: TLS hellos), and the Parser
// that walks a packet's layers with them. Which decoders run, and in
// which order, is the registry's (decoder/registry); the gopacket tables
// the decoders need are registered in one place (gopacket.go).
//
// It must not import the capture engine (collector), the registry, the
// stream decoders or the record files (io).
package packet

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// Options are the per-run settings decoders read.
type Options struct {
	Payloads bool // keep payload bytes (-payload)
	Entropy  bool // compute payload entropy (-entropy)
}

// Packet is the frame being decoded and its packet context: the addresses
// of its first network layer and the ports of its first transport layer,
// which records copy into their SrcIP/DstIP/SrcPort/DstPort fields the way
// Netcap v0.6.11 does.
type Packet struct {
	// addrs formats addresses for the decoders, cached per parser;
	// tcpOpts hold the TCP record's options, reused packet after packet.
	addrs      *addrCache
	tcpOpts    []types.TCPOption
	tcpOptPtrs []*types.TCPOption
	Timestamp  int64 // Unix nanoseconds
	Data       []byte
	Length     int // length on the wire
	// Link is the frame's first layer (Ethernet, LinuxSLL2, IPv4 on raw
	// links, ...).
	Link gopacket.LayerType
	Opts *Options

	SrcIP, DstIP     string
	SrcPort, DstPort int32

	// For packet decoders and stream reassembly: the packet's first
	// Ethernet header and its innermost TCP and UDP headers (in a tunnel,
	// the tunnelled ones) with the IP headers that carry them; nil when
	// absent.
	Ethernet *layers.Ethernet
	TCP      *layers.TCP
	TCPNet   gopacket.NetworkLayer
	UDP      *layers.UDP
	UDPNet   gopacket.NetworkLayer

	// For the flow table: the innermost IP header, and the innermost SCTP
	// and ICMP headers; nil when absent.
	Net    gopacket.NetworkLayer
	SCTP   *layers.SCTP
	ICMPv4 *layers.ICMPv4
	ICMPv6 *layers.ICMPv6

	// CommunityID is the Community ID of the packet's innermost flow, set by
	// the flow hook (empty without one); records with a CommunityID field
	// carry it.
	CommunityID string
}

// LayerContext is the gopacket.DecodeFeedback the parser hands to decoding
// layers. It also gives the layer decoded just before, for layers whose
// format depends on what carries them (DNS over TCP has a length prefix).
type LayerContext interface {
	gopacket.DecodeFeedback
	// Previous returns the layer decoded before the current one in this
	// packet, or nil for the first.
	Previous() gopacket.DecodingLayer
}

// PacketDecoder makes a record from a whole packet rather than from one
// layer (the "Packet" group: TLS hellos, and later flows and profiles).
type PacketDecoder interface {
	Info() decoder.Info
	NewRecord() proto.Message
	// Decode fills r, which is empty, from p. It returns false when p
	// yields no record; skip then says why when p was of the decoder's
	// kind but could not be used (it is counted in the summary).
	Decode(p *Packet, r proto.Message) (ok bool, skip string)
}

// LayerDecoder makes one audit record from one decoded layer.
type LayerDecoder interface {
	Info() decoder.Info
	// LayerType is the gopacket layer the decoder reads.
	LayerType() gopacket.LayerType
	// NewLayer returns a fresh decoding layer for the fast path, or nil when
	// gopacket can decode this layer type only through gopacket.NewPacket.
	NewLayer() gopacket.DecodingLayer
	// NewRecord returns an empty record.
	NewRecord() proto.Message
	// Fill writes layer l of packet p into r, which is empty. It returns
	// false when the layer yields no record.
	Fill(l gopacket.Layer, p *Packet, r proto.Message) bool
	// UDPPorts are UDP ports gopacket does not map to the layer type but
	// the protocol uses (RegisterLayerTypes adds them to gopacket's table).
	UDPPorts() []layers.UDPPort
}

// layerDecoder implements LayerDecoder for a layer type L and record type R.
type layerDecoder[L gopacket.Layer, R proto.Message] struct {
	info      decoder.Info
	layerType gopacket.LayerType
	newLayer  func() gopacket.DecodingLayer
	newRecord func() R
	fill      func(L, *Packet, R)
}

// onUDPPorts returns d, decoding its layer on these UDP ports too.
func onUDPPorts(d LayerDecoder, ports ...layers.UDPPort) LayerDecoder {
	return portsDecoder{d, ports}
}

type portsDecoder struct {
	LayerDecoder
	ports []layers.UDPPort
}

func (d portsDecoder) UDPPorts() []layers.UDPPort { return d.ports }

// newDecoder describes a decoder of group GoPacket. newLayer may be nil.
func newDecoder[L gopacket.Layer, R proto.Message](
	info decoder.Info, lt gopacket.LayerType, newLayer func() gopacket.DecodingLayer,
	newRecord func() R, fill func(L, *Packet, R),
) LayerDecoder {
	if info.Group == "" {
		info.Group = decoder.GroupGoPacket
	}
	return &layerDecoder[L, R]{info: info, layerType: lt, newLayer: newLayer, newRecord: newRecord, fill: fill}
}

func (d *layerDecoder[L, R]) Info() decoder.Info            { return d.info }
func (d *layerDecoder[L, R]) UDPPorts() []layers.UDPPort    { return nil }
func (d *layerDecoder[L, R]) LayerType() gopacket.LayerType { return d.layerType }
func (d *layerDecoder[L, R]) NewRecord() proto.Message      { return d.newRecord() }

func (d *layerDecoder[L, R]) NewLayer() gopacket.DecodingLayer {
	if d.newLayer == nil {
		return nil
	}
	return d.newLayer()
}

func (d *layerDecoder[L, R]) Fill(l gopacket.Layer, p *Packet, r proto.Message) bool {
	layer, ok := l.(L)
	if !ok {
		return false
	}
	rec, ok := r.(R)
	if !ok {
		return false
	}
	d.fill(layer, p, rec)
	return true
}
