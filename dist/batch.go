// Package dist carries audit records from capturing agents to a collector
// over NATS JetStream: `net agent` publishes batches of records (one type
// per batch, zstd-compressed), `net collect` consumes them from a durable
// consumer and writes the same record files as `net capture`.
//
// Delivery is exactly-once into the files: every batch has a message ID
// (agent, run, sequence), so JetStream drops a batch an agent publishes
// twice; the collector acknowledges batches only once their records are
// durable in the files (a checkpoint: compressed member closed, fsynced,
// file sizes and the applied sequences written to a state file), and on
// restart cuts its files back to the last checkpoint, so a batch
// redelivered after a crash is written once.
//
// It reads and writes record files (io, delimited) and must not import the
// capture engine or the decoders: net agent runs a capture into its
// Publisher through cmd/net.
package dist

import (
	"bytes"
	"errors"
	"fmt"
	goio "io"
	"regexp"
	"strconv"

	"github.com/klauspost/compress/zstd"
	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/delimited"
	"github.com/netcap-go/netcap/types"
)

// Names on the NATS side.
const (
	StreamName    = "NETCAP"
	SubjectPrefix = "netcap.records"
	ConsumerName  = "netcap-collector"
)

// Message headers of a batch.
const (
	HdrAgent    = "Netcap-Agent"
	HdrRun      = "Netcap-Run"
	HdrSeq      = "Netcap-Seq"
	HdrType     = "Netcap-Type"
	HdrRecords  = "Netcap-Records"
	HdrSource   = "Netcap-Source"
	HdrPayloads = "Netcap-Payloads"
)

// MaxBatchBytes bounds a batch's decompressed size: a message that claims
// more is refused (a decompression bomb cannot grow the collector).
const MaxBatchBytes = 32 << 20

// Batch is one message: records of one type from one agent.
type Batch struct {
	Agent    string
	Run      string // the agent run's start (Unix ns): sequences restart per run
	Seq      uint64
	Type     types.Type
	Records  int
	Source   string // the agent's input (file or interface)
	Payloads bool
	Data     []byte // zstd of the framed records
}

var agentID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidAgentID reports whether id can name an agent: it becomes a NATS
// subject token and a directory name.
func ValidAgentID(id string) error {
	if !agentID.MatchString(id) {
		return fmt.Errorf("agent id %q: use 1-64 letters, digits, '-' or '_'", id)
	}
	return nil
}

// MsgID is the JetStream message ID: the same batch always has the same.
func (b *Batch) MsgID() string {
	return b.Agent + "/" + b.Run + "/" + strconv.FormatUint(b.Seq, 10)
}

// Subject is where the batch is published.
func (b *Batch) Subject() string {
	return SubjectPrefix + "." + b.Agent + "." + b.Type.Name()
}

// Size is what the batch holds in memory.
func (b *Batch) Size() int { return len(b.Data) + 256 }

// Msg builds the NATS message.
func (b *Batch) Msg() *nats.Msg {
	m := nats.NewMsg(b.Subject())
	m.Header.Set(HdrAgent, b.Agent)
	m.Header.Set(HdrRun, b.Run)
	m.Header.Set(HdrSeq, strconv.FormatUint(b.Seq, 10))
	m.Header.Set(HdrType, b.Type.Name())
	m.Header.Set(HdrRecords, strconv.Itoa(b.Records))
	m.Header.Set(HdrSource, b.Source)
	m.Header.Set(HdrPayloads, strconv.FormatBool(b.Payloads))
	m.Header.Set(nats.MsgIdHdr, b.MsgID())
	m.Data = b.Data
	return m
}

// ParseBatch reads a batch from a message's headers and data.
func ParseBatch(h nats.Header, data []byte) (*Batch, error) {
	b := &Batch{Agent: h.Get(HdrAgent), Run: h.Get(HdrRun), Source: h.Get(HdrSource), Data: data}
	if err := ValidAgentID(b.Agent); err != nil {
		return nil, err
	}
	if _, err := strconv.ParseUint(b.Run, 10, 64); err != nil {
		return nil, fmt.Errorf("bad %s %q", HdrRun, b.Run)
	}
	var err error
	if b.Seq, err = strconv.ParseUint(h.Get(HdrSeq), 10, 64); err != nil {
		return nil, fmt.Errorf("bad %s %q", HdrSeq, h.Get(HdrSeq))
	}
	t, ok := types.TypeByName(h.Get(HdrType))
	if !ok {
		return nil, fmt.Errorf("unknown record type %q", h.Get(HdrType))
	}
	b.Type = t
	if b.Records, err = strconv.Atoi(h.Get(HdrRecords)); err != nil || b.Records <= 0 {
		return nil, fmt.Errorf("bad %s %q", HdrRecords, h.Get(HdrRecords))
	}
	b.Payloads = h.Get(HdrPayloads) == "true"
	return b, nil
}

var (
	encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	decoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxBatchBytes))
)

// Compress returns the zstd of framed records.
func Compress(framed []byte) []byte { return encoder.EncodeAll(framed, nil) }

// Framed decompresses the batch and checks every record: the framing
// holds exactly Records records of Type, each of which unmarshals. It
// returns the framed bytes, ready for io.FileWriter.WriteFramed.
func (b *Batch) Framed() ([]byte, error) { return b.FramedEach(nil) }

// FramedEach is Framed that also hands every decoded record to each
// (valid until each returns), when each is not nil; a batch that fails
// the checks may have handed some already.
func (b *Batch) FramedEach(each func(types.Type, proto.Message)) ([]byte, error) {
	framed, err := decoder.DecodeAll(b.Data, nil)
	if err != nil {
		return nil, fmt.Errorf("batch %s: %w", b.MsgID(), err)
	}
	if len(framed) > MaxBatchBytes {
		return nil, fmt.Errorf("batch %s: %d bytes decompressed, over %d", b.MsgID(), len(framed), MaxBatchBytes)
	}
	m, err := types.NewRecord(b.Type)
	if err != nil {
		return nil, err
	}
	r := delimited.NewReader(bytes.NewReader(framed))
	n := 0
	for {
		rec, err := r.NextBytes()
		if errors.Is(err, goio.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("batch %s: record %d: %w", b.MsgID(), n+1, err)
		}
		proto.Reset(m)
		if err := proto.Unmarshal(rec, m); err != nil {
			return nil, fmt.Errorf("batch %s: record %d is no %s: %w", b.MsgID(), n+1, b.Type.Name(), err)
		}
		n++
		if each != nil {
			each(b.Type, m)
		}
	}
	if n != b.Records {
		return nil, fmt.Errorf("batch %s: %d records, header says %d", b.MsgID(), n, b.Records)
	}
	return framed, nil
}
