// Package collector is the capture engine: it runs a packet source
// (package source) through the pipeline. A reader goroutine reads and
// defragments packets and a dispatcher pins every flow to one worker by a
// symmetric flow hash; each worker owns its layer parser, TCP assembler,
// stream decoders, connection table and record emitter, so the hot path
// takes no lock. The decoders come from the registry (decoder/registry);
// the records go to an io.RecordSink. It also holds the memory budget, the
// progress line and the run's summary.
//
// It must not import what uses it: cmd/net, label, metrics, maltego,
// proxy or dist (the import rules are tested in internal/deps).
package collector

import (
	"io"
	"time"

	"go.uber.org/zap"

	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/decoder/packet"
	"github.com/netcap-go/netcap/decoder/profile"
	"github.com/netcap-go/netcap/decoder/stream"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/source"
)

// Config configures a run.
type Config struct {
	Workers int      // packet workers; <= 0 means runtime.NumCPU()
	Include []string // decoder names to run (empty: all)
	Exclude []string // decoder names not to run
	Options packet.Options
	Sink    ncio.RecordSink
	Log     *zap.Logger
	// Progress, when set, receives a progress line twice a second
	// (rewritten in place), or with ProgressLines a line every
	// ProgressInterval (default 10 s), for logs.
	Progress         io.Writer
	ProgressLines    bool
	ProgressInterval time.Duration
	// Filter is a pcap-filter expression applied to the packets of
	// sources that are not live (a live source filters in the kernel).
	Filter string
	// Count stops the run after this many packets (0: no limit).
	Count int64
	// Stream configures the decoding of reassembled streams; Reassembly
	// bounds it (MaxBytes, MaxConns and MaxClosed are for the whole run,
	// split among the workers). NoReassembly turns both off.
	Stream       stream.Options
	Reassembly   reassembly.Config
	NoReassembly bool
	// Flows configures the connection tables; MaxFlows is for the whole
	// run, split among the workers. Emit is set per worker.
	Flows flow.Config
	// Profiles configures the DeviceProfile and IPProfile store (GeoIP,
	// bounds); which records it writes follows Include/Exclude.
	Profiles profile.Config
	// Defrag bounds the IP datagrams waiting for their fragments.
	Defrag DefragConfig
	// MemoryBudget, when above zero, is the run's memory in bytes: it sets
	// every table limit above left at zero (BudgetLimits) and the Go
	// runtime's soft memory limit while the run lasts.
	MemoryBudget int64
	// Monitor, when set, shows the run's counters while it goes.
	Monitor *Monitor
	// FlushInterval, when positive, is how often (wall time) every
	// worker hands its buffered records to the sink and the sink pushes
	// its files to disk (ncio.Syncer): a killed run leaves readable
	// files holding every record written before the last flush.
	FlushInterval time.Duration
}

// Summary is what a run did.
type Summary struct {
	Source  string
	Packets int64
	Bytes   int64
	Elapsed time.Duration
	Workers int
	Stats   packet.Stats
	Warning error // input ended early (a truncated file); records up to it were written
	Stopped bool  // the run stopped before the end of input (context cancelled, write error)
	// InputOffset and InputSize are how far into its file a file source
	// got and the file's size (0 for other sources).
	InputOffset, InputSize int64
	// StopReason (what stopped the run: "interrupted by SIGINT") and
	// InputPackets (the input's packets, 0 when unknown) are for
	// StopLine; the caller sets them.
	StopReason   string
	InputPackets int64
	LinkType     map[string]int64
	// Limits are the table limits the memory budget set (nil without
	// a budget).
	Limits *Limits
	// Reassembly and Defrag count what stream reassembly and IP
	// defragmentation did.
	Reassembly reassembly.Stats
	Defrag     DefragStats
	// StoreDrops counts records the bounded run-wide stores dropped.
	StoreDrops map[string]int64
	// Records counts the records written, by type.
	Records map[string]int64
	// Flows counts what the connection tables did.
	Flows flow.Stats
	// Filtered counts packets the filter rejected (file sources).
	Filtered int64
	// Live holds the live source's counters at the end (nil for files).
	Live *source.LiveStats
	// Profiles counts what the profile store did.
	Profiles profile.Stats
	// Oversize counts frames of a capture file captured longer than
	// their original length or the snap length (decoded as captured).
	Oversize source.Oversize
}

// PacketsPerSecond returns the decode rate.
func (s *Summary) PacketsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Packets) / s.Elapsed.Seconds()
}
