package collector

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/reassembly"
)

// Monitor shows a run's counters while it goes (net capture -metrics):
// the reader's packets and bytes and the queued batches at any time, and
// each worker's decoder, reassembly and flow counters as the worker last
// published them (every half second of work, and at the end). Read it
// from any goroutine with Snapshot.
type Monitor struct {
	packets, bytes *atomic.Int64
	queued         func() int
	start          time.Time

	mu      sync.Mutex
	workers []workerSnapshot
}

// NewMonitor returns a monitor to put in Config.Monitor.
func NewMonitor() *Monitor { return &Monitor{} }

type workerSnapshot struct {
	parser     packet.Stats
	reassembly reassembly.Stats
	flows      flow.Stats
	active     int
}

// MonitorSnapshot is a moment of a run.
type MonitorSnapshot struct {
	Running       bool
	Packets       int64 // read
	Bytes         int64
	QueuedBatches int // waiting for the workers
	Elapsed       time.Duration
	Stats         packet.Stats     // decoders, summed over workers
	Reassembly    reassembly.Stats // summed
	Flows         flow.Stats       // summed
	ActiveFlows   int              // connections held in the tables
}

// Snapshot returns the counters now.
func (m *Monitor) Snapshot() MonitorSnapshot {
	var s MonitorSnapshot
	if m == nil {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.packets == nil {
		return s
	}
	s.Running = true
	s.Packets, s.Bytes = m.packets.Load(), m.bytes.Load()
	s.QueuedBatches = m.queued()
	s.Elapsed = time.Since(m.start)
	for i := range m.workers {
		w := &m.workers[i]
		s.Stats.Add(&w.parser)
		s.Reassembly.Add(&w.reassembly)
		s.Flows.Add(w.flows)
		s.ActiveFlows += w.active
	}
	return s
}

func (m *Monitor) attach(packets, bytes *atomic.Int64, queued func() int, workers int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.packets, m.bytes, m.queued, m.start = packets, bytes, queued, time.Now()
	m.workers = make([]workerSnapshot, workers)
}

// publish copies worker i's counters (called by the worker itself).
func (m *Monitor) publish(i int, w *worker) {
	var s workerSnapshot
	s.parser.Add(w.parser.Stats())
	if w.asm != nil {
		s.reassembly = *w.asm.Stats()
	}
	s.flows.Add(w.flows.Stats())
	s.active = w.flows.Len()
	m.mu.Lock()
	m.workers[i] = s
	m.mu.Unlock()
}
