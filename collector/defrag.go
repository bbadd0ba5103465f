package collector

import (
	"encoding/binary"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// The reader reassembles IP fragments before it dispatches packets, so a
// reassembled datagram goes to the worker of its transport flow (the
// fragments themselves carry no ports). The frame of the fragment that
// completes a datagram travels with the datagram's payload attached: the
// worker writes that frame's link and IP records as usual and decodes the
// transport and application layers from the reassembled payload — as
// tshark shows them, in the frame of the last fragment.

// DefragStats counts what the defragmenter did.
type DefragStats struct {
	Fragments   int64 // IPv4 and IPv6 fragments seen
	Reassembled int64 // datagrams completed
	Overlaps    int64 // fragments that overlapped data already held (first wins)
	Expired     int64 // incomplete datagrams dropped after the timeout
	Evicted     int64 // incomplete datagrams dropped to stay within bounds
	Invalid     int64 // fragments with impossible offsets or lengths
}

// DefragConfig bounds the datagrams waiting for fragments; zero fields
// take the defaults, 4096 datagrams and 32 MiB.
type DefragConfig struct {
	MaxDatagrams int
	MaxBytes     int
}

const (
	defragTimeout      = int64(30 * time.Second) // as Linux's ipfrag_time
	defragMaxDatagrams = 4096
	defragMaxBytes     = 32 << 20
	defragMaxPieces    = 256
	defragMaxSize      = 65535 // largest datagram payload
)

type fragKey struct {
	v6       bool
	src, dst [16]byte
	proto    uint8 // IPv4 only: part of the key (RFC 791)
	id       uint32
}

type fragPiece struct {
	off  int
	data []byte
}

type datagram struct {
	key        fragKey
	first      int64 // capture time of the first fragment
	pieces     []fragPiece
	bytes      int
	total      int // payload length, -1 until the last fragment arrives
	proto      uint8
	prev, next *datagram
}

// defragmenter holds the datagrams being reassembled, oldest first.
type defragmenter struct {
	cfg     DefragConfig
	pending map[fragKey]*datagram
	list    datagram // sentinel
	bytes   int
	stats   DefragStats
}

func newDefragmenter(cfg DefragConfig) *defragmenter {
	if cfg.MaxDatagrams <= 0 {
		cfg.MaxDatagrams = defragMaxDatagrams
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = defragMaxBytes
	}
	d := &defragmenter{cfg: cfg, pending: map[fragKey]*datagram{}}
	d.list.prev, d.list.next = &d.list, &d.list
	return d
}

// fragment describes an IP fragment found in a frame.
type fragment struct {
	key      fragKey
	off      int // payload offset in the datagram, bytes
	more     bool
	proto    uint8 // the transport protocol (IPv6: the fragment header's next header)
	data     []byte
	src, dst []byte
}

// parseFragment returns the fragment a frame carries, if it is one.
func parseFragment(frame []byte, lt layers.LinkType) (fragment, bool) {
	off, ok := ipOffset(frame, lt)
	if !ok {
		return fragment{}, false
	}
	ip := frame[off:]
	switch ip[0] >> 4 {
	case 4:
		return parseFragment4(ip)
	case 6:
		return parseFragment6(ip)
	}
	return fragment{}, false
}

// parseFragment4 returns the fragment an IPv4 packet is, if it is one.
func parseFragment4(ip []byte) (fragment, bool) {
	if len(ip) < 20 {
		return fragment{}, false
	}
	fo := binary.BigEndian.Uint16(ip[6:8])
	if fo&0x3fff == 0 {
		return fragment{}, false // neither MF nor an offset
	}
	ihl := int(ip[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ip[2:4]))
	if ihl < 20 || total < ihl || len(ip) < ihl {
		return fragment{}, false
	}
	end := min(total, len(ip))
	f := fragment{
		off:   int(fo&0x1fff) * 8,
		more:  fo&0x2000 != 0,
		proto: ip[9],
		data:  ip[ihl:end],
		src:   ip[12:16],
		dst:   ip[16:20],
	}
	copy(f.key.src[:], ip[12:16])
	copy(f.key.dst[:], ip[16:20])
	f.key.proto = ip[9]
	f.key.id = uint32(binary.BigEndian.Uint16(ip[4:6]))
	return f, true
}

// parseFragment6 walks an IPv6 packet's extension headers (at most 8) to
// a fragment header and returns the fragment, if it is one.
func parseFragment6(ip []byte) (fragment, bool) {
	if len(ip) < 40 {
		return fragment{}, false
	}
	next, rest := ip[6], ip[40:]
	for range 8 {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(rest) < 8 || len(rest) < (int(rest[1])+1)*8 {
				return fragment{}, false
			}
			next, rest = rest[0], rest[(int(rest[1])+1)*8:]
			continue
		case 44:
			return fragment6(ip, rest)
		}
		break
	}
	return fragment{}, false
}

