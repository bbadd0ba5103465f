package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// parquetSet reads a Parquet file back (parquet-go), turns every row into
// a record of type t and returns the multiset of their encodings.
func parquetSet(t *testing.T, path string, typ types.Type) map[string]int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	rows, err := ncio.ReadParquetRows(f, st.Size())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]int{}
	for i, row := range rows {
		m, _ := types.NewRecord(typ)
		if err := ncio.RecordFromParquetRow(m, row); err != nil {
			t.Fatalf("%s row %d: %v", path, i, err)
		}
		b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
		out[fmt.Sprintf("%s %x", typ.Name(), sha256.Sum256(b))]++
	}
	return out
}

// TestParquetOutput: net capture -parquet and net dump -parquet write
// every record of every type; read back with parquet-go, each Parquet
// file holds exactly the records of its record file, field for field.
func TestParquetOutput(t *testing.T) {
	dir := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", dir, "-parquet", "-q")
	files, _ := filepath.Glob(filepath.Join(dir, "*.ncap.gz"))
	if len(files) < 15 {
		t.Fatalf("%d record files", len(files))
	}
	dumped := t.TempDir()
	mustNet(t, "dump", "-read", dir, "-parquet", dumped)
	single := filepath.Join(t.TempDir(), "tcp.parquet")
	mustNet(t, "dump", "-read", filepath.Join(dir, "TCP.ncap.gz"), "-parquet", single)
	for _, f := range files {
		r, err := ncio.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		typ := r.Type()
		r.Close()
		want := recordSet(t, f)
		for _, p := range []string{filepath.Join(dir, typ.Name()+".parquet"), filepath.Join(dumped, typ.Name()+".parquet")} {
			sameRecords(t, p, parquetSet(t, p, typ), want)
		}
		if typ == types.Type_NC_TCP {
			sameRecords(t, single, parquetSet(t, single, typ), want)
		}
	}
}

// recordSetFile is recordSet for one file.
func recordSetFile(t *testing.T, path string) map[string]int { return recordSet(t, path) }

