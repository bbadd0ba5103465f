package resolvers

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestPortServiceKnown(t *testing.T) {
	for _, tc := range []struct {
		port      uint16
		transport string
		want      string
	}{
		{80, "tcp", "http"}, // not its aliases "www" or "www-http"
		{443, "tcp", "https"},
		{53, "udp", "domain"},
		{53, "tcp", "domain"},
		{22, "tcp", "ssh"},
		{502, "tcp", "mbap"},
		{44818, "tcp", "EtherNet-IP-2"}, // not the historic alias "EtherNet/IP-2"
		{44818, "udp", "EtherNet-IP-2"},
		{80, "sctp", "http"},
		{9, "dccp", "discard"},
		{80, "TCP", "http"},  // transport in any case
		{6010, "tcp", "x11"}, // inside the range 6000-6063
		{6667, "tcp", "ircu"},
		{6667, "udp", ""}, // ircu is registered on TCP only
		{4, "tcp", ""},    // unassigned
		{0, "tcp", ""},    // reserved
		{65535, "udp", ""},
		{53, "dccp", ""},
		{80, "icmp", ""}, // unknown transport
		{80, "", ""},
	} {
		if got := PortService(tc.port, tc.transport); got != tc.want {
			t.Errorf("PortService(%d, %q) = %q, want %q", tc.port, tc.transport, got, tc.want)
		}
	}
}

func TestPortServiceNoAllocs(t *testing.T) {
	PortService(80, "tcp")
	if n := testing.AllocsPerRun(100, func() {
		PortService(80, "tcp")
		PortService(44818, "UDP")
		PortService(4, "tcp")
	}); n != 0 {
		t.Errorf("%v allocations per lookup, want 0", n)
	}
}

// TestPortServiceAgainstSource checks every entry of the services file the
// table was generated from, when this machine has the same version of it:
// each port and transport resolves to the first name the file gives it.
func TestPortServiceAgainstSource(t *testing.T) {
	var path, want string
	text, err := gunzipString(portData)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(text, "\n") {
		if rest, ok := strings.CutPrefix(line, "# source: "); ok {
			f := strings.Fields(rest)
			path, want = f[0], strings.TrimPrefix(f[len(f)-1], "sha256=")
		}
	}
	if !strings.HasPrefix(path, "/") {
		t.Skipf("table made from %q, not a system services file", path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%v: cannot compare the port table with its source", err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want {
		t.Skipf("%s is not the version the table was made from (run make resolvers-data to regenerate)", path)
	}
	seen := map[string]bool{}
	checked := 0
	for line := range strings.SplitSeq(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		parts := strings.Split(f[1], "/")
		lo, hi, isRange := strings.Cut(parts[0], "-")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line %q", line)
		}
		for p := a; p <= b; p++ {
			for _, tr := range parts[1:] {
				if transportIndex(tr) < 0 {
					continue // e.g. AppleTalk's ddp in /etc/services
				}
				key := strconv.Itoa(p) + "/" + tr
				if seen[key] {
					continue
				}
				seen[key] = true
				checked++
				if got := PortService(uint16(p), tr); got != f[0] {
					t.Errorf("PortService(%d, %q) = %q, want %q", p, tr, got, f[0])
				}
			}
		}
	}
	t.Logf("%d port/transport names checked against %s", checked, path)
}
