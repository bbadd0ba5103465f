package dist

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/netcap-go/netcap/delimited"
	"github.com/netcap-go/netcap/types"
)

// TestSeqSet checks the interval set against a plain set on random
// insertions (in order, reversed, shuffled, with repeats).
func TestSeqSet(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var s seqSet
		ref := map[uint64]bool{}
		for range r.IntN(300) {
			x := uint64(r.IntN(120))
			if round%3 == 0 {
				x = uint64(len(ref)) // mostly contiguous, as agents send
			}
			s.add(x)
			ref[x] = true
		}
		for x := uint64(0); x < 400; x++ {
			if s.contains(x) != ref[x] {
				t.Fatalf("round %d: contains(%d) = %v, want %v (%v)", round, x, s.contains(x), ref[x], s.R)
			}
		}
		for i := 1; i < len(s.R); i++ {
			if s.R[i][0] <= s.R[i-1][1]+1 {
				t.Fatalf("round %d: intervals overlap or touch: %v", round, s.R)
			}
		}
	}
}

func testBatch(t testing.TB) *Batch {
	var framed []byte
	for i := range 5 {
		var err error
		framed, err = delimited.Append(framed, &types.TCP{SrcPort: int32(i), Timestamp: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &Batch{Agent: "a-1", Run: "00000000000000000042", Seq: 7, Type: types.Type_NC_TCP, Records: 5, Source: "x.pcap", Data: Compress(framed)}
}

// TestBatchRoundTrip: a batch survives the message and is refused when
// its headers or data lie.
func TestBatchRoundTrip(t *testing.T) {
	b := testBatch(t)
	m := b.Msg()
	if m.Subject != "netcap.records.a-1.TCP" || m.Header.Get(nats.MsgIdHdr) != "a-1/00000000000000000042/7" {
		t.Fatalf("subject %s, id %s", m.Subject, m.Header.Get(nats.MsgIdHdr))
	}
	got, err := ParseBatch(m.Header, m.Data)
	if err != nil {
		t.Fatal(err)
	}
	framed, err := got.Framed()
	if err != nil || got.Seq != 7 || got.Type != types.Type_NC_TCP || got.Records != 5 || len(framed) == 0 {
		t.Fatalf("%+v %v", got, err)
	}
	for name, mut := range map[string]func(*nats.Msg){
		"agent":   func(m *nats.Msg) { m.Header.Set(HdrAgent, "../etc") },
		"type":    func(m *nats.Msg) { m.Header.Set(HdrType, "Nope") },
		"records": func(m *nats.Msg) { m.Header.Set(HdrRecords, "4") },
		"seq":     func(m *nats.Msg) { m.Header.Set(HdrSeq, "x") },
		"data":    func(m *nats.Msg) { m.Data = m.Data[:len(m.Data)/2] },
	} {
		m := b.Msg()
		mut(m)
		got, err := ParseBatch(m.Header, m.Data)
		if err == nil {
			_, err = got.Framed()
		}
		if err == nil {
			t.Errorf("%s: a lying batch was accepted", name)
		}
	}
}

// TestSpool: batches come back from disk in order, a damaged file is
// reported and removed, the bound holds.
func TestSpool(t *testing.T) {
	dir := t.TempDir()
	sp, err := openSpool(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	b := testBatch(t)
	for seq := uint64(1); seq <= 3; seq++ {
		b.Seq = seq
		if ok, err := sp.put(b); !ok || err != nil {
			t.Fatal(ok, err)
		}
	}
	sp2, _ := openSpool(dir, 1<<20) // a new run finds them
	for seq := uint64(1); seq <= 3; seq++ {
		got, err := sp2.peek()
		if err != nil || got.Seq != seq || got.Records != 5 {
			t.Fatalf("seq %d: %+v %v", seq, got, err)
		}
		if _, err := got.Framed(); err != nil {
			t.Fatal(err)
		}
		sp2.remove()
	}
	if sp2.len() != 0 || sp2.bytes != 0 {
		t.Fatalf("spool not empty: %d, %d bytes", sp2.len(), sp2.bytes)
	}
	b.Seq = 9
	sp2.put(b)
	name := filepath.Join(dir, sp2.names[0])
	os.WriteFile(name, []byte("NCSPOOL1garbage"), 0o644)
	if _, err := sp2.peek(); err == nil || sp2.len() != 0 {
		t.Errorf("damaged spool file: %v, %d left", err, sp2.len())
	}
	small, _ := openSpool(t.TempDir(), 10)
	if ok, _ := small.put(b); ok {
		t.Error("the spool bound was ignored")
	}
}

func TestIsRefusal(t *testing.T) {
	for _, s := range []string{"nats: Authorization Violation", "remote error: tls: unknown certificate authority", "x509: certificate signed by unknown authority"} {
		if !IsRefusal(errString(s)) {
			t.Errorf("%q is a refusal", s)
		}
	}
	for _, s := range []string{"dial tcp 127.0.0.1:4222: connect: connection refused", "nats: timeout", "EOF"} {
		if IsRefusal(errString(s)) {
			t.Errorf("%q is an outage, not a refusal", s)
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// FuzzParseBatch: any headers and data give a batch or an error, never a
// panic, and an accepted batch's records all decode.
func FuzzParseBatch(f *testing.F) {
	m := testBatch(f).Msg()
	f.Add(m.Header.Get(HdrAgent), m.Header.Get(HdrRun), m.Header.Get(HdrSeq), m.Header.Get(HdrType), m.Header.Get(HdrRecords), m.Data)
	f.Add("a", "1", "1", "DNS", "1", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0})
	f.Fuzz(func(t *testing.T, agent, run, seq, typ, records string, data []byte) {
		h := nats.Header{}
		h.Set(HdrAgent, agent)
		h.Set(HdrRun, run)
		h.Set(HdrSeq, seq)
		h.Set(HdrType, typ)
		h.Set(HdrRecords, records)
		b, err := ParseBatch(h, data)
		if err != nil {
			return
		}
		if strings.ContainsAny(b.Agent, "./ ") {
			t.Fatalf("agent id %q accepted", b.Agent)
		}
		b.Framed()
	})
}

// FuzzSpoolFile: a damaged spool file is an error, never a panic.
func FuzzSpoolFile(f *testing.F) {
	dir := f.TempDir()
	sp, _ := openSpool(dir, 1<<20)
	sp.put(testBatch(f))
	raw, _ := os.ReadFile(filepath.Join(dir, sp.names[0]))
	f.Add(raw)
	f.Add([]byte("NCSPOOL1\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "x.batch")
		os.WriteFile(p, b, 0o644)
		if got, err := readSpoolFile(p); err == nil {
			got.Framed()
		}
	})
}
