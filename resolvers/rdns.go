package resolvers

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Defaults for NewReverseDNS arguments that are zero or negative.
const (
	DefaultReverseDNSTimeout    = 2 * time.Second
	DefaultReverseDNSMaxEntries = 10000
)

// ReverseDNS resolves IP addresses to host names with PTR queries. It is
// off unless created enabled: a disabled ReverseDNS answers "" at once and
// sends nothing, so a capture run leaks no queries by default.
//
// When enabled, each answer is kept in a bounded cache, failures and empty
// answers included, so that one address seen in many packets costs one
// query, and an unresponsive resolver costs one timeout per address rather
// than one per packet. When the cache is full the oldest entry is evicted.
// Concurrent lookups of the same uncached address share one query.
// A ReverseDNS is safe for concurrent use.
type ReverseDNS struct {
	enabled    bool
	timeout    time.Duration
	maxEntries int
	// lookupAddr performs the PTR query; tests replace it to observe
	// whether and how often queries happen.
	lookupAddr func(ctx context.Context, addr string) ([]string, error)

	mu       sync.Mutex
	cache    map[netip.Addr]string
	order    []netip.Addr // insertion order, used as a ring once full
	oldest   int          // index in order of the next entry to evict
	inflight map[netip.Addr]*rdnsCall
	stats    ReverseDNSStats
}

// rdnsCall is one query in progress, which later lookups of the same
// address wait for instead of sending their own.
type rdnsCall struct {
	done chan struct{}
	name string
}

// ReverseDNSStats counts what a ReverseDNS has done since it was created.
type ReverseDNSStats struct {
	Hits      uint64 // lookups answered from the cache or by a query already in flight
	Misses    uint64 // lookups that sent a query
	Failures  uint64 // queries that failed or timed out (cached as "")
	Evictions uint64 // entries dropped to keep the cache within maxEntries
	Entries   int    // entries in the cache now
}

// NewReverseDNS returns a reverse resolver. When enabled is false it never
// queries. timeout bounds each query (DefaultReverseDNSTimeout when <= 0)
// and maxEntries bounds the cache (DefaultReverseDNSMaxEntries when <= 0).
// Queries go through the system's resolver configuration via net.Resolver.
func NewReverseDNS(enabled bool, timeout time.Duration, maxEntries int) *ReverseDNS {
	if timeout <= 0 {
		timeout = DefaultReverseDNSTimeout
	}
	if maxEntries <= 0 {
		maxEntries = DefaultReverseDNSMaxEntries
	}
	return &ReverseDNS{
		enabled:    enabled,
		timeout:    timeout,
		maxEntries: maxEntries,
		lookupAddr: new(net.Resolver).LookupAddr,
		cache:      make(map[netip.Addr]string),
		inflight:   make(map[netip.Addr]*rdnsCall),
	}
}

// Enabled reports whether r sends queries.
func (r *ReverseDNS) Enabled() bool { return r != nil && r.enabled }

// Lookup returns the first host name that the PTR records of ip name,
// without the trailing dot, or "" when there is none, the query failed or
// timed out, or r is disabled (in which case nothing is sent). It blocks
// for at most the timeout on an uncached address.
func (r *ReverseDNS) Lookup(ip netip.Addr) string {
	if r == nil || !r.enabled || !ip.IsValid() {
		return ""
	}
	// One cache entry per address, however it was written.
	ip = ip.Unmap().WithZone("")

	r.mu.Lock()
	if name, ok := r.cache[ip]; ok {
		r.stats.Hits++
		r.mu.Unlock()
		return name
	}
	if c, ok := r.inflight[ip]; ok {
		r.stats.Hits++
		r.mu.Unlock()
		<-c.done
		return c.name
	}
	c := &rdnsCall{done: make(chan struct{})}
	r.inflight[ip] = c
	r.stats.Misses++
	r.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), r.timeout)
	names, err := r.lookupAddr(ctx, ip.String())
	cancel()
	if err == nil && len(names) > 0 {
		c.name = strings.TrimSuffix(names[0], ".")
	}

	r.mu.Lock()
	delete(r.inflight, ip)
	if err != nil {
		r.stats.Failures++
	}
	r.store(ip, c.name)
	r.mu.Unlock()
	close(c.done)
	return c.name
}

// store caches name for ip, evicting the oldest entry when full. r.mu must
// be held.
func (r *ReverseDNS) store(ip netip.Addr, name string) {
	if len(r.order) < r.maxEntries {
		r.order = append(r.order, ip)
		r.cache[ip] = name
		return
	}
	delete(r.cache, r.order[r.oldest])
	r.stats.Evictions++
	r.order[r.oldest] = ip
	r.oldest = (r.oldest + 1) % r.maxEntries
	r.cache[ip] = name
}

// Stats returns the counters so far; a disabled ReverseDNS reports zeros.
func (r *ReverseDNS) Stats() ReverseDNSStats {
	if r == nil {
		return ReverseDNSStats{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.stats
	s.Entries = len(r.cache)
	return s
}
