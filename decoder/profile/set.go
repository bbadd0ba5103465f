package profile

import (
	"cmp"
	"slices"
)

// boundedSet keeps at most max distinct values: the smallest ones, so that
// what is kept does not depend on the order values arrive in (which varies
// with the worker count); the values left out are counted.
type boundedSet[T cmp.Ordered] struct {
	vals    []T // sorted
	dropped int64
}

func (s *boundedSet[T]) add(v T, max int) {
	i, found := slices.BinarySearch(s.vals, v)
	if found {
		return
	}
	if len(s.vals) >= max {
		if i >= len(s.vals) {
			s.dropped++
			return
		}
		s.vals = s.vals[:len(s.vals)-1] // drop the largest
		s.dropped++
	}
	s.vals = slices.Insert(s.vals, i, v)
}

// boundedCounts counts by key, for at most max keys (the smallest). A
// sorted slice rather than a map: most profiles hold a few keys, and a
// map costs hundreds of bytes even then.
type boundedCounts[K cmp.Ordered, V any] struct {
	entries []countEntry[K, V] // sorted by key
	dropped int64
}

type countEntry[K cmp.Ordered, V any] struct {
	key K
	val V
}

func (c *boundedCounts[K, V]) search(k K) (int, bool) {
	return slices.BinarySearchFunc(c.entries, k, func(e countEntry[K, V], k K) int { return cmp.Compare(e.key, k) })
}

// get returns the counters of k, or nil when k is left out. The pointer is
// valid until the next get.
func (c *boundedCounts[K, V]) get(k K, max int) *V {
	i, found := c.search(k)
	if found {
		return &c.entries[i].val
	}
	if len(c.entries) >= max {
		c.dropped++
		if i >= len(c.entries) {
			return nil
		}
		c.entries = c.entries[:len(c.entries)-1] // drop the largest
	}
	c.entries = slices.Insert(c.entries, i, countEntry[K, V]{key: k})
	return &c.entries[i].val
}

// len returns the number of keys.
func (c *boundedCounts[K, V]) len() int { return len(c.entries) }
