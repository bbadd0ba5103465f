package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netcap-go/netcap/internal/testutil"
)

// serveTestServers runs, in the process TestMain starts inside the server
// network namespace, an HTTP server on :8080 and a DNS server on :53 that
// answers every A query with the server's address. It never returns.
func serveTestServers(addr string) {
	http.HandleFunc("/hello", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "hello from the namespace")
	})
	go func() {
		if err := http.ListenAndServe(addr+":8080", nil); err != nil {
			fmt.Fprintln(os.Stderr, "http:", err)
			os.Exit(1)
		}
	}()
	pc, err := net.ListenPacket("udp", addr+":53")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dns:", err)
		os.Exit(1)
	}
	ip := net.ParseIP(addr).To4()
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil || n < 12 {
			continue
		}
		q := buf[:n]
		// The question ends after its name's zero label and 4 bytes.
		end := 12
		for end < n && q[end] != 0 {
			end += int(q[end]) + 1
		}
		end += 5
		if end > n {
			continue
		}
		resp := append([]byte{}, q[:end]...)
		binary.BigEndian.PutUint16(resp[2:], 0x8180) // response, recursion available
		binary.BigEndian.PutUint16(resp[6:], 1)      // one answer
		binary.BigEndian.PutUint16(resp[8:], 0)      // no authority
		binary.BigEndian.PutUint16(resp[10:], 0)     // no additional (drops EDNS)
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1)    // name pointer, A, IN
		resp = append(resp, 0, 0, 0, 60, 0, 4)       // TTL 60, 4 bytes
		resp = append(resp, ip...)
		pc.WriteTo(resp, from)
	}
}

// netns runs a command inside a network namespace.
func netns(t *testing.T, ns string, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s in %s: %v\n%s", strings.Join(args, " "), ns, err, out)
	}
	return string(out)
}

// vethPair creates two namespaces joined by a veth pair: client 10.201.0.1
// on cli, server 10.201.0.2 on srv. They are removed when the test ends.
func vethPair(t *testing.T) (cli, srv, cliIf string) {
	t.Helper()
	id := os.Getpid() % 100000
	cli, srv = fmt.Sprintf("ncc%d", id), fmt.Sprintf("ncs%d", id)
	cliIf, srvIf := fmt.Sprintf("vc%d", id), fmt.Sprintf("vs%d", id)
	run := func(args ...string) {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", cli)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", cli).Run() })
	run("netns", "add", srv)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", srv).Run() })
	run("link", "add", cliIf, "netns", cli, "type", "veth", "peer", "name", srvIf, "netns", srv)
	run("-n", cli, "addr", "add", "10.201.0.1/24", "dev", cliIf)
	run("-n", srv, "addr", "add", "10.201.0.2/24", "dev", srvIf)
	for _, nl := range [][2]string{{cli, cliIf}, {srv, srvIf}, {cli, "lo"}, {srv, "lo"}} {
		run("-n", nl[0], "link", "set", nl[1], "up")
	}
	return cli, srv, cliIf
}

// liveCapture starts net capture on iface inside ns, lets traffic run,
// then stops it with SIGINT and returns the output directory.
func liveCapture(t *testing.T, ns, iface string, traffic func(), extra ...string) string {
	t.Helper()
	out := t.TempDir()
	args := append([]string{"netns", "exec", ns, netBin, "capture", "-iface", iface, "-out", out, "-stats-interval", "1s"}, extra...)
	cmd := exec.Command("ip", args...)
	var outb, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the socket is open and bound
	traffic()
	time.Sleep(1500 * time.Millisecond) // the last packets reach the ring
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("capture exit after SIGINT: %v\n%s", err, errb.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("capture did not stop on SIGINT\n%s", errb.String())
	}
	if strings.Contains(errb.String(), "panic") {
		t.Fatalf("capture: %s", errb.String())
	}
	// The periodic stats line (stderr is not a terminal here) and the
	// summary report the drop counters.
	if !strings.Contains(errb.String(), "kernel drops 0, interface drops 0") {
		t.Errorf("no stats line with drop counters:\n%s", errb.String())
	}
	if !strings.Contains(outb.String(), "dropped by the kernel (ring full)") {
		t.Errorf("summary without drop counters:\n%s", outb.String())
	}
	return out
}

// records returns the JSON lines of one record type's file, and checks
// that every file of the directory reads back cleanly.
func liveRecords(t *testing.T, dir string) map[string][]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.ncap.gz"))
	out := map[string][]string{}
	for _, f := range files {
		r := netCmd(t, nil, "dump", "-read", f, "-json")
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%s: exit %d, %q", filepath.Base(f), r.code, r.stderr)
		}
		typ := strings.TrimSuffix(filepath.Base(f), ".ncap.gz")
		for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if l != "" {
				out[typ] = append(out[typ], l)
			}
		}
	}
	return out
}

