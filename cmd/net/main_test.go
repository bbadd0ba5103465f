package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netcap-go/netcap/internal/testutil"
)

var netBin string

// TestMain builds the net binary once; the tests run it as users do.
func TestMain(m *testing.M) {
	if addr := os.Getenv("NETCAP_TEST_SERVERS"); addr != "" {
		serveTestServers(addr) // started by TestLiveCapture in a namespace
	}
	dir, err := os.MkdirTemp("", "netbin")
	if err != nil {
		panic(err)
	}
	netBin = filepath.Join(dir, "net")
	// NETCAP_TEST_BUILD_TAGS=pcap tests the libpcap build instead.
	build := []string{"build", "-o", netBin}
	if tags := os.Getenv("NETCAP_TEST_BUILD_TAGS"); tags != "" {
		build = append(build, "-tags", tags)
	}
	if out, err := exec.Command("go", append(build, ".")...).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building net: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
	state          *os.ProcessState
}

func netCmd(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	return netCmdWith(t, stdin, nil, args...)
}

// netCmdEnv runs net with extra environment variables.
func netCmdEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	return netCmdWith(t, nil, env, args...)
}

func netCmdWith(t *testing.T, stdin []byte, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(netBin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	return runNetCmd(t, cmd, stdin)
}

// netCmdIn runs net in the working directory dir.
func netCmdIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(netBin, args...)
	cmd.Dir = dir
	return runNetCmd(t, cmd, nil)
}

func runNetCmd(t *testing.T, cmd *exec.Cmd, stdin []byte) result {
	t.Helper()
	args := cmd.Args[1:]
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(errb.String(), "goroutine ") || strings.Contains(errb.String(), "panic:") {
		t.Fatalf("net %s panicked:\n%s", strings.Join(args, " "), errb.String())
	}
	return result{out.String(), errb.String(), code, cmd.ProcessState}
}