// fragment6 reads the fragment header at the start of rest.
func fragment6(ip, rest []byte) (fragment, bool) {
	if len(rest) < 8 {
		return fragment{}, false
	}
	fo := binary.BigEndian.Uint16(rest[2:4])
	start := len(ip) - len(rest) + 8 // the fragmentable part
	end := len(ip)
	if plen := int(binary.BigEndian.Uint16(ip[4:6])); plen > 0 && 40+plen < end {
		end = max(40+plen, start) // the payload length bounds the data
	}
	f := fragment{
		key: v6Key(ip, binary.BigEndian.Uint32(rest[4:8])),
		off: int(fo &^ 7), more: fo&1 != 0, proto: rest[0],
		data: ip[start:end], src: ip[8:24], dst: ip[24:40],
	}
	if f.off == 0 && !f.more {
		return fragment{}, false // an atomic fragment: nothing to join
	}
	return f, true
}

func v6Key(ip []byte, id uint32) fragKey {
	k := fragKey{v6: true, id: id}
	copy(k.src[:], ip[8:24])
	copy(k.dst[:], ip[24:40])
	return k
}

// add takes a fragment seen at ts. When it completes its datagram, add
// returns the datagram's payload (a new slice) and transport protocol.
func (d *defragmenter) add(f fragment, ts int64) ([]byte, uint8, bool) {
	d.stats.Fragments++
	d.expire(ts)
	// Every fragment but the last holds a multiple of 8 bytes.
	if f.off+len(f.data) > defragMaxSize || (f.more && len(f.data)%8 != 0) {
		d.stats.Invalid++
		return nil, 0, false
	}
	g := d.pending[f.key]
	if g == nil {
		for len(d.pending) >= d.cfg.MaxDatagrams || d.bytes+len(f.data) > d.cfg.MaxBytes {
			if d.list.next == &d.list {
				break
			}
			d.stats.Evicted++
			d.drop(d.list.next)
		}
		g = &datagram{key: f.key, first: ts, total: -1}
		d.pending[f.key] = g
		g.prev, g.next = d.list.prev, &d.list
		d.list.prev.next = g
		d.list.prev = g
	}
	if f.off == 0 || f.key.v6 && g.proto == 0 {
		g.proto = f.proto
	}
	if !f.more {
		end := f.off + len(f.data)
		if g.total >= 0 && g.total != end {
			d.stats.Invalid++
			return nil, 0, false
		}
		g.total = end
	}
	if len(g.pieces) >= defragMaxPieces {
		d.stats.Invalid++
		d.drop(g)
		return nil, 0, false
	}
	d.insert(g, f.off, f.data)
	if g.total < 0 || !g.complete() {
		return nil, 0, false
	}
	out := make([]byte, g.total)
	for _, p := range g.pieces {
		copy(out[p.off:], p.data)
	}
	proto := g.proto
	if !g.key.v6 {
		proto = g.key.proto
	}
	d.drop(g)
	d.stats.Reassembled++
	return out, proto, true
}

// insert adds the bytes of [off, off+len(data)) that no piece holds yet
// (first wins), keeping pieces sorted by offset.
func (d *defragmenter) insert(g *datagram, off int, data []byte) {
	start, end := off, off+len(data)
	var add []fragPiece
	for _, p := range g.pieces {
		pEnd := p.off + len(p.data)
		if pEnd <= start || p.off >= end {
			continue
		}
		d.stats.Overlaps++
		if p.off > start {
			add = append(add, fragPiece{start, data[start-off : p.off-off]})
		}
		start = max(start, pEnd)
	}
	if start < end {
		add = append(add, fragPiece{start, data[start-off:]})
	}
	for _, p := range add {
		p.data = append([]byte(nil), p.data...)
		i := len(g.pieces)
		for i > 0 && g.pieces[i-1].off > p.off {
			i--
		}
		g.pieces = append(g.pieces, fragPiece{})
		copy(g.pieces[i+1:], g.pieces[i:])
		g.pieces[i] = p
		g.bytes += len(p.data)
		d.bytes += len(p.data)
	}
}

// complete reports whether the pieces cover [0, total).
func (g *datagram) complete() bool {
	at := 0
	for _, p := range g.pieces {
		if p.off > at {
			return false
		}
		at = max(at, p.off+len(p.data))
	}
	return at >= g.total
}

func (d *defragmenter) drop(g *datagram) {
	delete(d.pending, g.key)
	d.bytes -= g.bytes
	g.prev.next, g.next.prev = g.next, g.prev
}

// expire drops the datagrams that have waited longer than the timeout.
func (d *defragmenter) expire(now int64) {
	for g := d.list.next; g != &d.list && now-g.first > defragTimeout; g = d.list.next {
		d.stats.Expired++
		d.drop(g)
	}
}
