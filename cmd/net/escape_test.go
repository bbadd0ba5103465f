package main

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// escapeSender sends, from 127.0.0.1, a DNS query whose first label is 20
// bytes of binary (bytes that are not UTF-8, C0 and C1 controls, a
// backslash, a dot, a quote, a comma, a TAB) and a DHCP Discover whose
// option 61 (client identifier) holds 0x01 0x82 0xfc and option 12 (host
// name) "h\x" and a newline.
const escapeSender = `
import socket
label = bytes([0, 1, 2, 0x82, 0xfc, 0xff, 0x5c, 0x2e, 0x0a, 0x7f, 0xc2, 0x85, 0xe9, 0x41, 0x42, 0x20, 0x22, 0x2c, 0x09, 0x80])
query = bytes.fromhex("123401000001000000000000") + bytes([len(label)]) + label + b"\x07example\x00\x00\x01\x00\x01"
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(query, ("127.0.0.1", 53))
d = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
d.bind(("127.0.0.1", 68))
discover = (bytes([1, 1, 6, 0]) + bytes.fromhex("12345678") + bytes(20) + bytes.fromhex("020000000001") + bytes(202) +
            bytes([99, 130, 83, 99, 53, 1, 1, 61, 3, 0x01, 0x82, 0xfc, 12, 4]) + b"h\\x\n" + bytes([255]))
d.sendto(discover, ("127.0.0.1", 67))
`

// The records' escaped forms of what escapeSender sends.
const (
	escapedQName    = `\x00\x01\x02\x82\xfc\xff\\.\x0a\x7f\xc2\x85\xe9AB ",\x09\x80.example`
	escapedClientID = `\x01\x82\xfc`
	escapedHostName = `h\\x\x0a`
)

// TestWireBytesEscaped: the examples on real packets. python3
// sends them inside a network namespace, dumpcap captures them, net
// capture reads the file. A binary DNS label used to become one U+FFFD and
// DHCP option 61's 0x82 0xfc ef bf bd; now every byte is in the record,
// escaped (\xNN, \\), equal once unescaped to the bytes tshark dissects in
// the same packets; and net dump prints each record on one line in CSV and
// TSV although the values hold newlines, TABs, quotes and commas.
func TestWireBytesEscaped(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (a network namespace and a capture): skipping")
	}
	testutil.Tool(t, "ip", "iproute2")
	testutil.Tool(t, "python3", "python3")
	dumpcap := testutil.Tool(t, "dumpcap", "tshark")
	testutil.Tshark(t)
	pcap := captureInNamespace(t, dumpcap, "udp port 53 or udp port 67", 2, escapeSender)
	out := t.TempDir()
	if r := netCmd(t, nil, "capture", "-read", pcap, "-out", out, "-include", "DNS,DHCPv4"); r.code != 0 {
		t.Fatalf("capture: exit %d\n%s", r.code, r.stderr)
	}

	dns := readRecordsOf(t, filepath.Join(out, "DNS.ncap.gz"), func() *types.DNS { return &types.DNS{} })
	if len(dns) != 1 || len(dns[0].Questions) != 1 {
		t.Fatalf("DNS records %v", dns)
	}
	name := dns[0].Questions[0].Name
	if name != escapedQName {
		t.Errorf("DNS name %q, want %q", name, escapedQName)
	}
	if raw, length := tsharkQName(t, pcap); unescape(t, name) != raw || len(unescape(t, name)) != length {
		t.Errorf("DNS name %q unescapes to %q, tshark dissects %q (length %d)", name, unescape(t, name), raw, length)
	}

	dhcp := readRecordsOf(t, filepath.Join(out, "DHCPv4.ncap.gz"), func() *types.DHCPv4 { return &types.DHCPv4{} })
	if len(dhcp) != 1 {
		t.Fatalf("%d DHCPv4 records", len(dhcp))
	}
	want := map[int32]string{61: escapedClientID, 12: escapedHostName}
	values := tsharkFields(t, pcap, "dhcp", "dhcp.option.value")
	for _, o := range dhcp[0].Options {
		if w, ok := want[o.Type]; ok {
			if o.Data != w {
				t.Errorf("DHCP option %d: %q, want %q", o.Type, o.Data, w)
			}
			if v := hex.EncodeToString([]byte(unescape(t, o.Data))); !slices.Contains(values, v) {
				t.Errorf("DHCP option %d: %s unescaped, tshark's option values %v", o.Type, v, values)
			}
			delete(want, o.Type)
		}
	}
	if len(want) > 0 {
		t.Errorf("options %v missing in %v", want, dhcp[0].Options)
	}

	for _, f := range []string{"DNS.ncap.gz", "DHCPv4.ncap.gz"} {
		for _, sep := range []rune{',', '\t'} {
			checkOneLinePerRecord(t, filepath.Join(out, f), sep)
		}
	}
}

