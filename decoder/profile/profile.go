// Package profile builds DeviceProfile records (one per MAC address) and
// IPProfile records (one per IP address) from the connections the flow
// tables write and from what DNS, DHCP and TLS records say about hosts.
//
// The store is shared by the workers, but it is fed per connection and per
// DNS/DHCP/TLS record, not per packet, so its lock is off the packet path.
// Every list in a profile is bounded and keeps its smallest values, so the
// profiles are the same with any worker count; the store itself is bounded
// too: when full, the least recently updated profile is written early.
//
// It imports flow, dpi and resolvers; never the capture engine, the
// registry or io.
package profile

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/resolvers"
	"github.com/netcap-go/netcap/types"
)

// Bounds of the lists in one profile.
const (
	maxIPs      = 256  // DeviceProfile.DeviceIPs
	maxContacts = 1024 // DeviceProfile.Contacts
	maxPorts    = 1024 // each IPProfile port list
	maxNames    = 64   // DNS names, SNIs, host names, fingerprints, hashes
	maxApps     = 64
	// DefaultMaxProfiles bounds each of the two tables.
	DefaultMaxProfiles = 1 << 16
	// pendingPerProfile bounds the addresses whose DNS answers are kept
	// while they have no profile yet: this many per profile of the bound.
	pendingPerProfile = 2
)

// The record types the store writes.
var (
	DeviceProfileInfo = decoder.Info{Name: "DeviceProfile", Type: types.Type_NC_DeviceProfile, Group: decoder.GroupPacket, Description: "one per MAC address: vendor, addresses, contacts, DHCP and TLS fingerprints"}
	IPProfileInfo     = decoder.Info{Name: "IPProfile", Type: types.Type_NC_IPProfile, Group: decoder.GroupPacket, Description: "one per IP address: traffic, ports, applications, DNS names, SNIs, JA3/JA4, geolocation"}
)

// Config configures a store.
type Config struct {
	Devices, IPs bool // which records are written
	MaxProfiles  int  // per table; 0 is DefaultMaxProfiles
	// GeoDB, when set, fills IPProfile's geolocation fields.
	GeoDB *resolvers.GeoDB
	// ReverseDNS, when enabled, adds each address's PTR name to its
	// DNSNames (network I/O: off unless asked for with -reverse-dns).
	ReverseDNS *resolvers.ReverseDNS
}

// Stats are the store's counters.
type Stats struct {
	Devices, IPs int64 // profiles written
	Evicted      int64 // written early because a table was full
	Dropped      int64 // list entries left out at a bound
}

type portStats struct{ packets, bytes uint64 }

// portKey is a transport protocol number and a port: ordered by protocol,
// then port.
type portKey uint32

func makePortKey(port uint16, proto uint8) portKey { return portKey(uint32(proto)<<16 | uint32(port)) }
func (k portKey) port() uint16                     { return uint16(k) }
func (k portKey) proto() string {
	switch uint8(k >> 16) {
	case 6:
		return "TCP"
	case 17:
		return "UDP"
	case 132:
		return "SCTP"
	}
	return strconv.Itoa(int(k >> 16))
}

type ipProfile struct {
	addr                netip.Addr
	packets, bytes      uint64
	first, last         int64
	names, ja4s, macs   boundedSet[string]
	apps                boundedCounts[string, uint64]
	snis                boundedCounts[string, int64]
	ja3s                boundedCounts[string, string]
	src, dst, contacted boundedCounts[portKey, portStats]
	prev, next          *ipProfile
}

type device struct {
	mac                      string
	packets, bytes           uint64
	first, last              int64
	ips, contacts            boundedSet[string]
	fingerprints, vendorsCls boundedSet[string]
	hostnames, ja3s, ja4s    boundedSet[string]
	hints                    boundedSet[string]
	prev, next               *device
}

// Store holds the profiles of a run.
type Store struct {
	cfg     Config
	mu      sync.Mutex
	ips     map[netip.Addr]*ipProfile
	devices map[string]*device
	ipLRU   lru[ipProfile]
	devLRU  lru[device]
	// names holds DNS answers for addresses without a profile yet.
	names map[netip.Addr]*boundedSet[string]
	stats Stats
	ipRec types.IPProfile
	dvRec types.DeviceProfile
}

