package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/netcap-go/netcap/internal/pcapgen"
	"github.com/netcap-go/netcap/internal/testutil"
)

// TestMemoryBudget: with the default -max-memory (1 GB) a million distinct
// UDP flows and 200,000 half-open TCP connections (each with bytes waiting
// behind a hole) keep net's peak resident memory under 1.1 × the budget,
// and the summary counts the flows, connections and profiles evicted to
// stay within it; a quarter of the budget tracks fewer connections and
// stays under its own bound.
func TestMemoryBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 124 MB of captures and decodes 1.6 million packets")
	}
	dir := t.TempDir()
	flows := writeCapture(t, filepath.Join(dir, "flows.pcap"), 1_000_000, (*pcapgen.Writer).Flow)
	halfOpen := writeCapture(t, filepath.Join(dir, "halfopen.pcap"), 200_000, (*pcapgen.Writer).HalfOpen)
	tracked := map[string]int64{}
	for _, c := range []struct {
		name, pcap, budget string
		bytes              int64
	}{
		{"1M UDP flows", flows, "", 1e9},
		{"200k half-open TCP", halfOpen, "", 1e9},
		{"200k half-open TCP, 256MB", halfOpen, "256MB", 256e6},
	} {
		args := []string{"capture", "-read", c.pcap, "-out", t.TempDir()}
		if c.budget != "" {
			args = append(args, "-max-memory", c.budget)
		}
		r := netCmd(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d\n%s", c.name, r.code, r.stderr)
		}
		rss := peakRSS(r.state)
		t.Logf("%s: peak RSS %d MB, budget %d MB", c.name, rss/1e6, c.bytes/1e6)
		if float64(rss) >= 1.1*float64(c.bytes) {
			t.Errorf("%s: peak RSS %d bytes, over 1.1 × the budget of %d", c.name, rss, c.bytes)
		}
		peak := summaryCount(t, r.stdout, `peak (\d+) tracked`)
		for what, re := range map[string]string{
			"flows":                   `(\d+) evicted \(-max-flows\)`,
			"reassembled connections": `(\d+) evicted \(connection bound\)`,
			"profiles":                `(\d+) evicted \(-max-profiles\)`,
		} {
			if n := summaryCount(t, r.stdout, re); n == 0 {
				t.Errorf("%s: no %s evicted (peak %d flows tracked):\n%s", c.name, what, peak, r.stdout)
			}
		}
		tracked[c.name] = peak
	}
	if small, full := tracked["200k half-open TCP, 256MB"], tracked["200k half-open TCP"]; small*3 > full {
		t.Errorf("256MB tracks %d flows, 1GB %d: the limits do not follow the budget", small, full)
	}
}

// TestMaxMemoryFlag: a size that is not one is refused; a count flag given
// beside the budget is kept, and the summary shows it with the limits the
// budget set.
func TestMaxMemoryFlag(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	r := netCmd(t, nil, "capture", "-read", pcap, "-out", t.TempDir(), "-max-memory", "lots")
	if r.code == 0 || !strings.Contains(r.stderr, "-max-memory") {
		t.Errorf("-max-memory lots: exit %d, %q", r.code, r.stderr)
	}
	out := mustNet(t, "capture", "-read", pcap, "-out", t.TempDir(), "-max-memory", "64MiB", "-max-flows", "4")
	if !strings.Contains(out, "memory budget 64.0 MiB: 4 flows, ") {
		t.Errorf("summary without the budget's limits:\n%s", out)
	}
	if n := summaryCount(t, out, `(\d+) evicted \(-max-flows\)`); n == 0 {
		t.Errorf("4 flows at most, none evicted:\n%s", out)
	}
}

// writeCapture writes n entries of a synthetic capture to path.
func writeCapture(t *testing.T, path string, n int, entry func(*pcapgen.Writer, int)) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgen.NewWriter(f)
	for i := range n {
		entry(w, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakRSS returns the most resident memory the process had, in bytes.
func peakRSS(state *os.ProcessState) int64 {
	return state.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
}

// summaryCount returns the number the first group of re finds in the
// summary.
func summaryCount(t *testing.T, summary, re string) int64 {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("summary has no %q:\n%s", re, summary)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}
