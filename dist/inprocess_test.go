package dist

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// TestPublisherCollectorInProcess runs a collector and a publisher fed by
// four goroutines in one process (for the race detector): every record
// arrives once.
func TestPublisherCollectorInProcess(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := t.TempDir()
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		st   *CollectorStats
		cerr error
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		st, cerr = RunCollector(ctx, CollectorConfig{Out: filepath.Join(base, "out"), Compression: ncio.Zstd,
			Server: ServerConfig{Addr: addr, StoreDir: filepath.Join(base, "store")}, CommitInterval: 20 * time.Millisecond,
			Ready: func(u string) { ready <- u }})
	}()
	var url string
	select {
	case url = <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("collector did not start")
	}
	p, err := NewPublisher(PublisherConfig{URL: url, Agent: "race", Source: "test", BatchBytes: 2048, BufferBytes: 16 << 10,
		SpoolDir: filepath.Join(base, "spool")})
	if err != nil {
		t.Fatal(err)
	}
	const per = 3000
	var pw sync.WaitGroup
	for g := range 4 {
		pw.Add(1)
		go func() {
			defer pw.Done()
			em := p.NewEmitter()
			for i := range per {
				em.Emit(types.Type_NC_UDP, &types.UDP{SrcPort: int32(g), DstPort: int32(i), Timestamp: int64(i)})
				if i%500 == 0 {
					p.Stats()
				}
			}
			em.Flush()
		}()
	}
	pw.Wait()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	ps := p.Stats()
	cancel()
	wg.Wait()
	if cerr != nil {
		t.Fatal(cerr)
	}
	if ps.SentRecords != 4*per || st.Records != 4*per {
		t.Fatalf("published %d, collected %d, want %d (%s)", ps.SentRecords, st.Records, 4*per, ps)
	}
	r, err := ncio.Open(filepath.Join(base, "out", "race", "UDP.ncap.zst"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := map[string]bool{}
	for {
		m := &types.UDP{}
		if r.Next(m) != nil {
			break
		}
		k := fmt.Sprint(m.SrcPort, m.DstPort)
		if seen[k] {
			t.Fatalf("record %s twice", k)
		}
		seen[k] = true
	}
	if len(seen) != 4*per {
		t.Fatalf("file holds %d distinct records, want %d", len(seen), 4*per)
	}
}
