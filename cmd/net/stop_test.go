package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netcap-go/netcap/internal/testutil"
)

// TestCountAndDuration: -count stops after that many packets; -duration
// stops a capture whose input stays open, with valid files.
func TestCountAndDuration(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	out := t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", out, "-quiet", "-count", "100")
	if n := strings.Count(mustNet(t, "dump", "-read", filepath.Join(out, "Ethernet.ncap.gz")), "\n") - 1; n != 100 {
		t.Errorf("-count 100: %d Ethernet records", n)
	}

	data, _ := os.ReadFile(pcap)
	out = t.TempDir()
	cmd := exec.Command(netBin, "capture", "-read", "-", "-out", out, "-quiet", "-duration", "1s")
	stdin, _ := cmd.StdinPipe()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Write(data) // the pipe stays open
	err := cmd.Wait()
	stdin.Close()
	if err != nil {
		t.Fatalf("-duration: %v\n%s", err, errb.String())
	}
	if el := time.Since(start); el > 8*time.Second {
		t.Errorf("-duration 1s took %s", el)
	}
	if n := strings.Count(mustNet(t, "dump", "-read", filepath.Join(out, "Ethernet.ncap.gz")), "\n") - 1; n != 652 {
		t.Errorf("-duration: %d Ethernet records, want 652", n)
	}
}

// TestRotateSize: -rotate-size splits the record files; together they hold
// exactly the records of one unrotated run.
func TestRotateSize(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	plain, rotated := t.TempDir(), t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", plain, "-quiet", "-workers", "1")
	mustNet(t, "capture", "-read", pcap, "-out", rotated, "-quiet", "-workers", "1", "-rotate-size", "16KB", "-compress=false")
	files, _ := filepath.Glob(filepath.Join(rotated, "TCP-*.ncap"))
	if len(files) < 2 {
		t.Fatalf("-rotate-size 16KB: %d TCP files", len(files))
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.Size() > 16000+2048+200 {
			t.Errorf("%s: %d bytes, bound 16 kB plus one batch", f, st.Size())
		}
	}
	var got []string
	for _, f := range files {
		lines := strings.Split(strings.TrimSpace(mustNet(t, "dump", "-read", f, "-json")), "\n")
		got = append(got, lines...)
	}
	want := strings.Split(strings.TrimSpace(mustNet(t, "dump", "-read", filepath.Join(plain, "TCP.ncap.gz"), "-json")), "\n")
	if strings.Join(sortedCopy(got), "\n") != strings.Join(sortedCopy(want), "\n") {
		t.Fatalf("rotated TCP files hold %d records, the plain file %d", len(got), len(want))
	}
	if r := netCmd(t, nil, "capture", "-read", pcap, "-out", t.TempDir(), "-rotate-size", "lots"); r.code == 0 || !strings.Contains(r.stderr, "not a size") {
		t.Errorf("bad -rotate-size: exit %d %q", r.code, r.stderr)
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}