// TestLiveCapture captures on one end of a veth pair between two network
// namespaces while ping, curl (to an HTTP server) and dig (to a DNS
// server) run across it; then again with -bpf 'udp port 53'.
func TestLiveCapture(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root (network namespaces and AF_PACKET): skipping")
	}
	testutil.Tool(t, "ip", "iproute2")
	testutil.Tool(t, "ping", "iputils-ping")
	testutil.Tool(t, "curl", "curl")
	testutil.Tool(t, "dig", "dnsutils")
	cli, srv, cliIf := vethPair(t)

	servers := exec.Command("ip", "netns", "exec", srv, os.Args[0])
	servers.Env = append(os.Environ(), "NETCAP_TEST_SERVERS=10.201.0.2")
	if err := servers.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { servers.Process.Kill(); servers.Wait() })
	time.Sleep(500 * time.Millisecond)

	traffic := func() {
		netns(t, cli, "ping", "-c", "3", "-i", "0.2", "10.201.0.2")
		if out := netns(t, cli, "curl", "-s", "http://10.201.0.2:8080/hello"); !strings.Contains(out, "hello from the namespace") {
			t.Fatalf("curl: %q", out)
		}
		if out := netns(t, cli, "dig", "+short", "+tries=1", "+time=2", "@10.201.0.2", "www.netcap.test", "A"); strings.TrimSpace(out) != "10.201.0.2" {
			t.Fatalf("dig: %q", out)
		}
	}

	recs := liveRecords(t, liveCapture(t, cli, cliIf, traffic))
	has := func(typ, sub string) bool {
		for _, l := range recs[typ] {
			if strings.Contains(l, sub) {
				return true
			}
		}
		return false
	}
	if n := len(recs["ICMPv4"]); n < 6 {
		t.Errorf("%d ICMPv4 records, want the 3 echo requests and 3 replies", n)
	}
	if !has("TCP", `"DstPort":8080`) || !has("HTTP", `"URL":"/hello"`) || !has("HTTP", `"StatusCode":200`) {
		t.Errorf("TCP/HTTP records missing:\nTCP %d\nHTTP %v", len(recs["TCP"]), recs["HTTP"])
	}
	if !has("DNS", "www.netcap.test") || !has("DNS", `"IP":"10.201.0.2"`) {
		t.Errorf("DNS records: %v", recs["DNS"])
	}
	if !has("Connection", `"ApplicationProto":"HTTP"`) || !has("Connection", `"ApplicationProto":"DNS"`) || !has("Connection", `"TransportProto":"ICMPv4"`) {
		t.Errorf("Connection records: %v", recs["Connection"])
	}

	// With a filter only the DNS exchange is captured.
	recs = liveRecords(t, liveCapture(t, cli, cliIf, traffic, "-bpf", "udp port 53"))
	for typ := range recs {
		switch typ {
		case "Ethernet", "IPv4", "UDP", "DNS", "Connection", "Flow", "IPProfile", "DeviceProfile", "Service":
		default:
			t.Errorf("-bpf 'udp port 53' let %s records through: %v", typ, recs[typ])
		}
	}
	if len(recs["DNS"]) < 2 || len(recs["UDP"]) != len(recs["DNS"]) {
		t.Errorf("-bpf 'udp port 53': %d DNS and %d UDP records", len(recs["DNS"]), len(recs["UDP"]))
	}
}

// TestLiveCaptureSafety: a live capture killed with SIGKILL has flushed
// what it decoded (every -flush-interval), and one writing into a full
// tmpfs stops at once with exit status 1, naming the file.
func TestLiveCaptureSafety(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("live capture test needs root (network namespaces, AF_PACKET, tmpfs): skipping")
	}
	testutil.Tool(t, "ip", "iproute2")
	testutil.Tool(t, "ping", "iputils-ping")
	cli, _, cliIf := vethPair(t)
	start := func(out string) *exec.Cmd {
		cmd := exec.Command("ip", "netns", "exec", cli, netBin, "capture", "-iface", cliIf, "-out", out, "-quiet", "-flush-interval", "200ms")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond) // the socket is open and bound
		return cmd
	}

	out := t.TempDir()
	cmd := start(out)
	netns(t, cli, "ping", "-c", "5", "-i", "0.2", "10.201.0.2")
	time.Sleep(time.Second)
	cmd.Process.Kill()
	cmd.Wait()
	netCmd(t, nil, "util", "-check", "-repair", "-read", out)
	icmp := filepath.Join(out, "ICMPv4.ncap.gz")
	if rep := strings.Replace(icmp, ".ncap.gz", ".repaired.ncap.gz", 1); fileExists(rep) {
		icmp = rep
	}
	if n := len(recordHashes(t, icmp)); n < 10 {
		t.Errorf("%d ICMPv4 records readable after kill -9, want the 5 echo requests and replies", n)
	}

	mnt := t.TempDir()
	if b, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, b)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	cmd = start(mnt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	flood := exec.Command("ip", "netns", "exec", cli, "ping", "-f", "-c", "50000", "-s", "1000", "10.201.0.2")
	flood.Start()
	defer func() { flood.Process.Kill(); flood.Wait() }()
	select {
	case err := <-done:
		ee, ok := err.(*exec.ExitError)
		stderr := cmd.Stderr.(*bytes.Buffer).String()
		if !ok || ee.ExitCode() != 1 || !strings.Contains(stderr, "no space left on device") || !strings.Contains(stderr, mnt+"/") {
			t.Errorf("live capture on a full disk: %v\n%s", err, stderr)
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the live capture did not stop on a full disk")
	}
}