// TestUtilCheckAndRepair: -check passes intact files and fails, naming
// the record, on a flipped byte, a cut tail and a header of the wrong
// type; -repair writes the readable prefix, which reads back.
func TestUtilCheckAndRepair(t *testing.T) {
	dir := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", dir, "-q")
	if r := netCmd(t, nil, "util", "-check", "-read", dir); r.code != 0 || strings.Count(r.stdout, "ok ") < 15 {
		t.Fatalf("intact files: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	good := filepath.Join(dir, "TCP.ncap.gz")
	raw, _ := os.ReadFile(good)
	total := len(recordSetFile(t, good))
	bad := t.TempDir()

	// a flipped byte in the middle of the compressed stream
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)/2] ^= 0x5a
	os.WriteFile(filepath.Join(bad, "TCP.ncap.gz"), flipped, 0o644)
	// a cut tail
	os.WriteFile(filepath.Join(bad, "UDP.ncap.gz"), mustRead(t, filepath.Join(dir, "UDP.ncap.gz"))[:len(mustRead(t, filepath.Join(dir, "UDP.ncap.gz")))*2/3], 0o644)
	// TCP records under a DNS header
	wrong := filepath.Join(bad, "DNS.ncap.gz")
	writeUnderHeader(t, good, wrong, types.Type_NC_DNS)

	r := netCmd(t, nil, "util", "-check", "-repair", "-read", bad)
	if r.code == 0 {
		t.Fatalf("damaged files passed:\n%s", r.stdout)
	}
	for _, name := range []string{"TCP.ncap.gz", "UDP.ncap.gz", "DNS.ncap.gz"} {
		line := ""
		for l := range strings.SplitSeq(r.stdout, "\n") {
			if strings.Contains(l, name) && strings.HasPrefix(l, "DAMAGED") {
				line = l
			}
		}
		if line == "" || !strings.Contains(line, "record ") {
			t.Errorf("%s: no DAMAGED line naming the record:\n%s", name, r.stdout)
		}
	}
	// the repaired prefixes read back, and hold fewer records than the intact file
	for _, name := range []string{"TCP.repaired.ncap.gz", "UDP.repaired.ncap.gz"} {
		p := filepath.Join(bad, name)
		if rr := netCmd(t, nil, "util", "-check", "-read", p); rr.code != 0 {
			t.Errorf("%s does not check: %s", name, rr.stdout)
		}
	}
	if n := len(recordSetFile(t, filepath.Join(bad, "TCP.repaired.ncap.gz"))); n == 0 || n >= total {
		t.Errorf("repaired TCP prefix holds %d of %d records", n, total)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeUnderHeader copies the records of the record file src to dst
// under a header of type typ, with the io package's writer.
func writeUnderHeader(t *testing.T, src, dst string, typ types.Type) {
	t.Helper()
	r, err := ncio.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := ncio.CreateFileAt(dst, ncio.NewHeader(typ, "test", false), ncio.CompressionOf(dst))
	if err != nil {
		t.Fatal(err)
	}
	for {
		m := r.NewRecord()
		if err := r.Next(m); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestDumpChecksTypes: net dump refuses, with a non-zero exit, records
// that are not of their header's type (UDP records under a TCP header)
// and a file whose name says another type than its header, as util
// -check finds both; intact files still dump.
func TestDumpChecksTypes(t *testing.T) {
	dir := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", dir, "-include", "TCP,UDP", "-q")
	bad := t.TempDir()
	udpAsTCP, tcpNamedUDP := filepath.Join(bad, "TCP.ncap.gz"), filepath.Join(bad, "UDP.ncap.gz")
	writeUnderHeader(t, filepath.Join(dir, "UDP.ncap.gz"), udpAsTCP, types.Type_NC_TCP)
	writeUnderHeader(t, filepath.Join(dir, "TCP.ncap.gz"), tcpNamedUDP, types.Type_NC_TCP)
	cases := []struct{ path, want string }{
		{udpAsTCP, "record 1: " + udpAsTCP + ": "},
		{tcpNamedUDP, "the file name says UDP records, the header says TCP"},
	}
	for _, c := range cases {
		for _, format := range []string{"-csv", "-json"} {
			r := netCmd(t, nil, "dump", "-read", c.path, format)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) || strings.Count(r.stdout, "\n") > 1 {
				t.Errorf("dump %s %s: exit %d, stderr %q, %d lines out; want a refusal with %q", filepath.Base(c.path), format, r.code, r.stderr, strings.Count(r.stdout, "\n"), c.want)
			}
		}
		if r := netCmd(t, nil, "util", "-check", "-read", c.path); r.code == 0 || !strings.HasPrefix(r.stdout, "DAMAGED") {
			t.Errorf("util -check %s: exit %d\n%s", filepath.Base(c.path), r.code, r.stdout)
		}
	}
	if r := netCmd(t, nil, "dump", "-read", filepath.Join(dir, "UDP.ncap.gz")); r.code != 0 || r.stderr != "" {
		t.Errorf("intact UDP file: exit %d, %s", r.code, r.stderr)
	}
}

// TestUtilTimesAndVersion: timestamp conversions both ways and the
// version report.
func TestUtilTimesAndVersion(t *testing.T) {
	if got := strings.TrimSpace(mustNet(t, "util", "-ts2utc", "1499255023.848884")); got != "2017-07-05T11:43:43.848884Z" {
		t.Errorf("ts2utc: %s", got)
	}
	if got := strings.TrimSpace(mustNet(t, "util", "-utc2ts", "2017-07-05T13:43:43.848884+02:00")); got != "1499255023.848884" {
		t.Errorf("utc2ts: %s", got)
	}
	if r := netCmd(t, nil, "util", "-ts2utc", "yesterday"); r.code == 0 {
		t.Error("a bad timestamp was accepted")
	}
	v := mustNet(t, "util", "-version")
	for _, w := range []string{types.Version, "go1.", "build tags"} {
		if !strings.Contains(v, w) {
			t.Errorf("version lacks %q:\n%s", w, v)
		}
	}
}

// TestConfigPrecedence: a flag on the command line wins over NC_<FLAG>,
// which wins over -config; -gen-config prints a file that reads back.
func TestConfigPrecedence(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "net.conf")
	os.WriteFile(cfg, []byte("# test\nts2utc 1000000000\n"), 0o644)
	cases := []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"util", "-config", cfg}, "2001-09-09T01:46:40Z"},
		{[]string{"NC_TS2UTC=2000000000"}, []string{"util", "-config", cfg}, "2033-05-18T03:33:20Z"},
		{[]string{"NC_TS2UTC=2000000000"}, []string{"util", "-config", cfg, "-ts2utc", "0"}, "1970-01-01T00:00:00Z"},
		{[]string{"NC_TS2UTC=2000000000"}, []string{"util"}, "2033-05-18T03:33:20Z"},
	}
	for _, c := range cases {
		r := netCmdEnv(t, c.env, c.args...)
		if r.code != 0 || strings.TrimSpace(r.stdout) != c.want {
			t.Errorf("env %v args %v: %q (exit %d, %s), want %s", c.env, c.args, r.stdout, r.code, r.stderr, c.want)
		}
	}
	// -gen-config output is a valid config (all defaults) for the command
	gen := mustNet(t, "capture", "-gen-config")
	if !strings.Contains(gen, "\nworkers ") || !strings.Contains(gen, "\nconn-timeout 5m0s") {
		t.Errorf("gen-config:\n%s", gen)
	}
	conf := filepath.Join(t.TempDir(), "capture.conf")
	os.WriteFile(conf, []byte(strings.Replace(gen, "\nworkers ", "\n# workers ", 1)+"\nworkers 1\n"), 0o644)
	out := t.TempDir()
	sum := mustNet(t, "capture", "-config", conf, "-read", testutil.Testdata(t, "mixed.pcap"), "-out", out)
	if !strings.Contains(sum, "workers") || !strings.Contains(sum, " 1\n") {
		t.Errorf("capture with the generated config did not use workers 1:\n%s", sum)
	}
	if r := netCmdEnv(t, nil, "util", "-config", filepath.Join(t.TempDir(), "nope")); r.code == 0 {
		t.Error("a missing config file was accepted")
	}
	bad := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(bad, []byte("no-such-flag 1\n"), 0o644)
	if r := netCmdEnv(t, nil, "util", "-config", bad, "-version"); r.code == 0 || !strings.Contains(r.stderr, "no-such-flag") {
		t.Errorf("an unknown flag in the config: exit %d %s", r.code, r.stderr)
	}
}

