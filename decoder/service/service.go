// Package service writes the Service records: every server (address,
// port and transport) that sent data in at least one conversation becomes
// one Service record at the end of the
// run, aggregated over all its conversations and all workers:
//
//   - Timestamp: the start of its earliest conversation.
//   - Name: the IANA service name of the port for the transport (the
//     registry bundled in package resolvers), "" when unknown.
//   - Banner: the first bytes the server sent in its earliest
//     conversation, up to svBannerBytes and up to the client's next
//     data (the server's first turn: a greeting, a response head),
//     escaped (types.WireString: line ends too, so binary and text banners
//     alike are one line).
//   - Protocol: the stream protocol detected in its earliest conversation
//     that had one, else "TCP" or "UDP".
//   - Product, Vendor, Version: read from the earliest banner that names a
//     product: greetings of text protocols (FTP, SMTP, POP3, IMAP, NNTP: a
//     table of common servers, then "Name 1.2.3"), the SSH version line,
//     the HTTP Server header.
//   - BytesServer, BytesClient: the payload bytes of each direction summed
//     over its conversations (bytes lost in holes included: the sender
//     sent them), clamped to the int32 of the record.
//   - Flows: the conversations (client->server idents), the earliest
//     svMaxFlows by start time, in that order.
//
// Conversations whose server sent nothing (scans, one-way UDP) are not
// services. Greeting lines that name a product and version are also
// software sightings (Run.ObserveSoftware) unless the protocol that took
// the conversation reports the software of its own greetings (SSH, HTTP,
// SMTP and POP3 do; FTP, IMAP and other text greetings are read here, so a
// new stream protocol need not).
//
// Everything is decided by (start time, flow ident) order, never by
// arrival order, so the records do not depend on how flows were spread
// over workers.
//
// It is an observer of decoder/stream and imports that package (Conn,
// Observer, Run, the run's software store); decoder/stream must not
// import it.
package service

import (
	"cmp"
	"math"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/resolvers"
	"github.com/netcap-go/netcap/types"
)

const (
	svBannerBytes = 256
	svMaxFlows    = 256
)

// Info describes the record type this package writes.
var Info = decoder.Info{Name: "Service", Type: types.Type_NC_Service, Group: decoder.GroupAbstract, Description: "network services by address and port, with banners"}

// feeds are the record types the observer makes or feeds: Service, and
// the software that greetings name (and what is matched against it).
var feeds = []types.Type{types.Type_NC_Service, types.Type_NC_Software, types.Type_NC_Vulnerability, types.Type_NC_Exploit}

type svObserver struct{ st *svStore }

// NewObserver makes the observer of services of a run, when it writes
// Service records or the software that greetings name.
func NewObserver(r *stream.Run) stream.Observer {
	if !slices.ContainsFunc(feeds, r.Enabled) {
		return nil
	}
	limit := r.Options().MaxServices
	if limit <= 0 {
		limit = DefaultMaxServices
	}
	st := &svStore{items: map[svKey]*svAgg{}, max: limit}
	r.OnDropped("Service", st.droppedCount)
	if r.Enabled(types.Type_NC_Service) {
		r.OnFlush(st.flush)
	}
	return svObserver{st: st}
}

func (o svObserver) New(c *stream.Conn) stream.Session { return &svSession{c: c, st: o.st} }

type svSession struct {
	c          *stream.Conn
	st         *svStore
	banner     []byte
	bannerDone bool // a hole in the server's bytes ends the banner
	served     bool // the server sent data
	ts         int64
}

func (s *svSession) Data(dir stream.Direction, data []byte, ts int64) {
	if len(data) == 0 {
		return
	}
	if dir == stream.ClientToServer {
		// The banner is the server's first turn: what it sends until the
		// client speaks again.
		s.bannerDone = s.bannerDone || s.served
		return
	}
	if !s.served {
		s.served, s.ts = true, ts
	}
	if !s.bannerDone {
		n := min(len(data), svBannerBytes-len(s.banner))
		s.banner = append(s.banner, data[:n]...)
		s.bannerDone = len(s.banner) >= svBannerBytes
	}
}

func (s *svSession) Gap(dir stream.Direction, _ int64) {
	if dir == stream.ServerToClient {
		s.bannerDone = true
	}
}

func (s *svSession) Close(int64) {
	if !s.served {
		return
	}
	c := s.c
	proto := ""
	if p := c.Protocol(); p != nil {
		proto = p.Info().Name
	}
	sw := svBannerSoftware(proto, s.banner)
	if sw.Product != "" && sw.Version != "" && !svOwnSoftware(c) && sw.Service != "SSH" && sw.Service != "HTTP" {
		svc := sw.Service
		if svc == "" {
			svc = strings.ToUpper(ianaServiceName(c.Info.Transport, c.Info.Server.Port))
		}
		source := "service banner"
		if svc != "" {
			source = svc + " server banner"
		}
		c.Run().ObserveSoftware(stream.SoftwareObservation{
			Timestamp: s.ts, Product: sw.Product, Vendor: sw.Vendor, Version: sw.Version,
			SourceName: source, SourceData: sw.Line, Service: svc, Flow: c.Ident,
		})
	}
	if c.Enabled(types.Type_NC_Service) {
		s.st.add(c, proto, s.banner, sw, c.Bytes(stream.ServerToClient), c.Bytes(stream.ClientToServer))
	}
}

