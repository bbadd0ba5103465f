package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
)

func scrapeFamilies(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	f, err := parser.TextToMetricFamilies(bufio.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func labelled(f *dto.MetricFamily, name, value string) float64 {
	for _, m := range f.GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == name && l.GetValue() == value {
				return m.GetCounter().GetValue()
			}
		}
	}
	return -1
}

// TestExportMetrics: net export serves, for a capture's record files,
// netcap_records_total equal to the records in each file.
func TestExportMetrics(t *testing.T) {
	dir := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", dir, "-q")
	addr := freeAddr(t)
	p := startNet(t, "export", "-read", dir, "-address", addr)
	waitFor(t, p, "records from")
	fams := scrapeFamilies(t, addr)
	files, _ := filepath.Glob(filepath.Join(dir, "*.ncap.gz"))
	total := 0
	for _, file := range files {
		r, err := ncio.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			if err := r.Next(r.NewRecord()); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			n++
		}
		r.Close()
		total += n
		if got := labelled(fams["netcap_records_total"], "type", r.Type().Name()); got != float64(n) {
			t.Errorf("records_total{type=%s} = %v, file has %d", r.Type().Name(), got, n)
		}
	}
	if total < 1000 || fams["go_goroutines"] == nil || fams["process_resident_memory_bytes"] == nil {
		t.Errorf("%d records; runtime/process metrics present: %v %v", total, fams["go_goroutines"] != nil, fams["process_resident_memory_bytes"] != nil)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("export exit %d: %s", code, p.stderr.String())
	}
}

// TestCaptureMetricsLive: net capture -metrics serves while it captures:
// reading a capture from a pipe that stays open, the scrape shows every
// packet read (tshark's count) before the input ends.
func TestCaptureMetricsLive(t *testing.T) {
	pcap := testutil.Testdata(t, "mixed.pcap")
	data, err := os.ReadFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	frames := len(tsharkLines(t, pcap, "", "frame.number"))
	addr := freeAddr(t)
	p := startNetStdin(t, "capture", "-read", "-", "-out", t.TempDir(), "-metrics", addr, "-q")
	waitFor(t, p, "metrics on")
	p.stdin.Write(data) // the pipe stays open: the capture is still running
	deadline := time.Now().Add(20 * time.Second)
	for {
		f := scrapeFamilies(t, addr)
		if m := f["netcap_packets_read_total"]; m != nil && m.GetMetric()[0].GetCounter().GetValue() == float64(frames) {
			if f["netcap_queue_batches"] == nil || f["netcap_records_total"] == nil || f["netcap_writer_bytes_total"] == nil {
				t.Error("pipeline or record metrics missing while capturing")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("packets read never reached %d", frames)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stdin.Close()
	if code := p.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("capture exit %d: %s", code, p.stderr.String())
	}
}

// TestExportReplay: -replay feeds every record (at 100,000× the capture's
// pace) before it reports the count.
func TestExportReplay(t *testing.T) {
	dir := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", dir, "-q")
	addr := freeAddr(t)
	p := startNet(t, "export", "-read", dir, "-address", addr, "-replay", "-speed", "100000")
	waitFor(t, p, "records from")
	var sum float64
	for _, m := range scrapeFamilies(t, addr)["netcap_records_total"].GetMetric() {
		sum += m.GetCounter().GetValue()
	}
	want := 0
	for _, n := range recordSet(t, dir) {
		want += n
	}
	if sum != float64(want) {
		t.Errorf("replayed %v records, the files hold %d", sum, want)
	}
}
