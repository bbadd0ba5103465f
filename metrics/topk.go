package metrics

import (
	"cmp"
	"slices"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// TopK estimates the most frequent keys in bounded memory (the
// space-saving algorithm): it keeps capacity counters; a new key takes
// over the smallest counter (and its count, so counts are upper bounds).
// Keys that are truly frequent stay; the table never grows.
type TopK struct {
	mu       sync.Mutex
	capacity int
	counts   map[string]int64
}

// NewTopK returns a sketch of capacity keys.
func NewTopK(capacity int) *TopK {
	return &TopK{capacity: capacity, counts: make(map[string]int64, capacity)}
}

// Add counts one occurrence of key.
func (t *TopK) Add(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.counts[key]; ok || len(t.counts) < t.capacity {
		t.counts[key]++
		return
	}
	minKey, minN := "", int64(-1)
	for k, n := range t.counts {
		if minN < 0 || n < minN || n == minN && k < minKey {
			minKey, minN = k, n
		}
	}
	delete(t.counts, minKey)
	t.counts[key] = minN + 1
}

// Top returns the n most frequent keys, most frequent first (ties by key).
func (t *TopK) Top(n int) []KeyCount {
	t.mu.Lock()
	out := make([]KeyCount, 0, len(t.counts))
	for k, c := range t.counts {
		out = append(out, KeyCount{k, c})
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b KeyCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key)) })
	return out[:min(n, len(out))]
}

// KeyCount is one entry of Top.
type KeyCount struct {
	Key   string
	Count int64
}

// topCollector exposes a TopK as a gauge with one series per top key.
type topCollector struct {
	name, label, help string
	k                 *TopK
}

func (c *topCollector) desc() *prometheus.Desc {
	return prometheus.NewDesc(c.name, c.help, []string{c.label}, nil)
}

func (c *topCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc() }

func (c *topCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.desc()
	for _, kc := range c.k.Top(TopN) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(kc.Count), kc.Key)
	}
}
