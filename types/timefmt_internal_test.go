package types

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestTimeText: timestamps come out as time's Format writes them, in zones
// with daylight saving time, half-hour offsets and local mean time (an
// offset of seconds, which RFC 3339 cuts to minutes), for times in order
// (the cached second reused) and at random, before 1970 and at the ends
// of int64 too.
func TestTimeText(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var times []int64
	for ns := int64(1_711_846_798_000_000_000); len(times) < 5000; ns += r.Int64N(3e9) { // over the EU change to summer time
		times = append(times, ns)
	}
	for range 5000 {
		times = append(times, int64(r.Uint64()), r.Int64N(4e18)-2e18, -r.Int64N(1e9))
	}
	times = append(times, math.MinInt64, math.MaxInt64, 0, -1, 1e9-1, 1e9, -1e9)
	for _, zone := range []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Amsterdam", "Pacific/Chatham"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		tt := &timeText{mode: TimeLocal, loc: loc}
		for _, ns := range times {
			want := time.Unix(0, ns).In(loc).Format(timeLayout)
			if got := string(tt.append(nil, ns)); got != want {
				t.Fatalf("%s, %d: got %s, want %s", zone, ns, got, want)
			}
		}
	}
	epoch := &timeText{mode: TimeEpoch}
	if got := string(epoch.append([]byte("x"), -12)); got != "x-12" {
		t.Errorf("epoch: %s", got)
	}
}
