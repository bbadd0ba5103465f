package resolvers

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakePTR answers PTR queries from a fixed table and counts them.
type fakePTR struct {
	calls atomic.Int64
	names map[string]string
	delay time.Duration
}

func (f *fakePTR) lookup(ctx context.Context, addr string) ([]string, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if name, ok := f.names[addr]; ok {
		return []string{name, "other.example."}, nil
	}
	return nil, errors.New("no PTR record")
}

func TestReverseDNSDisabled(t *testing.T) {
	r := NewReverseDNS(false, time.Second, 10)
	fake := &fakePTR{names: map[string]string{"192.0.2.1": "host.example."}}
	r.lookupAddr = fake.lookup
	for range 3 {
		if got := r.Lookup(netip.MustParseAddr("192.0.2.1")); got != "" {
			t.Errorf("disabled Lookup = %q, want \"\"", got)
		}
	}
	if n := fake.calls.Load(); n != 0 {
		t.Errorf("disabled resolver sent %d queries", n)
	}
	if s := r.Stats(); s != (ReverseDNSStats{}) {
		t.Errorf("disabled Stats = %+v, want zeros", s)
	}
	if r.Enabled() {
		t.Error("Enabled() = true")
	}
	var nilR *ReverseDNS
	if nilR.Lookup(netip.MustParseAddr("192.0.2.1")) != "" || nilR.Enabled() {
		t.Error("nil ReverseDNS is not a disabled one")
	}
}

func TestReverseDNSCache(t *testing.T) {
	r := NewReverseDNS(true, time.Second, 2)
	fake := &fakePTR{names: map[string]string{
		"192.0.2.1":   "one.example.",
		"192.0.2.2":   "two.example.",
		"2001:db8::1": "six.example.",
	}}
	r.lookupAddr = fake.lookup
	a1 := netip.MustParseAddr("192.0.2.1")
	for i := range 3 {
		if got := r.Lookup(a1); got != "one.example" {
			t.Fatalf("lookup %d: %q, want one.example", i, got)
		}
	}
	// The IPv4-mapped form is the same address and shares the entry.
	if got := r.Lookup(netip.MustParseAddr("::ffff:192.0.2.1")); got != "one.example" {
		t.Errorf("mapped: %q", got)
	}
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("%d queries for one address, want 1", n)
	}
	if s := r.Stats(); s != (ReverseDNSStats{Hits: 3, Misses: 1, Entries: 1}) {
		t.Errorf("Stats = %+v", s)
	}

	// A failed query is cached too.
	miss := netip.MustParseAddr("192.0.2.99")
	r.Lookup(miss)
	r.Lookup(miss)
	if n := fake.calls.Load(); n != 2 {
		t.Errorf("%d queries, want 2: a failure must be cached", n)
	}

	// The cache holds two entries: a third evicts the oldest (a1).
	if got := r.Lookup(netip.MustParseAddr("2001:db8::1")); got != "six.example" {
		t.Errorf("IPv6: %q", got)
	}
	s := r.Stats()
	if s.Evictions != 1 || s.Entries != 2 || s.Failures != 1 {
		t.Errorf("Stats = %+v, want 1 eviction, 2 entries, 1 failure", s)
	}
	r.Lookup(a1)
	if n := fake.calls.Load(); n != 4 {
		t.Errorf("%d queries, want 4: the evicted address is asked again", n)
	}
}

func TestReverseDNSTimeout(t *testing.T) {
	r := NewReverseDNS(true, 20*time.Millisecond, 10)
	fake := &fakePTR{names: map[string]string{"192.0.2.1": "slow.example."}, delay: time.Minute}
	r.lookupAddr = fake.lookup
	start := time.Now()
	if got := r.Lookup(netip.MustParseAddr("192.0.2.1")); got != "" {
		t.Errorf("timed-out lookup = %q", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("lookup took %v despite a 20ms timeout", d)
	}
	if s := r.Stats(); s.Failures != 1 {
		t.Errorf("Stats = %+v, want 1 failure", s)
	}
}

// TestReverseDNSConcurrent checks that simultaneous lookups of one address
// send one query; run with -race.
func TestReverseDNSConcurrent(t *testing.T) {
	r := NewReverseDNS(true, 5*time.Second, 100)
	fake := &fakePTR{names: map[string]string{"192.0.2.1": "one.example."}, delay: 50 * time.Millisecond}
	r.lookupAddr = fake.lookup
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if got := r.Lookup(netip.MustParseAddr("192.0.2.1")); got != "one.example" {
				t.Errorf("got %q", got)
			}
		})
	}
	wg.Wait()
	if n := fake.calls.Load(); n != 1 {
		t.Errorf("%d queries for 16 simultaneous lookups, want 1", n)
	}
}

func TestReverseDNSDefaults(t *testing.T) {
	r := NewReverseDNS(true, 0, -1)
	if r.timeout != DefaultReverseDNSTimeout || r.maxEntries != DefaultReverseDNSMaxEntries {
		t.Errorf("defaults: timeout %v, maxEntries %d", r.timeout, r.maxEntries)
	}
}