// NewStore returns an empty store.
func NewStore(cfg Config) *Store {
	if cfg.MaxProfiles <= 0 {
		cfg.MaxProfiles = DefaultMaxProfiles
	}
	return &Store{cfg: cfg, ips: map[netip.Addr]*ipProfile{}, devices: map[string]*device{}, names: map[netip.Addr]*boundedSet[string]{}}
}

// Active reports whether the store writes anything.
func (s *Store) Active() bool { return s != nil && (s.cfg.Devices || s.cfg.IPs) }

// Stats returns the store's counters.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Conn accounts a connection the flow table wrote.
func (s *Store) Conn(c *flow.Conn, emit decoder.Emit) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs error
	keep := func(err error) {
		if err != nil && errs == nil {
			errs = err
		}
	}
	tu := c.Tuple()
	app := c.AppProto()
	proto := tu.Proto
	hasPorts := c.HasPorts()
	for d := range 2 {
		self, peer := tu.Src, tu.Dst
		selfPort, peerPort := tu.SrcPort, tu.DstPort
		if d == 1 {
			self, peer, selfPort, peerPort = peer, self, peerPort, selfPort
		}
		sentP, sentB := c.Packets(d)
		recvP, recvB := c.Packets(1 - d)
		if s.cfg.IPs {
			p, err := s.ip(self, emit)
			keep(err)
			if d == 0 || self != peer { // a host talking to itself counts each packet once
				p.packets += uint64(sentP + recvP)
				p.bytes += uint64(sentB + recvB)
			}
			p.seen(c.First(), c.Last())
			if app != "unknown" {
				if n := p.apps.get(app, maxApps); n != nil {
					*n += uint64(sentP + recvP)
				}
			}
			if hasPorts {
				addPort(&p.src, makePortKey(selfPort, proto), sentP, sentB)
				addPort(&p.dst, makePortKey(selfPort, proto), recvP, recvB)
				addPort(&p.contacted, makePortKey(peerPort, proto), sentP, sentB)
			}
			if mac, ok := c.MAC(d); ok {
				p.macs.add(mac.String(), maxNames)
			}
		}
		if mac, ok := c.MAC(d); ok && s.cfg.Devices && sentP > 0 {
			dv, err := s.device(mac.String(), emit)
			keep(err)
			dv.packets += uint64(sentP)
			dv.bytes += uint64(sentB)
			dv.seen(c.First(), c.Last())
			dv.ips.add(self.String(), maxIPs)
			dv.contacts.add(peer.String(), maxContacts)
		}
	}
	return errs
}

func addPort(c *boundedCounts[portKey, portStats], k portKey, packets, bytes int64) {
	if packets == 0 {
		return
	}
	if st := c.get(k, maxPorts); st != nil {
		st.packets += uint64(packets)
		st.bytes += uint64(bytes)
	}
}

// Record reads what a record tells about hosts: DNS answers (names of
// addresses), DHCP requests (device fingerprints, vendor classes, host
// names) and TLS ClientHellos (SNI, JA3, JA4).
func (s *Store) Record(t types.Type, r proto.Message, emit decoder.Emit) error {
	switch t {
	case types.Type_NC_DNS:
		return s.dns(r.(*types.DNS))
	case types.Type_NC_DHCPv4:
		return s.dhcp(r.(*types.DHCPv4), emit)
	case types.Type_NC_TLSClientHello:
		return s.tls(r.(*types.TLSClientHello), emit)
	}
	return nil
}

// Wants reports whether Record reads records of type t.
func (s *Store) Wants(t types.Type) bool {
	switch t {
	case types.Type_NC_DNS, types.Type_NC_DHCPv4, types.Type_NC_TLSClientHello:
		return s.Active()
	}
	return false
}

