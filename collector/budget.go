package collector

import (
	"fmt"
	"runtime/debug"

	"github.com/netcap-go/netcap/decoder/registry"
	ncio "github.com/netcap-go/netcap/io"
)

// A memory budget (net capture -max-memory) bounds a run in bytes rather
// than in entries. It keeps aside what does not grow with traffic (the
// program, the packet batches, the record files' buffers), gives each
// table that grows with traffic a share of the rest, turns each share into
// a count limit by the measured cost of one entry (costs.go), and becomes
// the Go runtime's soft memory limit.

// Fixed costs the budget keeps aside.
const (
	// baseBytes is the program's code and data, the runtime's own
	// structures and the input's read buffers.
	baseBytes = 48 << 20
	// workerBytes is a worker's packet batches in flight (its queue, the
	// one it decodes, one filling and its share of the free ones: up to
	// 14 of 576 KiB) and its parser with its caches.
	workerBytes = 10 << 20
	// emitterBatchBytes is one worker's batch of one record type.
	emitterBatchBytes = ncio.DefaultBatchBytes + 4096
	// typicalRecordTypes is how many record types' files and batches the
	// budget keeps room for: a rich capture (testdata/mixed.pcap: HTTP,
	// TLS, DNS, SSH, SMTP) writes 23. Keeping room for all 70-odd would
	// take a quarter of the default budget for files no capture opens;
	// a capture that writes more types uses the garbage collector's room
	// (RecordFileBytes and a batch per worker for each).
	typicalRecordTypes = 24
)

// tablesPercent of what the fixed costs leave goes to the tables. The rest
// is the garbage collector's room: the heap grows past what is live until
// the next collection.
const tablesPercent = 60

// minTablesFraction: the tables get at least this fraction of the budget
// (before the garbage collector's room), even when the fixed costs would
// leave less (a small budget and many workers).
const minTablesFraction = 4

// Shares of the tables' bytes, in percent. A connection costs an entry in
// the flow table and one in the reassembly, so both get the same limit.
const (
	connsPercent      = 55 // flow tables and reassembly connections
	outOfOrderPercent = 15 // TCP bytes buffered behind holes
	profilesPercent   = 12 // IPProfile and DeviceProfile tables
	servicesPercent   = 6  // run-wide Service store
	softwarePercent   = 2  // run-wide Software store
	closedPercent     = 5  // closed connections kept for retransmissions
	defragPercent     = 5  // IP datagrams waiting for fragments
)

// memoryLimitPercent of the budget is the Go runtime's soft memory limit:
// the rest is for what the runtime does not count (the program's code).
const memoryLimitPercent = 95

// outOfOrderCostPercent is what a buffered out-of-order byte costs with its
// share of the segment's record and of the allocation's rounding.
const outOfOrderCostPercent = 125

// defragBytesPercent of the defragmenter's share goes to the bytes it holds,
// the rest to its datagrams' records.
const defragBytesPercent = 80

// Limits are the bounds a budget gives the tables of a run. All are for the
// whole run: Run splits those of the per-worker tables among the workers.
type Limits struct {
	Budget          int64 // bytes
	Flows           int   // connections in the flow tables
	ReassemblyConns int   // connections in the reassembly
	OutOfOrderBytes int   // TCP bytes buffered behind holes
	Profiles        int   // IP profiles and device profiles, each
	Services        int
	Software        int
	ClosedConns     int
	DefragDatagrams int
	DefragBytes     int
	// Reserved is what the budget keeps for the fixed costs;
	// MemoryLimit is the Go runtime's soft limit.
	Reserved, MemoryLimit int64
}

