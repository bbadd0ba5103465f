package stream

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/types"
)

// SoftwareObservation is one sighting of a software product.
type SoftwareObservation struct {
	Timestamp  int64
	Product    string
	Vendor     string
	Version    string
	SourceName string // what it was seen in: "SSH banner", "HTTP User-Agent", …
	SourceData string // the text it was read from
	Service    string // the protocol, e.g. "SSH"
	Flow       string // the connection's Ident
	OS         string
	Notes      string
}

// maxSoftwareFlows bounds the flows kept per software record (the
// smallest, in sort order).
const maxSoftwareFlows = 256

// SoftwareStore aggregates sightings by product, vendor and version over
// the whole run, for all workers; at the end of the run it writes one
// Software record each, with the earliest sighting's time and source and
// the flows in order. It lives in this package because the protocols
// here (HTTP, SSH, SMTP, POP3) feed it; observers of other packages feed
// it (service banners) or read it (vulnerability matching) through the
// Run.
type SoftwareStore struct {
	mu      sync.Mutex
	items   map[[3]string]*types.Software
	max     int
	dropped int64
}

// DefaultMaxSoftware bounds the products a run aggregates unless
// Options.MaxSoftware says otherwise; past it new ones are dropped and
// counted.
const DefaultMaxSoftware = 1 << 16

// softwareTypes are the record types made of software sightings.
var softwareTypes = []types.Type{types.Type_NC_Software, types.Type_NC_Vulnerability, types.Type_NC_Exploit}

// ObserveSoftware records a sighting (safe for concurrent use).
func (r *Run) ObserveSoftware(o SoftwareObservation) {
	if o.Product == "" || !slices.ContainsFunc(softwareTypes, r.Enabled) {
		return
	}
	r.SoftwareStore().observe(o)
}

func (st *SoftwareStore) observe(o SoftwareObservation) {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := [3]string{o.Product, o.Vendor, o.Version}
	sw := st.items[k]
	if sw == nil {
		if len(st.items) >= st.max {
			st.dropped++
			return
		}
		sw = &types.Software{Product: types.WireString(o.Product), Vendor: types.WireString(o.Vendor), Version: types.WireString(o.Version), Timestamp: o.Timestamp}
		st.items[k] = sw
	}
	// the earliest sighting; at the same time the smallest source, so the
	// record does not depend on which worker came first
	if sw.SourceName == "" || o.Timestamp < sw.Timestamp ||
		o.Timestamp == sw.Timestamp && (o.SourceName < sw.SourceName || o.SourceName == sw.SourceName && o.SourceData < sw.SourceData) {
		sw.Timestamp, sw.SourceName, sw.SourceData = o.Timestamp, o.SourceName, types.WireString(o.SourceData)
		sw.Service, sw.OS, sw.Notes = o.Service, types.WireString(o.OS), types.WireString(o.Notes)
	}
	if o.Flow != "" {
		// Flows stay sorted and keep the smallest maxSoftwareFlows: the
		// same set whatever order the workers report in.
		i, found := slices.BinarySearch(sw.Flows, o.Flow)
		if !found && i < maxSoftwareFlows {
			if len(sw.Flows) == maxSoftwareFlows {
				sw.Flows = sw.Flows[:maxSoftwareFlows-1]
			}
			sw.Flows = slices.Insert(sw.Flows, i, o.Flow)
		}
	}
}

// SoftwareStore returns the run's software store, made on first use: its
// Software records are written at Flush before the work registered
// (OnFlush) after this call.
func (r *Run) SoftwareStore() *SoftwareStore {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sw == nil {
		st := &SoftwareStore{items: map[[3]string]*types.Software{}, max: r.opts.MaxSoftware}
		r.sw = st
		r.finishers = append(r.finishers, func(emit decoder.Emit) error { return st.flush(r, emit) })
		r.drops = append(r.drops, dropCounter{"Software", st.droppedCount})
	}
	return r.sw
}

func (st *SoftwareStore) droppedCount() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.dropped
}

func (st *SoftwareStore) flush(r *Run, emit decoder.Emit) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	keys := make([][3]string, 0, len(st.items))
	for k := range st.items {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [3]string) int {
		return strings.Compare(strings.Join(a[:], "\x00"), strings.Join(b[:], "\x00"))
	})
	for _, k := range keys {
		sw := st.items[k]
		slices.Sort(sw.Flows)
		if r.Enabled(types.Type_NC_Software) {
			if err := emit(types.Type_NC_Software, sw); err != nil {
				return err
			}
		}
	}
	return nil
}

// Records returns copies of the Software records aggregated so far,
// sorted by product, vendor and version.
func (st *SoftwareStore) Records() []*types.Software {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]*types.Software, 0, len(st.items))
	for _, sw := range st.items {
		c := proto.Clone(sw).(*types.Software)
		slices.Sort(c.Flows)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *types.Software) int {
		return cmp.Or(strings.Compare(a.Product, b.Product), strings.Compare(a.Vendor, b.Vendor), strings.Compare(a.Version, b.Version))
	})
	return out
}

// softwareFromSSH reads product and version from an SSH version line,
// "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10": the software version field
// is product_version, and a comment may follow a space.
func softwareFromSSH(c *Conn, banner string, client bool, ts int64) SoftwareObservation {
	rest, ok := strings.CutPrefix(banner, "SSH-")
	if !ok {
		return SoftwareObservation{}
	}
	_, sw, ok := strings.Cut(rest, "-") // protocol version, then software
	if !ok {
		return SoftwareObservation{}
	}
	sw, comment, _ := strings.Cut(sw, " ")
	product, version, _ := strings.Cut(sw, "_")
	source := "SSH server banner"
	if client {
		source = "SSH client banner"
	}
	return SoftwareObservation{
		Timestamp: ts, Product: product, Version: version, Notes: comment,
		SourceName: source, SourceData: banner, Service: "SSH", Flow: c.Ident,
	}
}
