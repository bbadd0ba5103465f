package packet

import (
	"fmt"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

const (
	// maxLayers bounds how many layers of one packet are decoded, so a
	// crafted packet (an endless MPLS stack, tunnels in tunnels) cannot loop.
	// Application messages that share a segment (Modbus ADUs, ENIP and
	// Diameter messages, DNS over TCP) count one layer each.
	maxLayers = 256
	// maxOccurrences bounds how often one layer type repeats in a packet.
	maxOccurrences = 128
)

// unwrapper is implemented by this package's wrapper decoding layers: the
// record decoders see the gopacket layer inside.
type unwrapper interface{ unwrap() gopacket.Layer }

func (m *mplsLayer) unwrap() gopacket.Layer { return &m.MPLS }
func (i *igmpLayer) unwrap() gopacket.Layer { return i.current }

// slot holds what a parser keeps for one layer type.
type slot struct {
	name      string
	dec       LayerDecoder // nil for transit layers, which yield no record
	enabled   bool
	newLayer  func() gopacket.DecodingLayer
	instances []gopacket.DecodingLayer // one per occurrence in a packet
	used      int
	record    proto.Message
	cid       types.CommunityIDSetter // the record, when it has a CommunityID field
	decoded   int64
	errors    int64
	records   int64
}

type pendingLayer struct {
	s *slot
	l gopacket.Layer
}

// packetSlot holds what a parser keeps for one packet decoder.
type packetSlot struct {
	dec     PacketDecoder
	record  proto.Message
	cid     types.CommunityIDSetter
	records int64
}

// LayerStats are one layer type's counters.
type LayerStats struct {
	Decoded int64 // layers decoded
	Errors  int64 // layers that failed to decode
	Records int64 // records written
}

// Stats are what a parser counted. Parsers are per worker; Add merges them.
type Stats struct {
	Packets   int64
	Layers    map[string]LayerStats // by layer name
	Unknown   map[string]int64      // layers reached that nothing here decodes
	Panics    int64                 // decoder panics caught (each is a bug)
	TooDeep   int64                 // packets cut at maxLayers/maxOccurrences
	Truncated int64                 // packets shorter than their headers say
	// Skipped counts packets a packet decoder recognised but could not use,
	// by "decoder: reason" (e.g. a TLS hello split across TCP segments).
	Skipped map[string]int64
	// ErrorSamples keeps the first error text per layer, for the log.
	ErrorSamples map[string]string
}

// Add adds o to s.
func (s *Stats) Add(o *Stats) {
	if s.Layers == nil {
		s.Layers = map[string]LayerStats{}
		s.Unknown = map[string]int64{}
		s.Skipped = map[string]int64{}
		s.ErrorSamples = map[string]string{}
	}
	s.Packets += o.Packets
	s.Panics += o.Panics
	s.TooDeep += o.TooDeep
	s.Truncated += o.Truncated
	for k, v := range o.Layers {
		c := s.Layers[k]
		c.Decoded += v.Decoded
		c.Errors += v.Errors
		c.Records += v.Records
		s.Layers[k] = c
	}
	for k, v := range o.Unknown {
		s.Unknown[k] += v
	}
	for k, v := range o.Skipped {
		s.Skipped[k] += v
	}
	for k, v := range o.ErrorSamples {
		if _, ok := s.ErrorSamples[k]; !ok {
			s.ErrorSamples[k] = v
		}
	}
}

// Parser decodes the layers of packets and writes their records. It is
// gopacket's DecodingLayerParser loop, extended so that a layer type may
// occur several times in one packet (tunnels) and every occurrence yields a
// record, and so that layers without a fast decoder go through
// gopacket.NewPacket. One per worker; not safe for concurrent use.
type Parser struct {
	opts    Options
	emit    decoder.Emit
	slots   map[gopacket.LayerType]*slot
	byLayer []*slot // slots indexed by layer type, for the common small ones
	pending []pendingLayer
	used    []*slot
	pkt     Packet
	netL    gopacket.NetworkLayer
	transL  gopacket.TransportLayer
	pdecs   []*packetSlot
	skipped map[string]int64

	unknown      map[gopacket.LayerType]int64
	errorSamples map[string]string
	packets      int64
	panics       int64
	tooDeep      int64
	truncated    int64
	isTruncated  bool
	prev         gopacket.DecodingLayer // the layer decoded last, for LayerContext
	lastNet      gopacket.NetworkLayer  // the IP header decoded last
	defrag       []byte                 // a reassembled datagram's payload, see DecodeDefragmented
	flowHook     func(*Packet)
}

// SetFlowHook sets a function called for every packet once its layers are
// decoded and before its records are made: the flow table accounts the
// packet there and sets Packet.CommunityID, which the records that have a
// CommunityID field then carry.
func (p *Parser) SetFlowHook(f func(*Packet)) { p.flowHook = f }

// communityIDField returns r as a CommunityIDSetter, or nil.
func communityIDField(r proto.Message) types.CommunityIDSetter {
	s, _ := r.(types.CommunityIDSetter)
	return s
}

// setCommunityID copies the packet's Community ID into the record.
func (p *Parser) setCommunityID(s types.CommunityIDSetter, _ proto.Message) {
	if s != nil && p.pkt.CommunityID != "" {
		s.SetCommunityID(p.pkt.CommunityID)
	}
}

// NewParser returns a parser that runs decs and writes the records of
// the enabled types to emit.
func NewParser(opts Options, decs Decoders, emit decoder.Emit) *Parser {
	RegisterLayerTypes(decs.Layers)
	p := &Parser{
		opts:         opts,
		emit:         emit,
		slots:        map[gopacket.LayerType]*slot{},
		unknown:      map[gopacket.LayerType]int64{},
		skipped:      map[string]int64{},
		errorSamples: map[string]string{},
	}
	for _, d := range decs.Packets {
		if decs.Enabled.Has(d.Info().Type) {
			r := d.NewRecord()
			p.pdecs = append(p.pdecs, &packetSlot{dec: d, record: r, cid: communityIDField(r)})
		}
	}
	for lt, nl := range transitLayers {
		p.slots[lt] = &slot{name: lt.String(), newLayer: nl}
	}
	for _, d := range decs.Layers {
		s := &slot{
			name:     d.Info().Name,
			dec:      d,
			enabled:  decs.Enabled.Has(d.Info().Type),
			newLayer: d.NewLayer,
			record:   d.NewRecord(),
		}
		s.cid = communityIDField(s.record)
		if d.NewLayer() == nil {
			s.newLayer = nil
		}
		p.slots[d.LayerType()] = s
	}
	for lt, s := range p.slots {
		if lt >= 0 && int(lt) < 4096 {
			for int(lt) >= len(p.byLayer) {
				p.byLayer = append(p.byLayer, nil)
			}
			p.byLayer[lt] = s
		}
	}
	p.pkt.Opts = &p.opts
	p.pkt.addrs = &addrCache{}
	return p
}

// SetTruncated implements gopacket.DecodeFeedback.
func (p *Parser) SetTruncated() { p.isTruncated = true }

// Packet returns the packet decoded last and its context (valid until the
// next Decode).
func (p *Parser) Packet() *Packet { return &p.pkt }

// Previous implements LayerContext.
func (p *Parser) Previous() gopacket.DecodingLayer { return p.prev }

func (p *Parser) slot(lt gopacket.LayerType) *slot {
	if lt >= 0 && int(lt) < len(p.byLayer) {
		return p.byLayer[lt]
	}
	return p.slots[lt]
}

// firstLayer returns the layer type a frame of link type lt starts with.
func firstLayer(lt layers.LinkType, data []byte) gopacket.LayerType {
	switch lt {
	case layers.LinkTypeEthernet:
		return layers.LayerTypeEthernet
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		return layers.LayerTypeLoopback
	case layers.LinkTypeRaw, 12, 14, layers.LinkTypeIPv4, layers.LinkTypeIPv6:
		// 12 and 14 are DLT_RAW on some BSDs, written as is by old tools.
		return guessIP(data)
	case layers.LinkTypeLinuxSLL:
		return layers.LayerTypeLinuxSLL
	case layers.LinkTypeLinuxSLL2:
		return layers.LayerTypeLinuxSLL2
	case layers.LinkTypeIEEE80211Radio:
		return layers.LayerTypeRadioTap
	case layers.LinkTypeIEEE802_11:
		return layers.LayerTypeDot11
	// gopacket's LinkType.LayerType has no entry for these three.
	case layers.LinkTypePPP:
		return layers.LayerTypePPP
	case layers.LinkTypeFDDI:
		return layers.LayerTypeFDDI
	case layers.LinkTypePFLog:
		return layers.LayerTypePFLog
	}
	return lt.LayerType()
}

// Decode decodes one frame of link type lt and emits its records. It never
// panics: a decoder panic is caught, counted and ends the packet.
func (p *Parser) Decode(data []byte, timestamp int64, length int, lt layers.LinkType) error {
	if lt == layers.LinkTypeIEEE802_11 {
		// Frames of this link type carry no frame check sequence (as tshark
		// assumes), but gopacket's 802.11 decoder always cuts 4 bytes off
		// as one: give it 4 bytes to cut.
		padded := make([]byte, len(data)+4)
		copy(padded, data)
		data = padded
	}
	return p.DecodeFrom(firstLayer(lt, data), data, timestamp, length)
}

// DecodeDefragmented decodes the frame of the IP fragment that completed a
// datagram: its link and IP headers from the frame, the layers after the
// IP header from payload, the reassembled datagram's payload.
func (p *Parser) DecodeDefragmented(data []byte, timestamp int64, length int, lt layers.LinkType, payload []byte) error {
	p.defrag = payload
	err := p.Decode(data, timestamp, length, lt)
	p.defrag = nil
	return err
}

// DecodeFrom is Decode for data that starts with a layer of type first.
func (p *Parser) DecodeFrom(first gopacket.LayerType, data []byte, timestamp int64, length int) (err error) {
	p.packets++
	p.pkt.Timestamp, p.pkt.Data, p.pkt.Length, p.pkt.Link = timestamp, data, length, first
	p.pending = p.pending[:0]
	p.netL, p.transL, p.lastNet = nil, nil, nil
	p.pkt.Ethernet, p.pkt.TCP, p.pkt.TCPNet, p.pkt.UDP, p.pkt.UDPNet = nil, nil, nil, nil, nil
	p.pkt.Net, p.pkt.ICMPv4, p.pkt.ICMPv6, p.pkt.SCTP, p.pkt.CommunityID = nil, nil, nil, nil, ""
	p.isTruncated = false
	defer func() {
		if r := recover(); r != nil {
			p.panics++
			p.sample("panic", fmt.Sprint(r))
		}
		for _, s := range p.used {
			s.used = 0
		}
		p.used = p.used[:0]
		if p.isTruncated {
			p.truncated++
		}
	}()
	p.walk(data, first)
	p.pkt.Net = p.lastNet
	if p.flowHook != nil {
		p.flowHook(&p.pkt)
	}
	if len(p.pending) == 0 && (len(p.pdecs) == 0 || p.pkt.TCP == nil) {
		return nil
	}
	p.setContext()
	for _, pl := range p.pending {
		s := pl.s
		proto.Reset(s.record)
		if !s.dec.Fill(pl.l, &p.pkt, s.record) {
			continue
		}
		p.setCommunityID(s.cid, s.record)
		s.records++
		if e := p.emit(s.dec.Info().Type, s.record); e != nil && err == nil {
			err = e
		}
	}
	for _, ps := range p.pdecs {
		proto.Reset(ps.record)
		ok, skip := ps.dec.Decode(&p.pkt, ps.record)
		if skip != "" {
			p.skipped[ps.dec.Info().Name+": "+skip]++
		}
		if !ok {
			continue
		}
		p.setCommunityID(ps.cid, ps.record)
		ps.records++
		if e := p.emit(ps.dec.Info().Type, ps.record); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// walk decodes data, starting with layer type lt.
func (p *Parser) walk(data []byte, lt gopacket.LayerType) {
	p.prev = nil
	for depth := 0; ; depth++ {
		switch lt {
		case gopacket.LayerTypePayload, gopacket.LayerTypeZero, gopacket.LayerTypeFragment, gopacket.LayerTypeDecodeFailure:
			return
		}
		if len(data) == 0 {
			return
		}
		if depth >= maxLayers {
			p.tooDeep++
			return
		}
		s := p.slot(lt)
		if s == nil || s.newLayer == nil {
			if s != nil || slowTransit[lt] {
				p.walkSlow(data, lt)
				return
			}
			if !handledByPacketDecoders[lt] {
				p.unknown[lt]++
			}
			return
		}
		if s.used >= maxOccurrences {
			p.tooDeep++
			return
		}
		if s.used == len(s.instances) {
			s.instances = append(s.instances, s.newLayer())
		}
		l := s.instances[s.used]
		if s.used == 0 {
			p.used = append(p.used, s)
		}
		s.used++
		err := l.DecodeFromBytes(data, p)
		if err == nil {
			err = checkVersion(l)
		}
		if err != nil {
			s.errors++
			p.sample(s.name, err.Error())
			return
		}
		s.decoded++
		p.found(s, l)
		p.prev = l
		if ip6, ok := l.(*layers.IPv6); ok && ip6.HopByHop != nil {
			// gopacket decodes the hop-by-hop header inside IPv6; Netcap
			// writes it as a layer of its own.
			if hs := p.slot(layers.LayerTypeIPv6HopByHop); hs != nil {
				hs.decoded++
				p.found(hs, ip6.HopByHop)
			}
		}
		lt, data = p.next(l)
	}
}

// checkVersion rejects an IP header whose version field does not match its
// EtherType or protocol number: gopacket decodes it anyway, tshark (and any
// host) does not.
func checkVersion(l gopacket.DecodingLayer) error {
	switch x := l.(type) {
	case *layers.IPv4:
		if x.Version != 4 {
			return fmt.Errorf("IPv4 header with version %d", x.Version)
		}
	case *layers.IPv6:
		if x.Version != 6 {
			return fmt.Errorf("IPv6 header with version %d", x.Version)
		}
	}
	return nil
}

// ethernetTypeRARP is Reverse ARP (RFC 903), which has ARP's layout; gopacket
// does not map it, tshark dissects it as ARP.
const ethernetTypeRARP layers.EthernetType = 0x8035

// next returns the layer after l and its bytes, mending two gopacket habits.
func (p *Parser) next(l gopacket.DecodingLayer) (gopacket.LayerType, []byte) {
	switch x := l.(type) {
	case *layers.Ethernet:
		if x.EthernetType == ethernetTypeRARP {
			return layers.LayerTypeARP, x.Payload
		}
	case *layers.Dot1Q:
		if x.Type == ethernetTypeRARP {
			return layers.LayerTypeARP, x.Payload
		}
	case *layers.LinuxSLL:
		if x.EthernetType == ethernetTypeRARP {
			return layers.LayerTypeARP, x.Payload
		}
	case *layers.LinuxSLL2:
		if x.ProtocolType == ethernetTypeRARP {
			return layers.LayerTypeARP, x.Payload
		}
	case *layers.IPv4:
		if p.defrag != nil && x.NextLayerType() == gopacket.LayerTypeFragment {
			payload := p.defrag
			p.defrag = nil
			return x.Protocol.LayerType(), payload
		}
	case *layers.IPv6Fragment:
		if p.defrag != nil {
			payload := p.defrag
			p.defrag = nil
			return x.NextHeader.LayerType(), payload
		}
	case *layers.RadioTap:
		// gopacket's 802.11 decoder always cuts 4 bytes of frame check
		// sequence off the end. When radiotap says the frame has one but
		// the capture was cut short of it (snap length), those bytes are
		// frame data: give the decoder 4 bytes to cut instead.
		if missing := p.pkt.Length - len(p.pkt.Data); missing > 0 && len(x.RadioTapValues) > 0 && x.RadioTapValues[0].Flags.FCS() {
			frame := x.Payload
			if kept := 4 - missing; kept > 0 && kept <= len(frame) {
				frame = frame[:len(frame)-kept] // the part of the FCS that was captured
			}
			padded := make([]byte, len(frame)+4)
			copy(padded, frame)
			return x.NextLayerType(), padded
		}
	}
	return l.NextLayerType(), l.LayerPayload()
}

// found notes a decoded layer: its record, and the packet context.
func (p *Parser) found(s *slot, l any) {
	var layer gopacket.Layer
	if u, ok := l.(unwrapper); ok {
		layer = u.unwrap()
	} else if gl, ok := l.(gopacket.Layer); ok {
		layer = gl
	}
	if layer == nil {
		return
	}
	if n, ok := layer.(gopacket.NetworkLayer); ok {
		switch layer.LayerType() {
		case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
			if p.netL == nil {
				p.netL = n
			}
			p.lastNet = n
		}
	}
	if p.transL == nil {
		if t, ok := layer.(gopacket.TransportLayer); ok {
			p.transL = t
		}
	}
	switch x := layer.(type) {
	case *layers.Ethernet:
		if p.pkt.Ethernet == nil {
			p.pkt.Ethernet = x
		}
	case *layers.TCP:
		p.pkt.TCP, p.pkt.TCPNet = x, p.lastNet
	case *layers.UDP:
		p.pkt.UDP, p.pkt.UDPNet = x, p.lastNet
	case *layers.SCTP:
		p.pkt.SCTP = x
	case *layers.ICMPv4:
		p.pkt.ICMPv4 = x
	case *layers.ICMPv6:
		p.pkt.ICMPv6 = x
	}
	if s.dec != nil && s.enabled {
		p.pending = append(p.pending, pendingLayer{s: s, l: layer})
	}
}

// walkSlow decodes the rest of the packet with gopacket.NewPacket, for layer
// types that have no decoding layer of their own.
func (p *Parser) walkSlow(data []byte, lt gopacket.LayerType) {
	pkt := gopacket.NewPacket(data, lt, gopacket.DecodeOptions{NoCopy: true})
	for _, l := range pkt.Layers() {
		if f, ok := l.(*gopacket.DecodeFailure); ok {
			p.sample(lt.String(), f.Error().Error())
			if s := p.slot(lt); s != nil {
				s.errors++
			}
			return
		}
		s := p.slot(l.LayerType())
		if s == nil {
			if l.LayerType() != gopacket.LayerTypePayload {
				p.unknown[l.LayerType()]++
			}
			continue
		}
		s.decoded++
		p.found(s, l)
	}
	if pkt.Metadata().Truncated {
		p.isTruncated = true
	}
}

func (p *Parser) setContext() {
	c := &p.pkt
	c.SrcIP, c.DstIP, c.SrcPort, c.DstPort = "", "", 0, 0
	switch n := p.netL.(type) {
	case *layers.IPv4:
		c.SrcIP, c.DstIP = c.addrs.ipString(n.SrcIP), c.addrs.ipString(n.DstIP)
	case *layers.IPv6:
		c.SrcIP, c.DstIP = c.addrs.ipString(n.SrcIP), c.addrs.ipString(n.DstIP)
	}
	switch t := p.transL.(type) {
	case *layers.TCP:
		c.SrcPort, c.DstPort = int32(t.SrcPort), int32(t.DstPort)
	case *layers.UDP:
		c.SrcPort, c.DstPort = int32(t.SrcPort), int32(t.DstPort)
	case *layers.SCTP:
		c.SrcPort, c.DstPort = int32(t.SrcPort), int32(t.DstPort)
	}
}

// ipString formats an address; nil stays empty.
func ipString(ip net.IP) string {
	if len(ip) == 0 {
		return ""
	}
	return ip.String()
}

func (p *Parser) sample(layer, msg string) {
	if _, ok := p.errorSamples[layer]; !ok {
		p.errorSamples[layer] = msg
	}
}

// Stats returns the parser's counters.
func (p *Parser) Stats() *Stats {
	s := &Stats{
		Packets:      p.packets,
		Panics:       p.panics,
		TooDeep:      p.tooDeep,
		Truncated:    p.truncated,
		Layers:       map[string]LayerStats{},
		Unknown:      map[string]int64{},
		Skipped:      map[string]int64{},
		ErrorSamples: map[string]string{},
	}
	for _, ps := range p.pdecs {
		if ps.records > 0 {
			s.Layers[ps.dec.Info().Name] = LayerStats{Records: ps.records}
		}
	}
	for k, v := range p.skipped {
		s.Skipped[k] = v
	}
	for _, sl := range p.slots {
		if sl.decoded == 0 && sl.errors == 0 && sl.records == 0 {
			continue
		}
		c := s.Layers[sl.name]
		c.Decoded += sl.decoded
		c.Errors += sl.errors
		c.Records += sl.records
		s.Layers[sl.name] = c
	}
	for lt, n := range p.unknown {
		s.Unknown[lt.String()] += n
	}
	for k, v := range p.errorSamples {
		s.ErrorSamples[k] = v
	}
	return s
}