func (s *Store) dns(r *types.DNS) error {
	if !r.QR || !s.cfg.IPs {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range r.Answers {
		if a.Type != 1 && a.Type != 28 { // A, AAAA
			continue
		}
		ip, err := netip.ParseAddr(a.IP)
		if err != nil || a.Name == "" {
			continue
		}
		name := strings.ToLower(strings.TrimSuffix(a.Name, "."))
		if p := s.ips[ip]; p != nil {
			p.names.add(name, maxNames)
			continue
		}
		set := s.names[ip]
		if set == nil {
			if len(s.names) >= pendingPerProfile*s.cfg.MaxProfiles {
				s.stats.Dropped++
				continue
			}
			set = &boundedSet[string]{}
			s.names[ip] = set
		}
		set.add(name, maxNames)
	}
	return nil
}

// dhcp notes a client's DHCP request options (53: message type 1 or 3).
func (s *Store) dhcp(r *types.DHCPv4, emit decoder.Emit) error {
	if r.Operation != 1 || !s.cfg.Devices {
		return nil
	}
	mac := strings.ToLower(r.ClientHWAddr)
	if _, err := net.ParseMAC(mac); err != nil {
		return nil
	}
	var vendor, host string
	for _, o := range r.Options {
		switch o.Type {
		case 60:
			vendor = o.Data
		case 12:
			host = o.Data
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	dv, err := s.device(mac, emit)
	dv.seen(r.Timestamp, r.Timestamp)
	if r.Fingerprint != "" {
		dv.fingerprints.add(r.Fingerprint, maxNames)
	}
	if vendor = printable(vendor); vendor != "" {
		dv.vendorsCls.add(vendor, maxNames)
		if h := vendorHint(vendor); h != "" {
			dv.hints.add(h, maxNames)
		}
	}
	if host = printable(host); host != "" {
		dv.hostnames.add(host, maxNames)
	}
	return err
}

func (s *Store) tls(r *types.TLSClientHello, emit decoder.Emit) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs error
	if ip, err := netip.ParseAddr(r.SrcIP); err == nil && s.cfg.IPs {
		p, err := s.ip(ip, emit)
		errs = err
		p.seen(r.Timestamp, r.Timestamp)
		if r.SNI != "" {
			if n := p.snis.get(r.SNI, maxNames); n != nil {
				*n++
			}
		}
		if r.Ja3 != "" {
			if v := p.ja3s.get(r.Ja3, maxNames); v != nil {
				*v = r.Ja3String
			}
		}
		if r.Ja4 != "" {
			p.ja4s.add(r.Ja4, maxNames)
		}
	}
	if _, err := net.ParseMAC(r.SrcMAC); err == nil && s.cfg.Devices {
		dv, err := s.device(strings.ToLower(r.SrcMAC), emit)
		if errs == nil {
			errs = err
		}
		dv.seen(r.Timestamp, r.Timestamp)
		if r.Ja3 != "" {
			dv.ja3s.add(r.Ja3, maxNames)
		}
		if r.Ja4 != "" {
			dv.ja4s.add(r.Ja4, maxNames)
		}
	}
	return errs
}

// vendorHints are the operating systems DHCP clients name in option 60
// themselves (a stated fact, not a guess from other fields).
var vendorHints = []struct{ prefix, hint string }{
	{"MSFT", "Windows"},
	{"android-dhcp", "Android"},
	{"dhcpcd", "dhcpcd (Linux/BSD)"},
	{"udhcp", "BusyBox udhcp (embedded Linux)"},
	{"Cisco Systems", "Cisco"},
	{"PXEClient", "PXE boot"},
	{"HUAWEI", "Huawei"},
	{"ubnt", "Ubiquiti"},
}

func vendorHint(v string) string {
	for _, h := range vendorHints {
		if strings.HasPrefix(v, h.prefix) {
			return h.hint
		}
	}
	return ""
}

// printable returns a DHCP option's data (escaped, as the DHCPv4 record
// holds it) when its bytes are text, without trailing NUL bytes; else "".
func printable(s string) string {
	b, err := types.UnescapeWire(s)
	if err != nil || !utf8.Valid(b) {
		return ""
	}
	b = bytes.TrimRight(b, "\x00")
	for _, r := range string(b) {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	return types.WireBytes(b)
}

func (p *ipProfile) seen(first, last int64) {
	if p.first == 0 || first < p.first {
		p.first = first
	}
	p.last = max(p.last, last)
}

func (d *device) seen(first, last int64) {
	if d.first == 0 || first < d.first {
		d.first = first
	}
	d.last = max(d.last, last)
}

// ip returns the profile of addr, creating it (and writing the least
// recently used one when the table is full).
func (s *Store) ip(addr netip.Addr, emit decoder.Emit) (*ipProfile, error) {
	if p := s.ips[addr]; p != nil {
		s.ipLRU.touch(p, &p.prev, &p.next)
		return p, nil
	}
	var err error
	if len(s.ips) >= s.cfg.MaxProfiles {
		if old := s.ipLRU.tail; old != nil {
			s.stats.Evicted++
			err = s.writeIP(old, emit)
		}
	}
	p := &ipProfile{addr: addr}
	if set := s.names[addr]; set != nil {
		for _, n := range set.vals {
			p.names.add(n, maxNames)
		}
		delete(s.names, addr)
	}
	s.ips[addr] = p
	s.ipLRU.touch(p, &p.prev, &p.next)
	return p, err
}

func (s *Store) device(mac string, emit decoder.Emit) (*device, error) {
	if d := s.devices[mac]; d != nil {
		s.devLRU.touch(d, &d.prev, &d.next)
		return d, nil
	}
	var err error
	if len(s.devices) >= s.cfg.MaxProfiles {
		if old := s.devLRU.tail; old != nil {
			s.stats.Evicted++
			err = s.writeDevice(old, emit)
		}
	}
	d := &device{mac: mac}
	s.devices[mac] = d
	s.devLRU.touch(d, &d.prev, &d.next)
	return d, err
}

// Flush writes every profile, in address order.
func (s *Store) Flush(emit decoder.Emit) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	addrs := make([]netip.Addr, 0, len(s.ips))
	for a := range s.ips {
		addrs = append(addrs, a)
	}
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	for _, a := range addrs {
		errs = append(errs, s.writeIP(s.ips[a], emit))
	}
	macs := make([]string, 0, len(s.devices))
	for m := range s.devices {
		macs = append(macs, m)
	}
	slices.Sort(macs)
	for _, m := range macs {
		errs = append(errs, s.writeDevice(s.devices[m], emit))
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func (s *Store) writeIP(p *ipProfile, emit decoder.Emit) error {
	s.ipLRU.remove(p, &p.prev, &p.next)
	delete(s.ips, p.addr)
	s.stats.IPs++
	s.stats.Dropped += p.names.dropped + p.ja4s.dropped + p.macs.dropped + p.apps.dropped + p.snis.dropped +
		p.ja3s.dropped + p.src.dropped + p.dst.dropped + p.contacted.dropped
	r := &s.ipRec
	proto.Reset(r)
	r.Addr = p.addr.String()
	r.NumPackets, r.Bytes = int64(p.packets), p.bytes
	r.TimestampFirst, r.TimestampLast = p.first, p.last
	r.DNSNames = slices.Clone(p.names.vals)
	if s.cfg.ReverseDNS.Enabled() {
		if name := types.WireString(strings.ToLower(strings.TrimSuffix(s.cfg.ReverseDNS.Lookup(p.addr), "."))); name != "" && !slices.Contains(r.DNSNames, name) {
			r.DNSNames = append(r.DNSNames, name)
			slices.Sort(r.DNSNames)
		}
	}
	r.Ja4Hashes = slices.Clone(p.ja4s.vals)
	r.MACs = slices.Clone(p.macs.vals)
	if p.apps.len() > 0 {
		r.Protocols = make(map[string]*types.Protocol, p.apps.len())
		for _, e := range p.apps.entries {
			r.Applications = append(r.Applications, e.key)
			r.Protocols[e.key] = &types.Protocol{Packets: e.val, Category: dpi.Category(e.key)}
		}
	}
	if p.snis.len() > 0 {
		r.SNIs = make(map[string]int64, p.snis.len())
		for _, e := range p.snis.entries {
			r.SNIs[e.key] = e.val
		}
	}
	if p.ja3s.len() > 0 {
		r.Ja3Hashes = make(map[string]string, p.ja3s.len())
		for _, e := range p.ja3s.entries {
			r.Ja3Hashes[e.key] = e.val
		}
	}
	r.SrcPorts, r.DstPorts, r.ContactedPorts = ports(&p.src), ports(&p.dst), ports(&p.contacted)
	if s.cfg.GeoDB != nil {
		if loc, ok := s.cfg.GeoDB.Lookup(p.addr); ok {
			r.Geolocation, r.CountryCode, r.ASN, r.ASOrg = loc.String(), loc.CountryCode, loc.ASN, loc.ASOrg
		}
	}
	if !s.cfg.IPs {
		return nil
	}
	return emit(types.Type_NC_IPProfile, r)
}

func ports(c *boundedCounts[portKey, portStats]) []*types.Port {
	out := make([]*types.Port, 0, c.len())
	for _, e := range c.entries {
		out = append(out, &types.Port{PortNumber: int32(e.key.port()), Protocol: e.key.proto(), Stats: &types.PortStats{Packets: e.val.packets, Bytes: e.val.bytes}})
	}
	return out
}

func (s *Store) writeDevice(d *device, emit decoder.Emit) error {
	s.devLRU.remove(d, &d.prev, &d.next)
	delete(s.devices, d.mac)
	s.stats.Devices++
	s.stats.Dropped += d.ips.dropped + d.contacts.dropped + d.fingerprints.dropped + d.vendorsCls.dropped +
		d.hostnames.dropped + d.ja3s.dropped + d.ja4s.dropped + d.hints.dropped
	r := &s.dvRec
	proto.Reset(r)
	r.MacAddr = d.mac
	r.DeviceManufacturer = resolvers.MACVendorString(d.mac)
	r.DeviceIPs = slices.Clone(d.ips.vals)
	r.Contacts = slices.Clone(d.contacts.vals)
	r.NumPackets, r.Bytes = int64(d.packets), d.bytes
	r.Timestamp, r.TimestampLast = d.first, d.last
	r.DHCPFingerprints = slices.Clone(d.fingerprints.vals)
	r.DHCPVendorClasses = slices.Clone(d.vendorsCls.vals)
	r.Hostnames = slices.Clone(d.hostnames.vals)
	r.Ja3Hashes = slices.Clone(d.ja3s.vals)
	r.Ja4Hashes = slices.Clone(d.ja4s.vals)
	r.DeviceHints = slices.Clone(d.hints.vals)
	if !s.cfg.Devices {
		return nil
	}
	return emit(types.Type_NC_DeviceProfile, r)
}

// lru is an intrusive list, most recently used first.
type lru[T any] struct{ head, tail *T }

// touch moves x to the front; prev and next are x's link fields.
func (l *lru[T]) touch(x *T, prev, next **T) {
	if l.head == x {
		return
	}
	if *prev != nil || *next != nil || l.tail == x {
		l.remove(x, prev, next)
	}
	*prev, *next = nil, l.head
	if l.head != nil {
		setPrev(l.head, x)
	} else {
		l.tail = x
	}
	l.head = x
}

func (l *lru[T]) remove(x *T, prev, next **T) {
	if *prev != nil {
		setNext(*prev, *next)
	} else if l.head == x {
		l.head = *next
	}
	if *next != nil {
		setPrev(*next, *prev)
	} else if l.tail == x {
		l.tail = *prev
	}
	*prev, *next = nil, nil
}

// setPrev and setNext reach the link fields of the two profile types.
func setPrev[T any](x, v *T) {
	switch p := any(x).(type) {
	case *ipProfile:
		p.prev = any(v).(*ipProfile)
	case *device:
		p.prev = any(v).(*device)
	}
}

func setNext[T any](x, v *T) {
	switch p := any(x).(type) {
	case *ipProfile:
		p.next = any(v).(*ipProfile)
	case *device:
		p.next = any(v).(*device)
	}
}
