package packet

import (
	"net"

	"github.com/netcap-go/netcap/types"
)

// addrCache keeps the text of recently seen addresses: most packets of a
// capture carry a few hundred addresses, and formatting them anew for
// every packet was a tenth of all allocations. One per parser (no lock);
// bounded: when a map is full it starts over.
type addrCache struct {
	v4  map[[4]byte]string
	v6  map[[16]byte]string
	mac map[[6]byte]string
}

const addrCacheSize = 4096

func (c *addrCache) ipString(ip net.IP) string {
	if c == nil {
		return ipString(ip)
	}
	switch len(ip) {
	case 4:
		return cached(&c.v4, [4]byte(ip), ip)
	case 16:
		return cached(&c.v6, [16]byte(ip), ip)
	}
	return ipString(ip)
}

func cached[K comparable](m *map[K]string, k K, ip net.IP) string {
	if s, ok := (*m)[k]; ok {
		return s
	}
	if *m == nil || len(*m) >= addrCacheSize {
		*m = make(map[K]string, 256)
	}
	s := ip.String()
	(*m)[k] = s
	return s
}

func (c *addrCache) macString(hw net.HardwareAddr) string {
	if len(hw) == 0 {
		return ""
	}
	if c == nil || len(hw) != 6 {
		return hw.String()
	}
	k := [6]byte(hw)
	if s, ok := c.mac[k]; ok {
		return s
	}
	if c.mac == nil || len(c.mac) >= addrCacheSize {
		c.mac = make(map[[6]byte]string, 64)
	}
	s := hw.String()
	c.mac[k] = s
	return s
}

// tcpOptions returns n zeroed TCP option records, reused packet after
// packet: a record is marshalled when it is emitted, before the next
// packet is decoded, and sinks that keep records clone them (records are
// reused anyway).
func (p *Packet) tcpOptions(n int) []*types.TCPOption {
	if cap(p.tcpOpts) < n {
		p.tcpOpts = make([]types.TCPOption, n)
		p.tcpOptPtrs = make([]*types.TCPOption, n)
		for i := range p.tcpOpts {
			p.tcpOptPtrs[i] = &p.tcpOpts[i]
		}
	}
	for i := range n {
		p.tcpOpts[i] = types.TCPOption{}
	}
	return p.tcpOptPtrs[:n:n]
}
