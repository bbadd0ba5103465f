package collector

import (
	"sync/atomic"

	"github.com/netcap-go/netcap/source"
)

const (
	batchPackets = 256
	batchBytes   = 512 << 10
)

type batchPacket struct {
	off, n int
	ci     source.CaptureInfo
	// defragOff/defragN locate the payload of the datagram this fragment
	// completed, in the batch's arena; defragN is 0 for other packets.
	defragOff, defragN int
	// now is the capture's clock at this packet: the latest time read so
	// far (stream timeouts use it, see reassembly.Assembler.Advance).
	now int64
	// tick marks no packet: the clock moved on (live capture).
	tick bool
	// flush marks no packet: hand the buffered records to the sink; the
	// last worker to see the cycle syncs the sink.
	flush *flushCycle
}

// flushCycle is one periodic flush, shared by the workers' markers.
type flushCycle struct {
	left atomic.Int32
}

// packetBatch carries packets to one worker: one channel operation per
// batch, not per packet, and one copy of each frame into the arena.
type packetBatch struct {
	data []byte
	pkts []batchPacket
}

func newPacketBatch() *packetBatch {
	return &packetBatch{data: make([]byte, 0, batchBytes+65536), pkts: make([]batchPacket, 0, batchPackets)}
}
