package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/pcapgen"
	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/source"
)

// recordSet reads every record file under dir (and its subdirectories
// one level down) into a multiset: type + hash of the record's
// deterministic encoding -> count.
func recordSet(t *testing.T, dirs ...string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, dir := range dirs {
		var files []string
		if st, err := os.Stat(dir); err == nil && !st.IsDir() {
			files = []string{dir} // a single file
		}
		for _, pat := range []string{"*.ncap*", "*/*.ncap*"} {
			if len(files) > 0 {
				break
			}
			m, _ := filepath.Glob(filepath.Join(dir, pat))
			files = append(files, m...)
		}
		if len(files) == 0 {
			t.Fatalf("no record files under %s", dir)
		}
		for _, f := range files {
			r, err := ncio.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			for {
				m := r.NewRecord()
				err := r.Next(m)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
				out[fmt.Sprintf("%s %x", r.Type().Name(), sha256.Sum256(b))]++
			}
			r.Close()
		}
	}
	return out
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// sameRecords compares two multisets and reports the first differences.
func sameRecords(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	if maps.Equal(got, want) {
		return
	}
	missing, extra := 0, 0
	for k, v := range want {
		if got[k] < v {
			missing += v - got[k]
		}
	}
	for k, v := range got {
		if want[k] < v {
			extra += v - want[k]
		}
	}
	t.Errorf("%s: %d records, want %d: %d missing, %d extra (duplicated or foreign)", what, total(got), total(want), missing, extra)
}

// captureSet is what net capture writes for a capture.
func captureSet(t *testing.T, pcap string) map[string]int {
	t.Helper()
	dir := t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", dir, "-q")
	return recordSet(t, dir)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// proc is a running net process.
type proc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout syncBuffer
	stderr *syncBuffer
	done   chan error
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startNet(t *testing.T, args ...string) *proc {
	t.Helper()
	return startNetWith(t, false, args...)
}

// startNetStdin starts net with a pipe on its standard input (p.stdin).
func startNetStdin(t *testing.T, args ...string) *proc {
	t.Helper()
	return startNetWith(t, true, args...)
}

func startNetWith(t *testing.T, stdin bool, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(netBin, args...), stderr: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, p.stderr
	if stdin {
		w, err := p.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		p.stdin = w
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the process to exit and returns its exit code.
func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		t.Fatalf("net %s did not end in %v\nstdout: %s\nstderr: %s", strings.Join(p.cmd.Args[1:], " "), timeout, p.stdout.String(), p.stderr.String())
	}
	return -1
}

// startCollect starts net collect and waits until it consumes.
func startCollect(t *testing.T, args ...string) *proc {
	t.Helper()
	p := startNet(t, append([]string{"collect", "-commit-interval", "100ms"}, args...)...)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.stderr.String(), "consuming from") {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("net collect ended: %v\n%s", err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("net collect did not start:\n%s", p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// stop ends a collector with SIGTERM (it commits and closes its files).
func (p *proc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("net collect exit %d:\n%s", code, p.stderr.String())
	}
}

// TestCollectTwoAgents: two agents replay two captures into one embedded
// collector; each agent's directory holds exactly the records net
// capture writes for its capture.
func TestCollectTwoAgents(t *testing.T) {
	second := testutil.Testdata(t, "http.pcap")
	if p, ok := testutil.SharedIfPresent(t, "dns.pcap"); ok {
		second = p
	}
	base := t.TempDir()
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	c := startCollect(t, "-addr", addr, "-store", filepath.Join(base, "store"), "-out", filepath.Join(base, "out"), "-metrics", metricsAddr)
	a1 := startNet(t, "agent", "-read", testutil.Testdata(t, "mixed.pcap"), "-collector", "nats://"+addr, "-id", "a1", "-q")
	a2 := startNet(t, "agent", "-read", second, "-collector", "nats://"+addr, "-id", "a2", "-q")
	for _, a := range []*proc{a1, a2} {
		if code := a.wait(t, 60*time.Second); code != 0 {
			t.Fatalf("agent exit %d: %s %s", code, a.stdout.String(), a.stderr.String())
		}
		if !strings.Contains(a.stdout.String(), "delivered") || strings.Contains(a.stdout.String(), "DROPPED") {
			t.Errorf("agent: %s", a.stdout.String())
		}
	}
	// -metrics: the collector counts every record it wrote
	want1, want2 := captureSet(t, testutil.Testdata(t, "mixed.pcap")), captureSet(t, second)
	wantTotal := float64(total(want1) + total(want2))
	var got float64
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got = 0
		for _, m := range scrapeFamilies(t, metricsAddr)["netcap_records_total"].GetMetric() {
			got += m.GetCounter().GetValue()
		}
		if got == wantTotal {
			break
		}
	}
	if got != wantTotal {
		t.Errorf("collector metrics count %v records, the agents sent %v", got, wantTotal)
	}
	c.stop(t)
	sameRecords(t, "agent a1 (mixed.pcap)", recordSet(t, filepath.Join(base, "out", "a1")), captureSet(t, testutil.Testdata(t, "mixed.pcap")))
	sameRecords(t, "agent a2 ("+filepath.Base(second)+")", recordSet(t, filepath.Join(base, "out", "a2")), captureSet(t, second))
	if !strings.Contains(c.stdout.String(), "a1") || !strings.Contains(c.stdout.String(), "a2") {
		t.Errorf("collector summary: %s", c.stdout.String())
	}
	// the files name the agent and its input in their headers
	r, err := ncio.Open(filepath.Join(base, "out", "a1", "TCP.ncap.gz"))
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !strings.HasPrefix(r.Header.InputSource, "a1: ") || !strings.HasSuffix(r.Header.InputSource, "mixed.pcap") {
		t.Errorf("header source %q", r.Header.InputSource)
	}
}

// distinctPcap writes n copies of a capture with rewritten addresses
// (pcapgen.Distinct), so every copy adds new flows.
func distinctPcap(t *testing.T, in string, n int) string {
	t.Helper()
	src, err := source.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var frames []pcapgen.Frame
	for {
		data, ci, err := src.ReadPacket()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, pcapgen.Frame{TS: ci.Timestamp / 1000, Data: append([]byte(nil), data...)})
	}
	src.Close()
	path := filepath.Join(t.TempDir(), "distinct.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgen.NewWriter(f)
	w.WriteDistinct(frames, n)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// appliedBatches counts the batches a collector's state file says are in
// its files.
func appliedBatches(t *testing.T, out string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(out, ".netcap-collect.json"))
	if err != nil {
		return 0, false
	}
	var st struct {
		Applied map[string]struct {
			R [][2]uint64 `json:"r"`
		} `json:"applied"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return 0, false
	}
	n := 0
	for _, s := range st.Applied {
		for _, r := range s.R {
			n += int(r[1] - r[0] + 1)
		}
	}
	return n, true
}

// TestCollectorCrashAndOutage: the collector is killed (SIGKILL: no
// flush, its NATS server goes with it) in the middle of an agent's run.
// The agent keeps capturing and buffers (memory, then spool) while
// nothing listens, then catches up once a new collector runs on the same
// store and output. The files end with exactly the records of net
// capture: nothing lost, nothing twice.
func TestCollectorCrashAndOutage(t *testing.T) {
	pcap := distinctPcap(t, testutil.Testdata(t, "mixed.pcap"), 40)
	want := captureSet(t, pcap)
	base := t.TempDir()
	addr := freeAddr(t)
	out, store := filepath.Join(base, "out"), filepath.Join(base, "store")
	c1 := startCollect(t, "-addr", addr, "-store", store, "-out", out, "-commit-batches", "3")
	agent := startNet(t, "agent", "-read", pcap, "-collector", "nats://"+addr, "-id", "big", "-batch-size", "16KB",
		"-buffer", "256KB", "-spool", filepath.Join(base, "spool"), "-drain-timeout", "2m", "-q")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if n, ok := appliedBatches(t, out); ok && n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the collector never checkpointed")
		}
		time.Sleep(2 * time.Millisecond)
	}
	c1.cmd.Process.Kill()
	c1.wait(t, 10*time.Second)
	applied, _ := appliedBatches(t, out)
	t.Logf("collector killed after %d batches were checkpointed", applied)
	time.Sleep(1500 * time.Millisecond) // outage: the agent buffers
	if got := strings.Count(agent.stdout.String(), "agent big:"); got != 0 {
		t.Fatalf("the agent ended while the collector was down: %s", agent.stdout.String())
	}
	c2 := startCollect(t, "-addr", addr, "-store", store, "-out", out)
	if code := agent.wait(t, 120*time.Second); code != 0 {
		t.Fatalf("agent exit %d: %s\n%s", code, agent.stdout.String(), agent.stderr.String())
	}
	c2.stop(t)
	st := agent.stdout.String()
	var batches int
	fmt.Sscanf(st[strings.Index(st, "batches "):], "batches %d", &batches)
	if applied >= batches {
		t.Fatalf("the kill came after the last batch (%d of %d): not mid-run", applied, batches)
	}
	if strings.Contains(st, "DROPPED") || strings.Contains(st, "left in the spool") {
		t.Errorf("agent: %s", st)
	}
	t.Logf("agent: %s", strings.TrimSpace(st))
	t.Logf("collector after restart: %s", strings.TrimSpace(c2.stdout.String()))
	sameRecords(t, "after crash and restart", recordSet(t, filepath.Join(out, "big")), want)
}

// TestAgentBoundsAndSpool: with no collector, an agent with a small
// memory buffer and spool drops what does not fit (counted, exit status
// 1) and leaves the spool for its next run; the next run (another
// capture, same spool) sends the spooled batches first: the collector then
// holds the spooled records and the second capture's, no more.
func TestAgentBoundsAndSpool(t *testing.T) {
	base := t.TempDir()
	addr := freeAddr(t)
	spool := filepath.Join(base, "spool")
	a := netCmd(t, nil, "agent", "-read", testutil.Testdata(t, "mixed.pcap"), "-collector", "nats://"+addr, "-id", "s1",
		"-batch-size", "8KB", "-buffer", "32KB", "-spool", spool, "-spool-max", "12KB", "-drain-timeout", "1s", "-q")
	if a.code == 0 || !strings.Contains(a.stdout, "DROPPED") || !strings.Contains(a.stdout, "left in the spool") {
		t.Fatalf("agent without collector: exit %d\n%s\n%s", a.code, a.stdout, a.stderr)
	}
	var made, madeRec, leftB, leftRec, dropB, dropRec int
	fmt.Sscanf(a.stdout[strings.Index(a.stdout, "batches "):], "batches %d (%d records)", &made, &madeRec)
	i := strings.Index(a.stdout, "through the disk spool, ")
	fmt.Sscanf(a.stdout[i+len("through the disk spool, "):], "%d batches (%d records) left in the spool", &leftB, &leftRec)
	j := strings.Index(a.stdout, "DROPPED ")
	fmt.Sscanf(a.stdout[j:], "DROPPED %d batches (%d records)", &dropB, &dropRec)
	if leftRec == 0 || dropRec == 0 || leftRec+dropRec != madeRec {
		t.Fatalf("left %d + dropped %d records != %d made: %s", leftRec, dropRec, madeRec, a.stdout)
	}
	entries, _ := os.ReadDir(spool)
	if len(entries) != leftB {
		t.Errorf("spool holds %d files, agent says %d batches", len(entries), leftB)
	}
	out := filepath.Join(base, "out")
	c := startCollect(t, "-addr", addr, "-store", filepath.Join(base, "store"), "-out", out)
	second := testutil.Testdata(t, "icmp-sll2.pcap")
	b := netCmd(t, nil, "agent", "-read", second, "-collector", "nats://"+addr, "-id", "s1", "-spool", spool, "-q")
	if b.code != 0 || strings.Contains(b.stdout, "DROPPED") {
		t.Fatalf("second run: exit %d\n%s\n%s", b.code, b.stdout, b.stderr)
	}
	c.stop(t)
	got := total(recordSet(t, filepath.Join(out, "s1")))
	if want := leftRec + total(captureSet(t, second)); got != want {
		t.Errorf("collector holds %d records, want %d spooled + second capture", got, want)
	}
	if entries, _ := os.ReadDir(spool); len(entries) != 0 {
		t.Errorf("spool not emptied: %d files", len(entries))
	}
}

// TestCollectAuth: a collector with TLS, mutual TLS and nkeys (keys from
// net collect -gen-keys) takes records from an agent with the right
// credentials and refuses (and logs) agents with a wrong nkey, a
// certificate of another CA, or no client certificate.
func TestCollectAuth(t *testing.T) {
	base := t.TempDir()
	keys, other := filepath.Join(base, "keys"), filepath.Join(base, "other")
	mustNet(t, "collect", "-gen-keys", keys)
	mustNet(t, "collect", "-gen-keys", other)
	addr := freeAddr(t)
	out := filepath.Join(base, "out")
	k := func(dir, name string) string { return filepath.Join(dir, name) }
	c := startCollect(t, "-addr", addr, "-store", filepath.Join(base, "store"), "-out", out,
		"-tls-cert", k(keys, "server.pem"), "-tls-key", k(keys, "server-key.pem"), "-tls-ca", k(keys, "ca.pem"), "-nkeys", k(keys, "agents.nkeys"))
	pcap := testutil.Testdata(t, "mixed.pcap")
	agent := func(id string, extra ...string) result {
		args := append([]string{"agent", "-read", pcap, "-collector", "nats://" + addr, "-id", id, "-q", "-drain-timeout", "20s"}, extra...)
		return netCmd(t, nil, args...)
	}
	good := agent("good", "-tls-ca", k(keys, "ca.pem"), "-tls-cert", k(keys, "agent.pem"), "-tls-key", k(keys, "agent-key.pem"), "-nkey", k(keys, "agent.nk"))
	if good.code != 0 || strings.Contains(good.stdout, "DROPPED") {
		t.Fatalf("good agent: exit %d\n%s\n%s", good.code, good.stdout, good.stderr)
	}
	for _, bad := range []struct {
		name string
		args []string
	}{
		{"wrong-nkey", []string{"-tls-ca", k(keys, "ca.pem"), "-tls-cert", k(keys, "agent.pem"), "-tls-key", k(keys, "agent-key.pem"), "-nkey", k(other, "agent.nk")}},
		{"no-nkey", []string{"-tls-ca", k(keys, "ca.pem"), "-tls-cert", k(keys, "agent.pem"), "-tls-key", k(keys, "agent-key.pem")}},
		{"foreign-cert", []string{"-tls-ca", k(keys, "ca.pem"), "-tls-cert", k(other, "agent.pem"), "-tls-key", k(other, "agent-key.pem"), "-nkey", k(keys, "agent.nk")}},
		{"no-cert", []string{"-tls-ca", k(keys, "ca.pem"), "-nkey", k(keys, "agent.nk")}},
		{"untrusted-server", []string{"-tls-ca", k(other, "ca.pem"), "-tls-cert", k(keys, "agent.pem"), "-tls-key", k(keys, "agent-key.pem"), "-nkey", k(keys, "agent.nk")}},
	} {
		start := time.Now()
		r := agent(bad.name, bad.args...)
		if r.code == 0 || !strings.Contains(r.stderr, "refused") {
			t.Errorf("%s: exit %d, want a refusal\n%s\n%s", bad.name, r.code, r.stdout, r.stderr)
		}
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("%s: the refusal took %v (should not wait for the drain timeout)", bad.name, d)
		}
	}
	c.stop(t)
	log := c.stderr.String()
	for _, w := range []string{"authentication error", "TLS handshake error"} {
		if !strings.Contains(log, w) {
			t.Errorf("collector log has no %q line:\n%s", w, log)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "wrong-nkey")); err == nil {
		t.Error("records of a refused agent were stored")
	}
	sameRecords(t, "good agent", recordSet(t, filepath.Join(out, "good")), captureSet(t, pcap))
	sc := bufio.NewScanner(strings.NewReader(log))
	n := 0
	for sc.Scan() {
		if strings.Contains(sc.Text(), "authentication error") || strings.Contains(sc.Text(), "TLS handshake error") {
			n++
		}
	}
	t.Logf("collector logged %d refusals", n)
}
