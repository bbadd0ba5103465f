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

// boundedCounts counts by key, for at most max keys (the smallest).
type boundedCounts[K cmp.Ordered, V any] struct {
	keys    []K
	vals    map[K]*V
	dropped int64
}

// get returns the counters of k, or nil when k is left out.
func (c *boundedCounts[K, V]) get(k K, max int) *V {
	if v, ok := c.vals[k]; ok {
		return v
	}
	if c.vals == nil {
		c.vals = map[K]*V{}
	}
	i, _ := slices.BinarySearch(c.keys, k)
	if len(c.keys) >= max {
		if i >= len(c.keys) {
			c.dropped++
			return nil
		}
		last := c.keys[len(c.keys)-1]
		delete(c.vals, last)
		c.keys = c.keys[:len(c.keys)-1]
		c.dropped++
	}
	c.keys = slices.Insert(c.keys, i, k)
	v := new(V)
	c.vals[k] = v
	return v
}