// TestMergeSplit: splitting a file by time and merging the parts gives
// back the same records, in time order.
func TestMergeSplit(t *testing.T) {
	dir := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", dir, "-workers", "1", "-q")
	src := filepath.Join(dir, "Ethernet.ncap.gz")
	parts := strings.Fields(mustNet(t, "util", "-split", "1s", "-read", src, "-out", filepath.Join(dir, "parts")))
	if len(parts) < 2 {
		t.Fatalf("split into %d files", len(parts))
	}
	merged := filepath.Join(dir, "merged", "Ethernet.ncap.gz")
	os.MkdirAll(filepath.Dir(merged), 0o755)
	mustNet(t, "util", "-merge", "-read", strings.Join(parts, ","), "-out", merged)
	sameRecords(t, "merged", recordSetFile(t, merged), recordSetFile(t, src))
	r, _ := ncio.Open(merged)
	defer r.Close()
	var last int64
	for {
		m := r.NewRecord()
		if r.Next(m) != nil {
			break
		}
		ts, _ := ncio.RecordTime(m)
		if ts < last {
			t.Fatalf("merged file out of time order: %d after %d", ts, last)
		}
		last = ts
	}
}

// TestNestedLayouts: util -check and dump -read DIR go down into the
// per-agent directories net collect and net proxy write (out/<agent>/…),
// name each file by its path, and skip hidden and symlinked directories.
func TestNestedLayouts(t *testing.T) {
	out := t.TempDir()
	a, b := filepath.Join(out, "a"), filepath.Join(out, "b")
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", a, "-q")
	mustNet(t, "capture", "-read", testutil.Testdata(t, "http.pcap"), "-out", b, "-q")
	var want []string
	for _, d := range []string{a, b} {
		files, _ := filepath.Glob(filepath.Join(d, "*.ncap.gz"))
		want = append(want, files...)
	}
	// Not to be read: a hidden directory, and a symlink to a.
	os.MkdirAll(filepath.Join(out, ".state"), 0o755)
	os.WriteFile(filepath.Join(out, ".state", "TCP.ncap.gz"), []byte("not a record file"), 0o644)
	if err := os.Symlink(a, filepath.Join(out, "link")); err != nil {
		t.Fatal(err)
	}

	r := netCmd(t, nil, "util", "-check", "-read", out)
	if r.code != 0 || strings.Count(r.stdout, "\nok ")+1 != len(want) || strings.Contains(r.stdout, ".state") || strings.Contains(r.stdout, "link") {
		t.Fatalf("util -check of the nested layout: exit %d, want %d ok lines\n%s%s", r.code, len(want), r.stdout, r.stderr)
	}
	for _, f := range want {
		if !strings.Contains(r.stdout, "ok       "+f+" ") {
			t.Errorf("util -check does not name %s:\n%s", f, r.stdout)
		}
	}

	// dump: every file, each after a line naming it, records as dumped one by one.
	for _, format := range []string{"-csv", "-json"} {
		all := mustNet(t, "dump", "-read", out, format)
		var records int
		for _, f := range want {
			heading := "# " + f + "\n"
			if format == "-json" {
				heading = `{"file":"` + f + `"}` + "\n"
			}
			if !strings.Contains(all, heading) {
				t.Errorf("dump %s of the directory lacks the heading %q", format, heading)
			}
			records += strings.Count(mustNet(t, "dump", "-read", f, format), "\n")
		}
		if got := strings.Count(all, "\n") - len(want); format == "-json" && got != records || format == "-csv" && got != records+len(want)-1 {
			t.Errorf("dump %s of the directory: %d lines besides the headings, the files hold %d", format, got, records)
		}
	}

	// -parquet keeps the layout: two agents' TCP files stay two files.
	pq := t.TempDir()
	mustNet(t, "dump", "-read", out, "-parquet", pq)
	for _, d := range []string{"a", "b"} {
		if _, err := os.Stat(filepath.Join(pq, d, "TCP.parquet")); err != nil {
			t.Errorf("dump -parquet of the directory: %v", err)
		}
	}

	// A damaged file one level down is found and named.
	c := filepath.Join(out, "c")
	os.MkdirAll(c, 0o755)
	raw := mustRead(t, filepath.Join(a, "TCP.ncap.gz"))
	os.WriteFile(filepath.Join(c, "TCP.ncap.gz"), raw[:len(raw)/2], 0o644)
	if r := netCmd(t, nil, "util", "-check", "-read", out); r.code == 0 || !strings.Contains(r.stdout, "DAMAGED  "+filepath.Join(c, "TCP.ncap.gz")) {
		t.Errorf("a damaged file in a subdirectory: exit %d\n%s", r.code, r.stdout)
	}
}