func mustNet(t *testing.T, args ...string) string {
	t.Helper()
	r := netCmd(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("net %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// dumpAll returns every record of every file in dir as sorted JSON lines,
// prefixed by the file name: a multiset to compare runs with.
func dumpAll(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ncap*"))
	var lines []string
	for _, f := range files {
		for _, l := range strings.Split(strings.TrimSpace(mustNet(t, "dump", "-read", f, "-json")), "\n") {
			lines = append(lines, filepath.Base(f)+" "+l)
		}
	}
	slices.Sort(lines)
	return lines
}

// TestFlagStyles: Netcap's single-dash long flags, GNU long flags and
// shorthands give the same records.
func TestFlagStyles(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", a, "-quiet")
	mustNet(t, "capture", "--read", pcap, "--out", b, "--quiet")
	mustNet(t, "capture", "-r", pcap, "-o", c, "-q")
	da := dumpAll(t, a)
	if len(da) < 1900 {
		t.Fatalf("only %d records", len(da))
	}
	if !slices.Equal(da, dumpAll(t, b)) || !slices.Equal(da, dumpAll(t, c)) {
		t.Fatal("flag styles give different records")
	}
}

// TestWorkersDeterministic: 1 and 8 workers, and two runs, give the same
// multiset of records.
func TestWorkersDeterministic(t *testing.T) {
	for _, name := range []string{"mixed.pcap", "mixed.pcapng"} {
		pcap := testutil.Testdata(t, name)
		one, eight, again := t.TempDir(), t.TempDir(), t.TempDir()
		mustNet(t, "capture", "-read", pcap, "-out", one, "-workers", "1", "-quiet")
		mustNet(t, "capture", "-read", pcap, "-out", eight, "-workers", "8", "-quiet")
		mustNet(t, "capture", "-read", pcap, "-out", again, "-workers", "8", "-quiet")
		d1 := dumpAll(t, one)
		if !slices.Equal(d1, dumpAll(t, eight)) || !slices.Equal(d1, dumpAll(t, again)) {
			t.Fatalf("%s: -workers 1 and -workers 8 differ", name)
		}
	}
}

// TestCaptureFilesAndSummary checks the files written and the summary.
func TestCaptureFilesAndSummary(t *testing.T) {
	out := t.TempDir()
	stdout := mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", out)
	for _, want := range []string{"packets read  652", "TCP", "total records", "packets/s"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"Ethernet", "IPv4", "IPv6", "TCP", "UDP", "ICMPv4", "ICMPv6", "ICMPv6Echo"} {
		if _, err := os.Stat(filepath.Join(out, f+".ncap.gz")); err != nil {
			t.Errorf("missing %s.ncap.gz", f)
		}
	}
	// No empty files: every file holds at least one record.
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	for _, f := range files {
		if n := strings.Count(mustNet(t, "dump", "-read", f), "\n"); n < 2 {
			t.Errorf("%s holds no record", f)
		}
	}
	// -include keeps only the named types; a type with no record leaves no file.
	inc := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", inc, "-include", "UDP,ARP", "-quiet")
	files, _ = filepath.Glob(filepath.Join(inc, "*"))
	if len(files) != 1 || filepath.Base(files[0]) != "UDP.ncap.gz" {
		t.Errorf("-include UDP,ARP wrote %v", files)
	}
	// -payload marks the files in their header.
	pay := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", pay, "-include", "UDP", "-payload", "-quiet")
	if h := mustNet(t, "dump", "-read", filepath.Join(pay, "UDP.ncap.gz"), "-header"); !strings.Contains(h, "true") {
		t.Errorf("-payload: header does not say ContainsPayloads:\n%s", h)
	}
	r := netCmd(t, nil, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", t.TempDir(), "-include", "Nope")
	if r.code == 0 || !strings.Contains(r.stderr, "unknown decoder") {
		t.Errorf("-include Nope: exit %d, %q", r.code, r.stderr)
	}
}

// TestCompressionOptions: plain, gzip and zstd files hold the same records.
func TestCompressionOptions(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	gz, plain, zst := t.TempDir(), t.TempDir(), t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", gz, "-quiet")
	mustNet(t, "capture", "-read", pcap, "-out", plain, "-compress=false", "-quiet")
	mustNet(t, "capture", "-read", pcap, "-out", zst, "-compression", "zstd", "-quiet")
	if _, err := os.Stat(filepath.Join(plain, "TCP.ncap")); err != nil {
		t.Fatal("-compress=false did not write TCP.ncap")
	}
	if _, err := os.Stat(filepath.Join(zst, "TCP.ncap.zst")); err != nil {
		t.Fatal("-compression zstd did not write TCP.ncap.zst")
	}
	strip := func(lines []string) []string {
		out := make([]string, len(lines))
		for i, l := range lines {
			_, rest, _ := strings.Cut(l, " ")
			out[i] = strings.SplitN(l, ".", 2)[0] + " " + rest
		}
		slices.Sort(out)
		return out
	}
	g := strip(dumpAll(t, gz))
	if !slices.Equal(g, strip(dumpAll(t, plain))) || !slices.Equal(g, strip(dumpAll(t, zst))) {
		t.Fatal("compressions give different records")
	}
}

// TestStdin reads the capture from standard input.
func TestStdin(t *testing.T) {
	data, _ := os.ReadFile(testutil.Testdata(t, "mixed.pcapng"))
	a, b := t.TempDir(), t.TempDir()
	r := netCmd(t, data, "capture", "-read", "-", "-out", a, "-quiet")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcapng"), "-out", b, "-quiet")
	if !slices.Equal(dumpAll(t, a), dumpAll(t, b)) {
		t.Fatal("stdin and file differ")
	}
}

// TestDumpOutputs checks CSV, -select, -fields, -header, JSON and TSV.
func TestDumpOutputs(t *testing.T) {
	out := t.TempDir()
	// One worker keeps the records of a file in packet order.
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", out, "-quiet", "-workers", "1")
	tcp := filepath.Join(out, "TCP.ncap.gz")

	csv := strings.Split(strings.TrimSpace(mustNet(t, "dump", "-read", tcp)), "\n")
	if len(csv) != 613 || !strings.HasPrefix(csv[0], "Timestamp,SrcPort,DstPort,SeqNum,AckNum") {
		t.Fatalf("CSV: %d lines, header %q", len(csv), csv[0])
	}
	sel := strings.Split(strings.TrimSpace(mustNet(t, "dump", "-read", tcp, "-select", "Timestamp,SrcPort,DstPort", "-utc")), "\n")
	if sel[0] != "Timestamp,SrcPort,DstPort" || !strings.HasPrefix(sel[1], "2026-11-26T11:52:01.078031000Z,48452,80") {
		t.Fatalf("-select -utc: %q %q", sel[0], sel[1])
	}
	ep := strings.Split(mustNet(t, "dump", "-read", tcp, "-select", "Timestamp", "-epoch"), "\n")
	if ep[1] != "1795693921078031000" {
		t.Fatalf("-epoch: %q", ep[1])
	}
	if f := strings.TrimSpace(mustNet(t, "dump", "-read", tcp, "-fields")); !strings.HasPrefix(f, "Timestamp,SrcPort,DstPort,SeqNum") || strings.Count(f, ",") != 25 {
		t.Fatalf("-fields: %q", f)
	}
	hdr := mustNet(t, "dump", "-read", tcp, "-header")
	for _, w := range []string{"Created", "Source", "Version", "Type", "ContainsPayloads", "mixed.pcap", "TCP", "false"} {
		if !strings.Contains(hdr, w) {
			t.Errorf("-header lacks %q:\n%s", w, hdr)
		}
	}
	tsv := strings.Split(mustNet(t, "dump", "-read", tcp, "-tsv"), "\n")
	if strings.Count(tsv[0], "\t") != 25 {
		t.Fatalf("TSV header %q", tsv[0])
	}
	// JSON: one object per line, every field present, 64-bit integers as numbers.
	lines := strings.Split(strings.TrimSpace(mustNet(t, "dump", "-read", tcp, "-json")), "\n")
	if len(lines) != 612 {
		t.Fatalf("%d JSON lines", len(lines))
	}
	dec := json.NewDecoder(strings.NewReader(lines[0]))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	if len(obj) != 26 {
		t.Errorf("JSON object has %d keys, want all 26 fields: %v", len(obj), obj)
	}
	if n, ok := obj["Timestamp"].(json.Number); !ok || n.String() != "1795693921078031000" {
		t.Errorf("Timestamp %v (%T), want the number 1795693921078031000", obj["Timestamp"], obj["Timestamp"])
	}
	if obj["FIN"] != false || obj["Payload"] != "" {
		t.Errorf("zero values missing: FIN=%v Payload=%v", obj["FIN"], obj["Payload"])
	}
	// A directory dumps every file in it.
	all := mustNet(t, "dump", "-read", out, "-json")
	if n := strings.Count(all, "\n"); n < 1900 {
		t.Errorf("dump of the directory: %d lines", n)
	}
	r := netCmd(t, nil, "dump", "-read", tcp, "-select", "Nope")
	if r.code == 0 || !strings.Contains(r.stderr, "SrcPort") {
		t.Errorf("-select Nope: exit %d, %q", r.code, r.stderr)
	}
}

// TestBadInput: a missing file, a non-pcap, a bad header, a directory give
// a one-line error and a non-zero exit; a truncated pcap gives the records
// before the cut, a warning and exit 0.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "text.pcap")
	os.WriteFile(text, []byte("GET / HTTP/1.1\r\nHost: example\r\n\r\n"), 0o644)
	pcap, _ := os.ReadFile(testutil.Testdata(t, "mixed.pcap"))
	bad := filepath.Join(dir, "bad.pcap")
	b := append([]byte(nil), pcap...)
	b[4] = 7 // version 7.4
	os.WriteFile(bad, b, 0o644)
	for _, in := range []string{filepath.Join(dir, "missing.pcap"), text, bad, dir} {
		r := netCmd(t, nil, "capture", "-read", in, "-out", t.TempDir())
		if r.code == 0 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "net: ") {
			t.Errorf("%s: exit %d, stderr %q", in, r.code, r.stderr)
		}
	}
	r := netCmd(t, nil, "dump", "-read", text)
	if r.code == 0 || !strings.Contains(r.stderr, "not a netcap record file") {
		t.Errorf("dump of a non-record file: exit %d, %q", r.code, r.stderr)
	}

	cut := filepath.Join(dir, "cut.pcap")
	os.WriteFile(cut, pcap[:len(pcap)/2], 0o644)
	out := t.TempDir()
	r = netCmd(t, nil, "capture", "-read", cut, "-out", out)
	if r.code != 0 || !strings.Contains(r.stderr, "warning") || !strings.Contains(r.stderr, "truncated") {
		t.Fatalf("truncated pcap: exit %d, stderr %q", r.code, r.stderr)
	}
	eth := strings.Count(mustNet(t, "dump", "-read", filepath.Join(out, "Ethernet.ncap.gz")), "\n") - 1
	if eth < 100 || eth >= 652 {
		t.Fatalf("truncated pcap: %d Ethernet records", eth)
	}
}

// TestInterruptLeavesValidFiles: SIGINT while reading from a pipe that
// stays open stops the capture; every file it leaves reads back without a
// truncation warning.
func TestInterruptLeavesValidFiles(t *testing.T) {
	pcap, _ := os.ReadFile(testutil.Testdata(t, "mixed.pcap"))
	out := t.TempDir()
	cmd := exec.Command(netBin, "capture", "-read", "-", "-out", out, "-quiet")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Write(pcap) // all packets, but the pipe stays open: more could come
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		// the input was not read to its end: 130, and it says so
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 || !strings.Contains(errb.String(), "interrupted by SIGINT after 652 packets") {
			t.Fatalf("exit after SIGINT: %v (want status 130)\n%s", err, errb.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("capture did not stop on SIGINT")
	}
	stdin.Close()
	files, _ := filepath.Glob(filepath.Join(out, "*.ncap.gz"))
	if len(files) == 0 {
		t.Fatal("no files after SIGINT")
	}
	for _, f := range files {
		r := netCmd(t, nil, "dump", "-read", f)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%s after SIGINT: exit %d, %q", f, r.code, r.stderr)
		}
	}
	if n := strings.Count(mustNet(t, "dump", "-read", filepath.Join(out, "Ethernet.ncap.gz")), "\n") - 1; n != 652 {
		t.Errorf("%d Ethernet records after SIGINT, want the 652 written before it", n)
	}
}

// TestDecodersList prints every decoder with its group and field count.
func TestDecodersList(t *testing.T) {
	out := mustNet(t, "capture", "-decoders")
	for _, w := range []string{"GoPacket", "TCP", "26 fields", "Ethernet", "IPSecESP"} {
		if !strings.Contains(out, w) {
			t.Errorf("-decoders lacks %q:\n%s", w, out)
		}
	}
	if v := mustNet(t, "--version"); !strings.Contains(v, "net version") {
		t.Errorf("--version: %q", v)
	}
}
