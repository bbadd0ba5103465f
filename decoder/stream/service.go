package stream

import (
	"cmp"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/resolvers"
	"github.com/netcap-go/netcap/types"
)

// Services: every server (address, port and transport) that sent data in
// at least one conversation becomes one Service record at the end of the
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
// software sightings (Run.ObserveSoftware) when no stream protocol took the
// conversation (FTP, IMAP, other text greetings): the stream protocols
// (SSH, HTTP, SMTP, POP3) report the software of their own greetings.
//
// Everything is decided by (start time, flow ident) order, never by
// arrival order, so the records do not depend on how flows were spread
// over workers.

const (
	svBannerBytes = 256
	svMaxFlows    = 256
)

func init() { observers = append(observers, svNewObserver) }

type svObserver struct{ st *svStore }

func svNewObserver(r *Run) Observer {
	if !r.opts.enabled("Service") && !r.opts.enabled("Software") && !r.opts.enabled("Vulnerability") && !r.opts.enabled("Exploit") {
		return nil
	}
	st := &svStore{items: map[svKey]*svAgg{}, max: r.opts.MaxServices}
	r.services = st
	if r.opts.enabled("Service") {
		r.OnFlush(st.flush)
	}
	return svObserver{st: st}
}

func (o svObserver) New(c *Conn) Session { return &svSession{c: c, st: o.st} }

type svSession struct {
	c          *Conn
	st         *svStore
	banner     []byte
	bannerDone bool // a hole in the server's bytes ends the banner
	served     bool // the server sent data
	ts         int64
}