// captureInNamespace runs script (python3) in a new network namespace
// while dumpcap captures n packets matching filter on its loopback, and
// returns the capture file.
func captureInNamespace(t *testing.T, dumpcap, filter string, n int, script string) string {
	t.Helper()
	ns := fmt.Sprintf("ncesc%d", os.Getpid()%100000)
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	netns(t, ns, "ip", "link", "set", "lo", "up")
	pcap := filepath.Join(t.TempDir(), "escape.pcap")
	cmd := exec.Command("ip", "netns", "exec", ns, dumpcap, "-q", "-P", "-i", "lo", "-f", filter, "-c", fmt.Sprint(n), "-w", pcap)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if st, err := os.Stat(pcap); err == nil && st.Size() > 0 {
			break // dumpcap wrote the file header: it captures
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("dumpcap did not start: %s", stderr.String())
		}
	}
	netns(t, ns, "python3", "-c", script)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("dumpcap: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Signal(syscall.SIGINT)
		<-done
		t.Fatalf("dumpcap did not see %d packets: %s", n, stderr.String())
	}
	return pcap
}

// tsharkQName returns the DNS query name of the capture's first query as
// its bytes (tshark's own rendering replaces bytes that are not UTF-8, so
// the name is read from the field's raw bytes: labels joined with dots)
// and tshark's name length.
func tsharkQName(t *testing.T, pcap string) (string, int) {
	t.Helper()
	out := tsharktest.Run(t, "-r", pcap, "-Y", "dns", "-T", "json", "-x")
	var doc any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	raw, _ := jsonField(doc, "dns.qry.name_raw").([]any)
	lenText, _ := jsonField(doc, "dns.qry.name.len").(string)
	if len(raw) == 0 {
		t.Fatalf("no dns.qry.name_raw in tshark's output")
	}
	wire, err := hex.DecodeString(fmt.Sprint(raw[0]))
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for len(wire) > 0 && wire[0] != 0 && int(wire[0]) < len(wire) {
		labels = append(labels, string(wire[1:1+wire[0]]))
		wire = wire[1+wire[0]:]
	}
	var length int
	fmt.Sscan(lenText, &length)
	return strings.Join(labels, "."), length
}

// jsonField finds the first value of key anywhere in v.
func jsonField(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		if f, ok := x[key]; ok {
			return f
		}
		for _, e := range x {
			if f := jsonField(e, key); f != nil {
				return f
			}
		}
	case []any:
		for _, e := range x {
			if f := jsonField(e, key); f != nil {
				return f
			}
		}
	}
	return nil
}

// tsharkFields returns the values tshark prints for field in the packets
// matching filter, all packets' occurrences in one list.
func tsharkFields(t *testing.T, pcap, filter, field string) []string {
	t.Helper()
	var values []string
	for _, f := range tsharktest.Fields(t, pcap, tsharktest.Query{Filter: filter, Fields: []string{field}}) {
		for _, v := range f.All(field) {
			if v != "" {
				values = append(values, v)
			}
		}
	}
	return values
}

func unescape(t *testing.T, s string) string {
	t.Helper()
	b, err := types.UnescapeWire(s)
	if err != nil {
		t.Errorf("%q: %v", s, err)
	}
	return string(b)
}

// checkOneLinePerRecord dumps a record file as CSV or TSV: a header line
// and one line per record, each with every column.
func checkOneLinePerRecord(t *testing.T, file string, sep rune) {
	t.Helper()
	args := []string{"dump", "-read", file}
	if sep == '\t' {
		args = append(args, "-tsv")
	}
	r := netCmd(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("dump %s: exit %d: %s", file, r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	cr := csv.NewReader(strings.NewReader(r.stdout))
	cr.Comma = sep
	rows, err := cr.ReadAll()
	if err != nil || len(rows) != len(lines) {
		t.Errorf("dump %s (%q): %d lines, %d rows, %v:\n%s", filepath.Base(file), sep, len(lines), len(rows), err, r.stdout)
	}
}

// readRecordsOf reads every record of a file.
func readRecordsOf[T proto.Message](t *testing.T, path string, newRecord func() T) []T {
	t.Helper()
	r, err := ncio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []T
	for {
		m := newRecord()
		err := r.Next(m)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, m)
	}
}
