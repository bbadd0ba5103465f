package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
)

var (
	bigOnce sync.Once
	bigPath string
)

// bigPcap is testdata/mixed.pcap copied 600 times with distinct
// addresses (391,200 packets, about 240 MB): a run long enough to be
// killed, interrupted or to fill a disk. It is made once per test binary.
func bigPcap(t *testing.T) string {
	t.Helper()
	bigOnce.Do(func() {
		p := distinctPcap(t, testutil.Testdata(t, "mixed.pcap"), 600)
		bigPath = filepath.Join(filepath.Dir(netBin), "big.pcap")
		if err := os.Rename(p, bigPath); err != nil {
			t.Fatal(err)
		}
	})
	if bigPath == "" {
		t.Fatal("no big capture")
	}
	return bigPath
}

// recordHashes reads a record file into the hashes of its records, in
// file order.
func recordHashes(t *testing.T, path string) []string {
	t.Helper()
	r, err := ncio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // only its header's type is needed
	var out []string
	for _, m := range readRecordsOf(t, path, r.NewRecord) {
		b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		out = append(out, fmt.Sprintf("%x", sha256.Sum256(b)))
	}
	return out
}

// TestKillNineLeavesReadableFiles: a capture killed with SIGKILL after a
// few flush intervals leaves files that net util -check -repair turns
// into a prefix of what the whole run writes, for every type; the
// busiest types hold records.
func TestKillNineLeavesReadableFiles(t *testing.T) {
	pcap := bigPcap(t)
	out := t.TempDir()
	p := startNet(t, "capture", "-read", pcap, "-out", out, "-quiet", "-workers", "1", "-flush-interval", "100ms")
	waitForFile(t, filepath.Join(out, "Connection.ncap.gz"), 10*time.Second)
	time.Sleep(600 * time.Millisecond)
	p.cmd.Process.Kill()
	p.wait(t, 10*time.Second)

	r := netCmd(t, nil, "util", "-check", "-repair", "-read", out)
	if strings.Contains(r.stdout, "repair failed") {
		t.Fatalf("util -check -repair:\n%s", r.stdout)
	}
	full := t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", full, "-quiet", "-workers", "1")
	files, _ := filepath.Glob(filepath.Join(out, "*.ncap.gz"))
	got := map[string]int{}
	for _, f := range files {
		if strings.Contains(f, ".repaired.") {
			continue
		}
		name := filepath.Base(f)
		if rep := ncio.RepairedName(f); fileExists(rep) {
			f = rep
		}
		recovered := recordHashes(t, f)
		want := recordHashes(t, filepath.Join(full, name))
		if len(recovered) > len(want) || strings.Join(recovered, "") != strings.Join(want[:len(recovered)], "") {
			t.Errorf("%s: the %d records recovered are not the first of the %d the whole run writes", name, len(recovered), len(want))
		}
		got[strings.TrimSuffix(name, ".ncap.gz")] = len(recovered)
	}
	t.Logf("records recovered after kill -9: %v", got)
	for _, typ := range []string{"Ethernet", "TCP", "DNS", "HTTP", "Connection"} {
		if got[typ] == 0 {
			t.Errorf("no %s records recovered after kill -9 (flushed every 100ms)", typ)
		}
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func waitForFile(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !fileExists(path); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear in %v", path, timeout)
		}
	}
}

