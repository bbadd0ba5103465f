package stream_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/types"
)

// sshByConn returns our SSH records as "client server ident hassh" lines,
// one per side, keyed by the connection's Flow and the side.
func sshByConn(t *testing.T, pcap string) map[string]*types.SSH {
	out := map[string]*types.SSH{}
	for _, m := range decodeCapture(t, pcap).Records(types.Type_NC_SSH) {
		r := m.(*types.SSH)
		out[fmt.Sprintf("%s %v", r.Flow, r.IsClient)] = r
	}
	return out
}

// TestHASSHAgainstZeek: for the 42 SSH connections of the HASSH project's
// test capture, both banners, HASSH and HASSHServer equal the Zeek hassh
// package's output (ssh_cut.log); SSH-1 connections have no HASSH ("-").
func TestHASSHAgainstZeek(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "hassh")
	log, err := os.ReadFile(filepath.Join(dir, "expected", "ssh_cut.log"))
	if err != nil {
		t.Skip(err)
	}
	ours := sshByConn(t, filepath.Join(dir, "ssh_zeek_test_pcaps.pcap"))
	n := 0
	for _, line := range strings.Split(string(log), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 8 || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		flow := fmt.Sprintf("%s->%s", joinHostPort(f[0], f[1]), joinHostPort(f[2], f[3]))
		for _, side := range []struct {
			client        bool
			banner, hassh string
		}{{true, f[4], f[6]}, {false, f[5], f[7]}} {
			r := ours[fmt.Sprintf("%s %v", flow, side.client)]
			if r == nil {
				t.Errorf("%s: no SSH record for the %s side", flow, map[bool]string{true: "client", false: "server"}[side.client])
				continue
			}
			want := side.hassh
			if want == "-" {
				want = ""
			}
			if r.Ident != side.banner || r.HASSH != want {
				t.Errorf("%s client=%v: banner %q HASSH %q, Zeek %q %q", flow, side.client, r.Ident, r.HASSH, side.banner, want)
			}
		}
	}
	if n != 42 {
		t.Fatalf("read %d connections from ssh_cut.log, want 42", n)
	}
}

func joinHostPort(h, p string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + p
	}
	return h + ":" + p
}

// TestSSHBannersAgainstTshark: every SSH version line tshark dissects is a
// record's Ident, side by side.
func TestSSHBannersAgainstTshark(t *testing.T) {
	for _, pcap := range []string{testutil.Testdata(t, "mixed.pcap")} {
		out, err := exec.Command(testutil.Tshark(t), "-r", pcap, "-n", "-Y", "ssh.protocol", "-T", "fields",
			"-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport", "-e", "ssh.protocol").Output()
		if err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Split(l, "\t")
			want = append(want, f[0]+":"+f[1]+" "+f[2]+":"+f[3]+" "+f[4])
		}
		for _, m := range decodeCapture(t, pcap).Records(types.Type_NC_SSH) {
			r := m.(*types.SSH)
			client, server, _ := strings.Cut(r.Flow, "->")
			if r.IsClient {
				got = append(got, client+" "+server+" "+r.Ident)
			} else {
				got = append(got, server+" "+client+" "+r.Ident)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("%s: banners\n ours %q\n tshark %q", pcap, got, want)
		}
	}
}