func (s *svSession) Data(dir Direction, data []byte, ts int64) {
	if len(data) == 0 {
		return
	}
	if dir == ClientToServer {
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

func (s *svSession) Gap(dir Direction, _ int64) {
	if dir == ServerToClient {
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
		proto = p.Name()
	}
	sw := svBannerSoftware(proto, s.banner)
	if sw.Product != "" && sw.Version != "" && proto == "" && sw.Service != "SSH" && sw.Service != "HTTP" {
		svc := sw.Service
		if svc == "" {
			svc = strings.ToUpper(ianaServiceName(c.Info.Transport, c.Info.Server.Port))
		}
		source := "service banner"
		if svc != "" {
			source = svc + " server banner"
		}
		c.Run().ObserveSoftware(SoftwareObservation{
			Timestamp: s.ts, Product: sw.Product, Vendor: sw.Vendor, Version: sw.Version,
			SourceName: source, SourceData: sw.Line, Service: svc, Flow: c.Ident,
		})
	}
	if c.Enabled("Service") {
		s.st.add(c, proto, s.banner, sw, c.Bytes(ServerToClient), c.Bytes(ClientToServer))
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
// counted (Run.Dropped), so a scan cannot grow memory without end.
const DefaultMaxServices = 1 << 20

type svStore struct {
	mu      sync.Mutex
	items   map[svKey]*svAgg
	max     int
	dropped int64
}

func (st *svStore) add(c *Conn, proto string, banner []byte, sw svBannerSW, server, client int64) {
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

func (st *svStore) flush(emit Emitter) error {
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

// svBannerSW is what a banner says about the server's software, as the
// wire has it (the records escape it).
type svBannerSW struct {
	Product, Vendor, Version string
	Service                  string // the protocol the greeting belongs to, if it tells
	Line                     string // the line it was read from
}

// svProducts are the greeting forms of common servers (FTP, SMTP,
// POP3, IMAP): a pattern whose first group is the version, and the
// product and vendor it names.
var svProducts = []struct {
	re              *regexp.Regexp
	product, vendor string
}{
	{regexp.MustCompile(`(?i)\bvsFTPd(?: ([0-9][0-9a-z.]*))?`), "vsFTPd", ""},
	{regexp.MustCompile(`(?i)\bProFTPD(?: ([0-9][0-9a-z.]*))?`), "ProFTPD", ""},
	{regexp.MustCompile(`(?i)\bPure-FTPd(?: ([0-9][0-9a-z.]*))?`), "Pure-FTPd", ""},
	{regexp.MustCompile(`(?i)\bFileZilla Server(?: version)? v?([0-9][0-9a-z.]*(?: beta)?)`), "FileZilla Server", ""},
	{regexp.MustCompile(`(?i)\bwu-([0-9][0-9a-z.()-]*)`), "wu-ftpd", ""},
	{regexp.MustCompile(`(?i)\bMicrosoft FTP Service(?: \(Version ([0-9][0-9.]*)\))?`), "FTP Service", "Microsoft"},
	{regexp.MustCompile(`(?i)\bSendmail(?: ([0-9][0-9a-z.]*))?`), "Sendmail", ""},
	{regexp.MustCompile(`(?i)\bExim(?: ([0-9][0-9a-z.]*))?`), "Exim", ""},
	{regexp.MustCompile(`(?i)\bPostfix(?: ([0-9][0-9a-z.]*))?`), "Postfix", ""},
	{regexp.MustCompile(`(?i)\bMicrosoft ESMTP MAIL Service(?:, Version: ([0-9][0-9.]*))?`), "ESMTP MAIL Service", "Microsoft"},
	{regexp.MustCompile(`(?i)\bDovecot(?: ([0-9][0-9a-z.]*))?`), "Dovecot", ""},
	{regexp.MustCompile(`(?i)\bCyrus (?:IMAP4?|POP3)(?: Murder)? v?([0-9][0-9a-z.-]*)`), "Cyrus IMAP", ""},
	{regexp.MustCompile(`(?i)\bCourier-IMAP(?: ([0-9][0-9a-z.]*))?`), "Courier-IMAP", ""},
	{regexp.MustCompile(`(?i)\bQpopper(?: \(version ([0-9][0-9a-z.]*)\))?`), "Qpopper", ""},
	{regexp.MustCompile(`(?i)\bMicrosoft Exchange(?: Server)?(?: [0-9]+)? (?:IMAP4|POP3)(?:rev1)? (?:service|server)(?: version ([0-9][0-9.]*))?`), "Exchange Server", "Microsoft"},
}

// svGeneric is "Name 1.2.3", "Name/1.2" or "Name v1.2" in a greeting
// line whose product table has nothing; svStopWords are not names.
var (
	svGeneric   = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9_.-]*[A-Za-z])[ /]v?([0-9]+\.[0-9]+(?:\.[0-9]+)*[a-z0-9]*)\b`)
	svIPv4      = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$`)
	svStopWords = map[string]bool{
		"version": true, "ver": true, "release": true, "rev": true, "build": true, "server": true, "service": true,
		"ftp": true, "ftpd": true, "smtp": true, "esmtp": true, "lmtp": true, "imap": true, "imap4": true, "imap4rev1": true,
		"pop": true, "pop3": true, "http": true, "https": true, "ssh": true, "rtsp": true, "sip": true, "ready": true,
		"mail": true, "host": true, "at": true, "on": true, "port": true, "from": true, "for": true, "to": true, "protocol": true,
	}
)

// svBannerSoftware reads the product and version a server's first bytes
// name. proto is the detected protocol ("" if none).
func svBannerSoftware(proto string, banner []byte) svBannerSW {
	if proto == "SSH" || strings.HasPrefix(string(banner), "SSH-") {
		// The version line, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10" (a
		// server may send other lines first).
		for _, line := range strings.Split(string(banner), "\n") {
			rest, ok := strings.CutPrefix(strings.TrimRight(line, "\r"), "SSH-")
			if !ok {
				continue
			}
			sw, _, _ := strings.Cut(rest, " ")
			if _, sw, ok := strings.Cut(sw, "-"); ok {
				product, version, _ := strings.Cut(sw, "_")
				return svBannerSW{Product: product, Version: version, Service: "SSH", Line: line}
			}
			break
		}
		return svBannerSW{Service: "SSH"}
	}
	if proto == "HTTP" || strings.HasPrefix(string(banner), "HTTP/") {
		sw := svHTTPServer(banner)
		sw.Service = "HTTP"
		return sw
	}
	lines := strings.SplitN(string(banner), "\n", 5)
	if len(lines) == 5 || !strings.Contains(string(banner), "\n") && len(banner) >= svBannerBytes {
		lines = lines[:len(lines)-1] // the last one may be cut
	}
	for _, line := range lines {
		line = strings.TrimRight(line, "\r")
		if !svPrintableLine(line) || !svGreeting(line) {
			return svBannerSW{}
		}
		svc := svGreetingService(line)
		for _, p := range svProducts {
			if m := p.re.FindStringSubmatch(line); m != nil {
				return svBannerSW{Product: p.product, Vendor: p.vendor, Version: strings.TrimRight(m[1], "."), Service: svc, Line: line}
			}
		}
		for _, m := range svGeneric.FindAllStringSubmatch(line, -1) {
			if !svStopWords[strings.ToLower(m[1])] && !svIPv4.MatchString(m[2]) && !strings.Contains(m[1], ".") {
				return svBannerSW{Product: m[1], Version: m[2], Service: svc, Line: line}
			}
		}
	}
	return svBannerSW{}
}

// svGreeting reports whether a line has the form of a text protocol's
// greeting: a three-digit reply code (FTP, SMTP, NNTP, …), "+OK" (POP3),
// "* OK" or "* PREAUTH" (IMAP). Other first bytes (a response body seen
// mid-stream, binary protocols) name no product.
func svGreeting(line string) bool {
	return hvFTPReply(line) || strings.HasPrefix(line, "+OK") || strings.HasPrefix(line, "* OK") || strings.HasPrefix(line, "* PREAUTH")
}

// svGreetingService tells the protocol of a greeting line by its form.
func svGreetingService(line string) string {
	up := strings.ToUpper(line)
	switch {
	case strings.HasPrefix(up, "220") && strings.Contains(up, "SMTP"):
		return "SMTP"
	case strings.HasPrefix(up, "220") && strings.Contains(up, "FTP"):
		return "FTP"
	case strings.HasPrefix(up, "+OK"):
		return "POP3"
	case strings.HasPrefix(up, "* OK"), strings.HasPrefix(up, "* PREAUTH"):
		return "IMAP"
	}
	return ""
}

// svPrintableLine reports whether a line is text (printable ASCII or UTF-8,
// tabs), as greetings are.
func svPrintableLine(s string) bool {
	if len(s) < 3 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// svHTTPServer reads "Server: product/version (comment)" from the head
// of an HTTP response.
func svHTTPServer(b []byte) svBannerSW {
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "Server") {
			continue
		}
		value = strings.TrimSpace(value)
		first, _, _ := strings.Cut(value, " ")
		product, version, _ := strings.Cut(first, "/")
		return svBannerSW{Product: product, Version: version, Line: line}
	}
	return svBannerSW{}
}

// ianaServiceName returns the IANA service name of a port (the registry
// bundled with the resolvers package, the same on every machine).
func ianaServiceName(t reassembly.Transport, port uint16) string {
	return resolvers.PortService(port, t.String())
}
