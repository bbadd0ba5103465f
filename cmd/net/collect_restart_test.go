package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
)

// replayAgent replays pcap into the collector at addr as agent id.
func replayAgent(t *testing.T, addr, id, pcap string) {
	t.Helper()
	a := startNet(t, "agent", "-read", pcap, "-collector", "nats://"+addr, "-id", id, "-q")
	if code := a.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("agent %s exit %d: %s %s", id, code, a.stdout.String(), a.stderr.String())
	}
}

// editState rewrites one file's checkpoint in a collector's state file.
func editState(t *testing.T, out, rel string, edit func(map[string]any)) {
	t.Helper()
	p := filepath.Join(out, ".netcap-collect.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	fs, ok := st["files"].(map[string]any)[rel].(map[string]any)
	if !ok {
		t.Fatalf("%s is not in the state file: %s", rel, b)
	}
	edit(fs)
	if b, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) []byte {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCollectRestartTouchesOnlyItsFiles: record files the collector did
// not write (a user's file, an agent directory it has not seen, a rotated
// file) survive a restart byte for byte, also when an agent then needs
// their names; a file shorter than its checkpoint and a checkpoint of
// 10^12 bytes are set aside untouched and their types start new files;
// every file under -out reads to its end afterwards.
func TestCollectRestartTouchesOnlyItsFiles(t *testing.T) {
	mixed := testutil.Testdata(t, "mixed.pcap")
	base := t.TempDir()
	addr := freeAddr(t)
	out, store := filepath.Join(base, "out"), filepath.Join(base, "store")
	c := startCollect(t, "-addr", addr, "-store", store, "-out", out)
	replayAgent(t, addr, "a1", mixed)
	c.stop(t)

	// strangers
	captured := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "http.pcap"), "-out", captured, "-q")
	strangers := map[string][]byte{}
	for _, rel := range []string{"notes.ncap.gz", "b2/TCP.ncap.gz", "a1/TCP-20260101T000000Z.ncap.gz"} {
		strangers[rel] = copyFile(t, filepath.Join(captured, "TCP.ncap.gz"), filepath.Join(out, rel))
	}
	// damage: a file cut short, and an insane checkpoint
	dns := filepath.Join(out, "a1", "DNS.ncap.gz")
	st, err := os.Stat(dns)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(dns, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	cutDNS, _ := os.ReadFile(dns)
	editState(t, out, "a1/UDP.ncap.gz", func(fs map[string]any) { fs["size"] = 1e12 })
	udp, _ := os.ReadFile(filepath.Join(out, "a1", "UDP.ncap.gz"))

	c = startCollect(t, "-addr", addr, "-store", store, "-out", out)
	replayAgent(t, addr, "a1", mixed)
	replayAgent(t, addr, "b2", mixed)
	c.stop(t)

	for rel, want := range strangers {
		if got, err := os.ReadFile(filepath.Join(out, rel)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s was changed or removed (err %v)", rel, err)
		}
	}
	for name, want := range map[string][]byte{"DNS.ncap.gz": cutDNS, "UDP.ncap.gz": udp} {
		aside, _ := filepath.Glob(filepath.Join(out, "a1", name+".damaged-*"))
		if len(aside) != 1 {
			t.Errorf("%s: set aside as %v, want one *.damaged-* file", name, aside)
			continue
		}
		if got, _ := os.ReadFile(aside[0]); !bytes.Equal(got, want) {
			t.Errorf("%s was changed when set aside", aside[0])
		}
	}
	if !strings.Contains(c.stderr.String(), "DOES NOT MATCH ITS CHECKPOINT") || !strings.Contains(c.stdout.String(), "2 files set aside") {
		t.Errorf("the collector did not say loudly it set files aside:\nstdout: %s\nstderr: %s", c.stdout.String(), c.stderr.String())
	}
	if !strings.Contains(c.stdout.String(), "3 record files not ours left alone") {
		t.Errorf("strangers not reported: %s", c.stdout.String())
	}
	// every file reads to its end: the new DNS and UDP files hold the
	// second run, TCP both runs; b2 wrote beside the stranger
	want := captureSet(t, mixed)
	for _, rel := range []string{"a1/DNS.ncap.gz", "a1/UDP.ncap.gz", "a1/TCP.ncap.gz"} {
		res := ncio.CheckFile(filepath.Join(out, rel))
		typ := strings.TrimSuffix(filepath.Base(rel), ".ncap.gz")
		n := 0
		for k, v := range want {
			if strings.HasPrefix(k, typ+" ") {
				n += v
			}
		}
		if typ == "TCP" {
			n *= 2
		}
		if !res.OK() || res.Records != int64(n) {
			t.Errorf("%s: %d records (%v), want %d", rel, res.Records, res.Err, n)
		}
	}
	b2, _ := filepath.Glob(filepath.Join(out, "b2", "TCP-*.ncap.gz"))
	if len(b2) != 1 {
		t.Fatalf("agent b2's TCP file beside the stranger: %v", b2)
	}
	sameRecords(t, "agent b2", recordSet(t, append(b2, filepath.Join(out, "b2", "UDP.ncap.gz"))...), filterTypes(want, "TCP", "UDP"))
	if st, err := os.Stat(filepath.Join(out, "a1", "UDP.ncap.gz")); err != nil || st.Size() > 1<<30 {
		t.Errorf("UDP file after restart: %v %v", st, err)
	}
}

// filterTypes keeps the records of the given types of a record set.
func filterTypes(set map[string]int, typs ...string) map[string]int {
	out := map[string]int{}
	for k, v := range set {
		for _, t := range typs {
			if strings.HasPrefix(k, t+" ") {
				out[k] = v
			}
		}
	}
	return out
}