// TestFullDiskStopsAtOnce: a capture into a 4 MB tmpfs stops soon after
// the disk is full with one line naming the file and exit status 1,
// having read only part of its input.
func TestFullDiskStopsAtOnce(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("NETCAP_CI") != "" {
			t.Fatal("the full-disk test mounts a tmpfs and needs root (NETCAP_CI is set)")
		}
		t.Skip("the full-disk test mounts a tmpfs and needs root: skipping")
	}
	pcap := bigPcap(t)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })

	p := startNet(t, "capture", "-read", pcap, "-out", mnt, "-workers", "1")
	var full time.Time
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			var st unix.Statfs_t
			if unix.Statfs(mnt, &st) == nil && st.Bavail*uint64(st.Bsize) < 64<<10 {
				full = time.Now()
				return
			}
			select {
			case err := <-p.done:
				p.done <- err
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	code := p.wait(t, 60*time.Second)
	exited := time.Now()
	<-done
	if full.IsZero() {
		t.Fatalf("the tmpfs never filled; exit %d\n%s", code, p.stderr.String())
	}
	t.Logf("disk full to exit: %v", exited.Sub(full))
	if code != 1 {
		t.Errorf("exit status %d on a full disk, want 1", code)
	}
	errLines := strings.Split(strings.TrimSpace(p.stderr.String()), "\n")
	if len(errLines) != 1 || !strings.Contains(errLines[0], "no space left on device") || !strings.Contains(errLines[0], mnt+"/") {
		t.Errorf("want one line naming the file and the error, got:\n%s", p.stderr.String())
	}
	if d := exited.Sub(full); d > 3*time.Second {
		t.Errorf("the capture went on %v after the disk was full", d)
	}
	m := regexp.MustCompile(`packets read\s+(\d+)`).FindStringSubmatch(p.stdout.String())
	if m == nil {
		t.Fatalf("no summary:\n%s", p.stdout.String())
	}
	if n, _ := strconv.Atoi(m[1]); n >= 391200 {
		t.Errorf("read all %d packets before stopping", n)
	}
}

// TestInterruptedFileRun: SIGINT or SIGTERM in the middle of a capture
// file exits 130 or 143 and says how far the run got, in the summary and
// on stderr; the files read back.
func TestInterruptedFileRun(t *testing.T) {
	pcap := bigPcap(t)
	for _, sig := range []struct {
		sig    syscall.Signal
		name   string
		status int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		out := t.TempDir()
		p := startNet(t, "capture", "-read", pcap, "-out", out, "-workers", "1", "-flush-interval", "100ms")
		waitForFile(t, filepath.Join(out, "Ethernet.ncap.gz"), 10*time.Second)
		p.cmd.Process.Signal(sig.sig)
		if code := p.wait(t, 30*time.Second); code != sig.status {
			t.Errorf("%s: exit %d, want %d\n%s", sig.name, code, sig.status, p.stderr.String())
		}
		re := regexp.MustCompile(`interrupted by ` + sig.name + ` after (\d+) of 391200 packets \((\d+) %\)`)
		m := re.FindStringSubmatch(p.stderr.String())
		if m == nil || !re.MatchString(p.stdout.String()) || !strings.Contains(p.stdout.String(), "STOPPED EARLY") {
			t.Fatalf("%s: no 'interrupted ... of 391200 packets' line:\nstdout: %s\nstderr: %s", sig.name, p.stdout.String(), p.stderr.String())
		}
		if n, _ := strconv.Atoi(m[1]); n == 0 || n >= 391200 {
			t.Errorf("%s: after %d packets: not mid-run", sig.name, n)
		}
		if r := netCmd(t, nil, "util", "-check", "-read", out); r.code != 0 {
			t.Errorf("%s: files damaged:\n%s", sig.name, r.stdout)
		}
	}
}