// BudgetLimits splits budget bytes for a run of workers that may write
// recordTypes types of records.
func BudgetLimits(budget int64, workers, recordTypes int) Limits {
	l := Limits{Budget: budget, MemoryLimit: budget * memoryLimitPercent / 100}
	l.Reserved = baseBytes + int64(workers)*workerBytes +
		int64(min(recordTypes, typicalRecordTypes))*(RecordFileBytes+int64(workers)*emitterBatchBytes)
	tables := max(budget-l.Reserved, budget/minTablesFraction) * tablesPercent / 100
	share := func(percent int, entryBytes int64) int {
		return max(1, int(tables*int64(percent)/100/entryBytes))
	}
	l.Flows = share(connsPercent, FlowEntryBytes+ReassemblyConnBytes)
	l.ReassemblyConns = l.Flows
	l.OutOfOrderBytes = share(outOfOrderPercent, 1) * 100 / outOfOrderCostPercent
	l.Profiles = share(profilesPercent, ProfileBytes)
	l.Services = share(servicesPercent, ServiceBytes)
	l.Software = share(softwarePercent, SoftwareBytes)
	l.ClosedConns = share(closedPercent, ClosedConnBytes)
	l.DefragBytes = share(defragPercent*defragBytesPercent/100, 1)
	l.DefragDatagrams = share(defragPercent*(100-defragBytesPercent)/100, DefragDatagramBytes)
	return l
}

// applyBudget sets every limit of cfg left at zero from its memory budget
// and returns the limits in force. A limit set explicitly stays; when it is
// above the budget's, the soft memory limit grows by what its entries
// cost, so that the garbage collector does not fight the user's choice.
func (cfg *Config) applyBudget(workers int) *Limits {
	if cfg.MemoryBudget <= 0 {
		return nil
	}
	l := BudgetLimits(cfg.MemoryBudget, workers, enabledRecordTypes(cfg.Include, cfg.Exclude))
	over := 0.0 // bytes the explicit limits take beyond the budget
	for _, t := range []struct {
		limit      *int
		budgeted   *int
		entryBytes float64
	}{
		{&cfg.Flows.MaxFlows, &l.Flows, FlowEntryBytes},
		{&cfg.Reassembly.MaxConns, &l.ReassemblyConns, ReassemblyConnBytes},
		{&cfg.Reassembly.MaxBytes, &l.OutOfOrderBytes, outOfOrderCostPercent / 100.0},
		{&cfg.Reassembly.MaxClosed, &l.ClosedConns, ClosedConnBytes},
		{&cfg.Profiles.MaxProfiles, &l.Profiles, ProfileBytes},
		{&cfg.Stream.MaxServices, &l.Services, ServiceBytes},
		{&cfg.Stream.MaxSoftware, &l.Software, SoftwareBytes},
		{&cfg.Defrag.MaxDatagrams, &l.DefragDatagrams, DefragDatagramBytes},
		{&cfg.Defrag.MaxBytes, &l.DefragBytes, 1},
	} {
		if *t.limit <= 0 {
			*t.limit = *t.budgeted
		}
		over += float64(max(0, *t.limit-*t.budgeted)) * t.entryBytes
		*t.budgeted = *t.limit // the summary shows what is in force
	}
	l.MemoryLimit += int64(over * 100 / tablesPercent)
	return &l
}

// enabledRecordTypes counts the record types the decoders that run may
// write: each may hold a file and a batch per worker.
func enabledRecordTypes(include, exclude []string) int {
	enabled := registry.Enabled(include, exclude)
	n := 0
	for _, i := range registry.Infos() {
		if enabled.Has(i.Type) {
			n++
		}
	}
	return n
}

// setMemoryLimit makes limit the Go runtime's soft memory limit (it
// collects more often near it) and returns a function that restores the
// previous one.
func setMemoryLimit(limit int64) func() {
	old := debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(old) }
}

// String describes the limits for the summary.
func (l *Limits) String() string {
	return fmt.Sprintf("%s: %d flows, %d reassembled connections and %s out of order, %d closed connections, %d profiles of each kind, %d services, %d software products, %d datagrams (%s) in defragmentation; %s kept for fixed costs; Go memory limit %s",
		humanBytes(l.Budget), l.Flows, l.ReassemblyConns, humanBytes(int64(l.OutOfOrderBytes)), l.ClosedConns, l.Profiles,
		l.Services, l.Software, l.DefragDatagrams, humanBytes(int64(l.DefragBytes)), humanBytes(l.Reserved), humanBytes(l.MemoryLimit))
}
