package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates files named by the keys of m in a new directory.
func writeFiles(t *testing.T, m map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range m {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func rows(text []byte) []string {
	var out []string
	for _, l := range strings.Split(string(text), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestBuildOUI(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"oui.csv": "Registry,Assignment,Organization Name,Organization Address\n" +
			"MA-L,AABBCC,\"Example, Inc.\",Somewhere\n" +
			"MA-L,001122,First Owner,\n" +
			"MA-L,001122,Second Owner,\n" +
			"MA-L,0a0b0c,  Spaced\tName  ,\n",
		"mam.csv":   "Registry,Assignment,Organization Name,Organization Address\nMA-M,AABBCCD,Medium Co,\n",
		"oui36.csv": "Registry,Assignment,Organization Name,Organization Address\nMA-S,AABBCCDDE,Small Co,\n",
	})
	text, n, err := buildOUI(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"001122\t24\tFirst Owner",
		"0A0B0C\t24\tSpaced Name",
		"AABBCC\t24\tExample, Inc.",
		"AABBCCD\t28\tMedium Co",
		"AABBCCDDE\t36\tSmall Co",
	}
	if got := rows(text); strings.Join(got, "\n") != strings.Join(want, "\n") || n != len(want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !bytes.Contains(text, []byte("# source: oui.csv rows=4 sha256=")) {
		t.Errorf("header lacks the oui.csv source line:\n%s", text)
	}
}

func TestBuildOUIErrors(t *testing.T) {
	_, _, err := buildOUI(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "ieee-data") {
		t.Errorf("missing files: %v, want a hint to install ieee-data", err)
	}
	dir := writeFiles(t, map[string]string{
		"oui.csv":   "Registry,Assignment,Organization Name\nMA-L,AABBC,Too Short\n",
		"mam.csv":   "",
		"oui36.csv": "",
	})
	if _, _, err := buildOUI(dir); err == nil {
		t.Error("a 5-digit MA-L assignment was accepted")
	}
}

func TestParseIANACSV(t *testing.T) {
	// Shaped like IANA's file: primary names before aliases, rows without
	// a name, ranges, a multi-line quoted note, a row without transport.
	const csv = "Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes\n" +
		",0,tcp,Reserved,,,,,,,,\n" +
		"alpha,7,tcp,Alpha,,,,,,,,\n" +
		"alpha-alias,7,tcp,Alpha again,,,,,,,,\"An alias.\nSecond line of the note.\"\n" +
		"alpha,7,udp,Alpha,,,,,,,,\n" +
		",8,,Unassigned,,,,,,,,\n" +
		"beta,100-102,udp,Beta range,,,,,,,,\n" +
		"gamma,9,sctp,Gamma,,,,,,,,\n" +
		"delta,9,dccp,Delta,,,,,,,,\n" +
		"eps,9,ddp,Not a transport we keep,,,,,,,,\n"
	set := &portSet{names: map[portKey]string{}}
	if err := parseIANACSV([]byte(csv), set); err != nil {
		t.Fatal(err)
	}
	want := map[portKey]string{
		{0, 7}: "alpha", {1, 7}: "alpha",
		{1, 100}: "beta", {1, 101}: "beta", {1, 102}: "beta",
		{2, 9}: "gamma", {3, 9}: "delta",
	}
	if len(set.names) != len(want) {
		t.Errorf("got %v, want %v", set.names, want)
	}
	for k, v := range want {
		if set.names[k] != v {
			t.Errorf("%v: got %q, want %q", k, set.names[k], v)
		}
	}
	if err := parseIANACSV([]byte("Name,Port\nx,1\n"), set); err == nil {
		t.Error("a CSV without the IANA columns was accepted")
	}
}

func TestParseServices(t *testing.T) {
	const services = "# comment\n\n" +
		"http\t\t80/tcp/udp/sctp\t# World Wide Web HTTP\n" +
		"www\t\t80/tcp\t\t# alias listed later: ignored\n" +
		"domain\t53/tcp\n" +
		"domain\t53/udp\n" +
		"x11\t\t6000-6002/tcp\n" +
		"rtmp\t\t1/ddp\t\t# AppleTalk\n"
	set := &portSet{names: map[portKey]string{}}
	if err := parseServices([]byte(services), set); err != nil {
		t.Fatal(err)
	}
	want := map[portKey]string{
		{0, 80}: "http", {1, 80}: "http", {2, 80}: "http",
		{0, 53}: "domain", {1, 53}: "domain",
		{0, 6000}: "x11", {0, 6001}: "x11", {0, 6002}: "x11",
	}
	if len(set.names) != len(want) {
		t.Errorf("got %v, want %v", set.names, want)
	}
	for k, v := range want {
		if set.names[k] != v {
			t.Errorf("%v: got %q, want %q", k, set.names[k], v)
		}
	}
	if err := parseServices([]byte("bad 80\n"), set); err == nil {
		t.Error("a line without a transport was accepted")
	}
	if err := parseServices([]byte("bad 70000/tcp\n"), set); err == nil {
		t.Error("port 70000 was accepted")
	}
}

// TestRunDeterministic checks that two runs on the same input write the
// same bytes, and that the tables decompress.
func TestRunDeterministic(t *testing.T) {
	ieee := writeFiles(t, map[string]string{
		"oui.csv":   "Registry,Assignment,Organization Name\nMA-L,AABBCC,Example\n",
		"mam.csv":   "Registry,Assignment,Organization Name\n",
		"oui36.csv": "Registry,Assignment,Organization Name\n",
	})
	svc := writeFiles(t, map[string]string{"services": "http 80/tcp\n"})
	var outs [2][]byte
	for i := range outs {
		out := t.TempDir()
		if err := run(ieee, "", []string{filepath.Join(svc, "missing"), filepath.Join(svc, "services")}, out); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"oui.tsv.gz", "ports.tsv.gz"} {
			b, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
			outs[i] = append(outs[i], b...)
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two runs on the same input wrote different bytes")
	}
}
