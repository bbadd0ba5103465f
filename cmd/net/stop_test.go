package main

import (
	"bytes"
	"net"
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

// TestBPFOnFile: -bpf filters a file as tcpdump does: the UDP records are
// exactly the packets tcpdump matches, and nothing else gets through.
func TestBPFOnFile(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	tcpdump := testutil.Tool(t, "tcpdump", "tcpdump")
	out, err := exec.Command(tcpdump, "-nn", "-r", pcap, "udp port 53").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Count(string(out), "\n")
	dir := t.TempDir()
	mustNet(t, "capture", "-read", pcap, "-out", dir, "-quiet", "-bpf", "udp port 53")
	if n := strings.Count(mustNet(t, "dump", "-read", filepath.Join(dir, "UDP.ncap.gz")), "\n") - 1; n != want || n == 0 {
		t.Errorf("-bpf 'udp port 53': %d UDP records, tcpdump matches %d packets", n, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "TCP.ncap.gz")); err == nil {
		t.Error("-bpf 'udp port 53' let TCP through")
	}
	if r := netCmd(t, nil, "capture", "-read", pcap, "-out", t.TempDir(), "-bpf", "udp port"); r.code == 0 || !strings.Contains(r.stderr, "-bpf") {
		t.Errorf("bad -bpf: exit %d %q", r.code, r.stderr)
	}
}

// TestSecondInterrupt: a second SIGINT while the capture drains closes the
// files as they are and exits 130; whichever signal ends the run, every
// file left reads back without a truncation error.
func TestSecondInterrupt(t *testing.T) {
	one, err := os.ReadFile(testutil.Testdata(t, "mixed.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	// 200 copies of the packets behind one file header: enough work that
	// the second signal usually arrives while the workers drain.
	data := append([]byte{}, one...)
	for range 199 {
		data = append(data, one[24:]...)
	}
	out := t.TempDir()
	cmd := exec.Command(netBin, "capture", "-read", "-", "-out", out, "-quiet")
	stdin, _ := cmd.StdinPipe()
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { stdin.Write(data) }()
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	stdin.Close()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != 0 && code != 130 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if code == 130 && !strings.Contains(errb.String(), "second interrupt") {
		t.Errorf("exit 130 without the message: %q", errb.String())
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.ncap.gz"))
	for _, f := range files {
		if r := netCmd(t, nil, "dump", "-read", f); r.code != 0 || r.stderr != "" {
			t.Errorf("%s: exit %d %q", filepath.Base(f), r.code, r.stderr)
		}
	}
	t.Logf("exit %d, %d files valid", code, len(files))
}

// TestInterfacesList: -interfaces lists the machine's interfaces with
// their index and addresses, as net.Interfaces sees them.
func TestInterfacesList(t *testing.T) {
	out := mustNet(t, "capture", "-interfaces")
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) == 0 {
		t.Skip("no interfaces")
	}
	for _, i := range ifs {
		if !strings.Contains(out, " "+i.Name+" ") {
			t.Errorf("-interfaces lacks %s:\n%s", i.Name, out)
		}
	}
	if !strings.HasPrefix(out, "INDEX") {
		t.Errorf("no header:\n%s", out)
	}
	if r := netCmd(t, nil, "capture", "-iface", "no-such-interface0", "-out", t.TempDir()); r.code == 0 || !strings.Contains(r.stderr, "no-such-interface0") {
		t.Errorf("unknown interface: exit %d %q", r.code, r.stderr)
	}
}
