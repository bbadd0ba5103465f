package stream

import (
	"slices"
	"strings"
	"sync"

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

// softwareStore aggregates sightings by product, vendor and version over
// the whole run, for all workers; Flush writes one record each, with the
// earliest sighting's time and source and the flows in order.
type softwareStore struct {
	mu      sync.Mutex
	items   map[[3]string]*types.Software
	dropped int64
}

// DefaultMaxSoftware bounds the products a run aggregates unless
// Options.MaxSoftware says otherwise; past it new ones are dropped and
// counted.
const DefaultMaxSoftware = 1 << 16

// ObserveSoftware records a sighting (safe for concurrent use).
func (r *Run) ObserveSoftware(o SoftwareObservation) {
	if o.Product == "" || !r.opts.enabled("Software") && !r.opts.enabled("Vulnerability") && !r.opts.enabled("Exploit") {
		return
	}
	st := r.software()
	st.mu.Lock()
	defer st.mu.Unlock()
	k := [3]string{o.Product, o.Vendor, o.Version}
	sw := st.items[k]
	if sw == nil {
		if len(st.items) >= r.opts.MaxSoftware {
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

func (r *Run) software() *softwareStore {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sw == nil {
		r.sw = &softwareStore{items: map[[3]string]*types.Software{}}
		st := r.sw
		r.finishers = append(r.finishers, func(emit Emitter) error { return st.flush(r, emit) })
	}
	return r.sw
}

func (st *softwareStore) flush(r *Run, emit Emitter) error {
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
		if r.opts.enabled("Software") {
			if err := emit(types.Type_NC_Software, sw); err != nil {
				return err
			}
		}
	}
	return nil
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