type svKey struct {
	addr      netip.Addr
	port      uint16
	transport reassembly.Transport
}

// svOrder ranks conversations: earlier start first, then by ident.
type svOrder struct {
	start int64
	ident string
}

func (a svOrder) less(b svOrder) bool {
	return a.start < b.start || a.start == b.start && a.ident < b.ident
}

type svAgg struct {
	first, protoAt, productAt svOrder
	hasProto, hasProduct      bool
	banner                    []byte
	protocol                  string
	product                   svBannerSW
	bytesServer, bytesClient  int64
	flows                     []svOrder
}

// DefaultMaxServices bounds the services a run aggregates unless
// Options.MaxServices says otherwise; past it new ones are dropped and
// counted (stream.Run.Dropped), so a scan cannot grow memory without end.
const DefaultMaxServices = 1 << 20

type svStore struct {
	mu      sync.Mutex
	items   map[svKey]*svAgg
	max     int
	dropped int64
}

func (st *svStore) add(c *stream.Conn, proto string, banner []byte, sw svBannerSW, server, client int64) {
	k := svKey{c.Info.Server.Addr, c.Info.Server.Port, c.Info.Transport}
	at := svOrder{c.Info.Start, c.Ident}
	st.mu.Lock()
	defer st.mu.Unlock()
	a := st.items[k]
	if a == nil {
		if len(st.items) >= st.max {
			st.dropped++
			return
		}
		a = &svAgg{first: at, banner: banner}
		st.items[k] = a
	} else if at.less(a.first) {
		a.first, a.banner = at, banner
	}
	if proto != "" && (!a.hasProto || at.less(a.protoAt)) {
		a.hasProto, a.protoAt, a.protocol = true, at, proto
	}
	if sw.Product != "" && (!a.hasProduct || at.less(a.productAt)) {
		a.hasProduct, a.productAt, a.product = true, at, sw
	}
	a.bytesServer += server
	a.bytesClient += client
	// Keep the earliest svMaxFlows conversations, sorted.
	i, _ := slices.BinarySearchFunc(a.flows, at, func(x, y svOrder) int {
		if x.less(y) {
			return -1
		}
		if y.less(x) {
			return 1
		}
		return 0
	})
	if i < svMaxFlows {
		a.flows = slices.Insert(a.flows, i, at)
		if len(a.flows) > svMaxFlows {
			a.flows = a.flows[:svMaxFlows]
		}
	}
}

func (st *svStore) droppedCount() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.dropped
}

func (st *svStore) flush(emit decoder.Emit) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	keys := make([]svKey, 0, len(st.items))
	for k := range st.items {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b svKey) int {
		if c := a.addr.Compare(b.addr); c != 0 {
			return c
		}
		if c := cmp.Compare(a.port, b.port); c != 0 {
			return c
		}
		return cmp.Compare(a.transport, b.transport)
	})
	for _, k := range keys {
		a := st.items[k]
		r := &types.Service{
			Timestamp:   a.first.start,
			IP:          k.addr.String(),
			Port:        int32(k.port),
			Name:        ianaServiceName(k.transport, k.port),
			Banner:      types.WireBytes(a.banner),
			Protocol:    strings.ToUpper(k.transport.String()),
			Product:     types.WireString(a.product.Product),
			Vendor:      types.WireString(a.product.Vendor),
			Version:     types.WireString(a.product.Version),
			BytesServer: svClamp32(a.bytesServer),
			BytesClient: svClamp32(a.bytesClient),
		}
		if a.hasProto {
			r.Protocol = a.protocol
		}
		for _, f := range a.flows {
			r.Flows = append(r.Flows, f.ident)
		}
		if err := emit(types.Type_NC_Service, r); err != nil {
			return err
		}
	}
	return nil
}

func svClamp32(n int64) int32 { return int32(min(n, math.MaxInt32)) }

// ianaServiceName returns the IANA service name of a port (the registry
// bundled with the resolvers package, the same on every machine).
func ianaServiceName(t reassembly.Transport, port uint16) string {
	return resolvers.PortService(port, t.String())
}

// svOwnSoftware reports whether the connection's protocol reports the
// software its greetings name itself; other greetings are read here.
func svOwnSoftware(c *stream.Conn) bool {
	switch c.Protocol() {
	case stream.HTTP, stream.SSH, stream.SMTP, stream.POP3:
		return true
	}
	return false
}
