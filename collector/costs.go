package collector

// What one entry of each table that grows with traffic costs: the heap it
// keeps alive, measured by BenchmarkEntryBytes (budget_test.go) on
// linux/amd64 with the entries a run makes of realistic traffic, at
// 60,000, 100,000 and 140,000 entries (a map's cost per entry depends on
// how full it is), and rounded up past the largest. Re-measure with
//
//	go test -run '^$' -bench EntryBytes -benchtime 1x ./collector
//
// which fails when an entry has grown past its constant by a fifth.
const (
	// FlowEntryBytes is a connection of a decoder/flow table: its Conn
	// (both directions' statistics), map slot and Community ID
	// (measured 554-616).
	FlowEntryBytes = 640
	// ReassemblyConnBytes is a reassembly connection with its stream
	// handler: an HTTP request waiting for its response (measured
	// 2652-2719; a UDP conversation of one datagram costs 836-899).
	ReassemblyConnBytes = 2800
	// ProfileBytes is a host in the profile store: its IPProfile and
	// DeviceProfile with three ports, one contact and one address, and
	// the DNS names kept for two addresses not profiled yet (measured
	// 1432-1544).
	ProfileBytes = 1600
	// ServiceBytes is a service of the run-wide store: a server that
	// answered one conversation (measured 386-426).
	ServiceBytes = 448
	// SoftwareBytes is a software product seen in one flow (measured
	// 247-346).
	SoftwareBytes = 384
	// ClosedConnBytes is a closed connection the reassembly remembers to
	// recognise late retransmissions (measured 342-348, at 60,000).
	ClosedConnBytes = 368
	// DefragDatagramBytes is a datagram waiting for fragments, besides
	// the bytes it holds (measured 233-279).
	DefragDatagramBytes = 288
	// RecordFileBytes is an open gzip record file: its 1 MiB write
	// buffer and the compressor (measured 1.89 MB), and its queue (io's
	// fileQueue): up to two batches waiting, one being compressed and one
	// spare, 256 KiB each.
	RecordFileBytes = 3 << 20
)
