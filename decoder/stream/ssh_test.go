package stream_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/streamtest"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// sshByConn returns our SSH records as "client server ident hassh" lines,
// one per side, keyed by the connection's Flow and the side.
func sshByConn(t *testing.T, pcap string) map[string]*types.SSH {
	out := map[string]*types.SSH{}
	for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_SSH) {
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
		flow := fmt.Sprintf("%s->%s", streamtest.JoinHostPort(f[0], f[1]), streamtest.JoinHostPort(f[2], f[3]))
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

// TestSSHBannersAgainstTshark: every SSH version line tshark dissects is a
// record's Ident, side by side.
func TestSSHBannersAgainstTshark(t *testing.T) {
	for _, pcap := range []string{testutil.Testdata(t, "mixed.pcap")} {
		var want, got []string
		for _, fr := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: "ssh.protocol",
			Fields: []string{"ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "ssh.protocol"}}) {
			f := fr.Row()
			want = append(want, f[0]+":"+f[1]+" "+f[2]+":"+f[3]+" "+f[4])
		}
		for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_SSH) {
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

// sshSides returns, per "client server" endpoint pair (client side first),
// our HASSH and HASSHServer.
func sshSides(t *testing.T, pcap string) map[string][2]string {
	out := map[string][2]string{}
	for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_SSH) {
		r := m.(*types.SSH)
		client, server, _ := strings.Cut(r.Flow, "->")
		k := client + " " + server
		v := out[k]
		if r.IsClient {
			v[0] = r.HASSH
		} else {
			v[1] = r.HASSH
		}
		out[k] = v
	}
	return out
}

// TestHASSHAgainstOtherImplementations: HASSH and HASSHServer equal those
// of FoxIO's JA4 reference (Rust snapshots, ssh_extras), Arkime, nDPI and
// Suricata-verify, on their captures.
func TestHASSHAgainstOtherImplementations(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public")
	compared := 0
	check := func(source, pcap, client, server, hassh, hasshServer string) {
		got, ok := sshSides(t, pcap)[client+" "+server]
		if !ok {
			t.Errorf("%s %s: no SSH records for %s -> %s", source, filepath.Base(pcap), client, server)
			return
		}
		compared++
		if got[0] != hassh || got[1] != hasshServer {
			t.Errorf("%s %s %s -> %s: HASSH %s/%s, want %s/%s", source, filepath.Base(pcap), client, server, got[0], got[1], hassh, hasshServer)
		}
	}
	// JA4 reference snapshots: entries with ssh_extras.
	snaps, _ := filepath.Glob(filepath.Join(dir, "ja4", "expected", "rust-snapshots", "*.snap"))
	for _, snap := range snaps {
		data, _ := os.ReadFile(snap)
		if !strings.Contains(string(data), "hassh") {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(snap), "ja4__insta@"), ".snap")
		pcap := filepath.Join(dir, "ja4", "pcap", name)
		for _, entry := range strings.Split(string(data), "\n- ") {
			kv := map[string]string{}
			for _, line := range strings.Split(entry, "\n") {
				if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok {
					kv[k] = v
				}
			}
			if kv["hassh"] == "" && kv["hassh_server"] == "" {
				continue
			}
			for _, k := range []string{"hassh", "hassh_server"} {
				if kv[k] == "null" { // SSH 1: no key exchange offer
					kv[k] = ""
				}
			}
			check("JA4 reference", pcap, streamtest.JoinHostPort(kv["src"], kv["src_port"]), streamtest.JoinHostPort(kv["dst"], kv["dst_port"]), kv["hassh"], kv["hassh_server"])
		}
	}
	// Arkime: session JSON, ssh.hassh and ssh.hasshServer.
	tests, _ := filepath.Glob(filepath.Join(dir, "arkime", "*.test"))
	for _, test := range tests {
		data, _ := os.ReadFile(test)
		var doc struct {
			Sessions []struct {
				Body struct {
					Source struct {
						IP   string
						Port int
					} `json:"source"`
					Destination struct {
						IP   string
						Port int
					} `json:"destination"`
					SSH *struct {
						HASSH       []string `json:"hassh"`
						HASSHServer []string `json:"hasshServer"`
					} `json:"ssh"`
				} `json:"body"`
			} `json:"sessions3"`
		}
		if json.Unmarshal(data, &doc) != nil {
			continue
		}
		for _, s := range doc.Sessions {
			b := s.Body
			if b.SSH == nil || len(b.SSH.HASSH) != 1 || len(b.SSH.HASSHServer) != 1 {
				continue
			}
			check("Arkime", strings.TrimSuffix(test, ".test")+".pcap", streamtest.JoinHostPort(b.Source.IP, fmt.Sprint(b.Source.Port)),
				streamtest.JoinHostPort(b.Destination.IP, fmt.Sprint(b.Destination.Port)), b.SSH.HASSH[0], b.SSH.HASSHServer[0])
		}
	}
	// nDPI: [HASSH-C: …][HASSH-S: …] on the flow line of ssh.pcap.
	out, _ := os.ReadFile(filepath.Join(dir, "ndpi", "expected", "ssh.pcap.out"))
	flowRE := regexp.MustCompile(`TCP (\S+) <-> (\S+) .*\[HASSH-C: ([0-9a-f]+)\]\[HASSH-S: ([0-9a-f]+)\]`)
	for _, m := range flowRE.FindAllStringSubmatch(string(out), -1) {
		check("nDPI", filepath.Join(dir, "ndpi", "ssh.pcap"), m[1], m[2], m[3], m[4])
	}
	// Suricata-verify: eve.json expectations.
	yaml, _ := os.ReadFile(filepath.Join(dir, "suricata-verify", "ssh-hassh", "test.yaml"))
	var sc, ss string
	for _, line := range strings.Split(string(yaml), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ssh.client.hassh.hash: "); ok {
			sc = strings.Trim(v, `"`)
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ssh.server.hassh.hash: "); ok {
			ss = strings.Trim(v, `"`)
		}
	}
	if sc != "" {
		sides := sshSides(t, filepath.Join(dir, "suricata-verify", "ssh-hassh", "input.pcap"))
		found := false
		for _, v := range sides {
			found = found || v == [2]string{sc, ss}
		}
		compared++
		if !found {
			t.Errorf("Suricata-verify ssh-hassh: %s/%s not among %v", sc, ss, sides)
		}
	}
	if compared < 10 {
		t.Errorf("only %d HASSH pairs compared", compared)
	}
	t.Logf("%d HASSH pairs equal those of the JA4 reference, Arkime, nDPI and Suricata", compared)
}