// TestOutputDirectoryOfAnotherRun: a second capture into an -out that
// holds record files is refused, naming them, and leaves them as they
// are; -force (and Netcap's -noprompt) remove the old files of every type
// first, so the directory holds the new run alone.
func TestOutputDirectoryOfAnotherRun(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	out := t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", out, "-quiet")
	before := dumpAll(t, out)
	notes := filepath.Join(out, "notes.txt")
	os.WriteFile(notes, []byte("mine"), 0o644)

	r := netCmd(t, nil, "capture", "-read", pcap, "-out", out, "-quiet", "-include", "TCP")
	if r.code == 0 || !strings.Contains(r.stderr, "holds") || !strings.Contains(r.stderr, "Ethernet.ncap.gz") || !strings.Contains(r.stderr, "-force") {
		t.Errorf("a second run into the same -out: exit %d %q", r.code, r.stderr)
	}
	if after := dumpAll(t, out); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Error("the refused run changed the files of the first")
	}
	for _, flag := range []string{"-force", "-noprompt"} {
		mustNet(t, "capture", "-read", pcap, "-out", out, "-quiet", "-include", "TCP", flag)
		files, _ := filepath.Glob(filepath.Join(out, "*.ncap*"))
		if len(files) != 1 || filepath.Base(files[0]) != "TCP.ncap.gz" {
			t.Errorf("%s: -out holds %v, want the new run's TCP.ncap.gz alone", flag, files)
		}
	}
	if b, err := os.ReadFile(notes); err != nil || string(b) != "mine" {
		t.Error("-force touched a file that is not a record file")
	}

	// -conns: the conversation files of an earlier run count too
	conns := t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", conns, "-quiet", "-conns")
	bins, _ := filepath.Glob(filepath.Join(conns, "*", "*", "*.bin"))
	if len(bins) == 0 {
		t.Fatal("-conns wrote no conversation files")
	}
	for _, f := range mustGlob(t, filepath.Join(conns, "*.ncap.gz")) {
		os.Remove(f)
	}
	if r := netCmd(t, nil, "capture", "-read", pcap, "-out", conns, "-quiet", "-conns"); r.code == 0 || !strings.Contains(r.stderr, ".bin") {
		t.Errorf("-conns into a directory with conversation files: exit %d %q", r.code, r.stderr)
	}
	mustNet(t, "capture", "-read", pcap, "-out", conns, "-quiet", "-conns", "-force")
	if again, _ := filepath.Glob(filepath.Join(conns, "*", "*", "*.bin")); len(again) != len(bins) {
		t.Errorf("-conns -force: %d conversation files, a first run writes %d", len(again), len(bins))
	}
}

func mustGlob(t *testing.T, pat string) []string {
	t.Helper()
	m, err := filepath.Glob(pat)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAgentKilledKeepsSpool: an agent whose collector is unreachable,
// killed with SIGKILL, leaves what it had buffered in its spool (moved
// there every flush interval); its next run delivers those records.
func TestAgentKilledKeepsSpool(t *testing.T) {
	base := t.TempDir()
	addr := freeAddr(t)
	spool := filepath.Join(base, "spool")
	pcap := distinctPcap(t, testutil.Testdata(t, "mixed.pcap"), 20)
	a := startNet(t, "agent", "-read", pcap, "-collector", "nats://"+addr, "-id", "k1", "-spool", spool, "-flush-interval", "100ms", "-q")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if entries, _ := filepath.Glob(filepath.Join(spool, "*.batch")); len(entries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing reached the spool in 20 s:\n%s", a.stderr.String())
		}
	}
	time.Sleep(300 * time.Millisecond)
	a.cmd.Process.Kill()
	a.wait(t, 10*time.Second)
	spooled, _ := filepath.Glob(filepath.Join(spool, "*.batch"))

	out := filepath.Join(base, "out")
	c := startCollect(t, "-addr", addr, "-store", filepath.Join(base, "store"), "-out", out)
	empty := filepath.Join(base, "none.pcap")
	os.WriteFile(empty, pcapHeaderOnly(), 0o644)
	b := netCmd(t, nil, "agent", "-read", empty, "-collector", "nats://"+addr, "-id", "k1", "-spool", spool, "-q")
	if b.code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", b.code, b.stdout, b.stderr)
	}
	c.stop(t)
	got := recordSet(t, filepath.Join(out, "k1"))
	want := captureSet(t, pcap)
	for k, n := range got {
		if want[k] < n {
			t.Fatalf("the collector holds a record the capture does not write (%s)", k)
		}
	}
	t.Logf("%d spool files after kill -9 delivered %d of the capture's %d records", len(spooled), total(got), total(want))
	if total(got) == 0 {
		t.Error("no record survived the kill in the spool")
	}
}

// pcapHeaderOnly is a pcap file without packets (Ethernet).
func pcapHeaderOnly() []byte {
	return []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0}
}
