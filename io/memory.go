package io

import (
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// MemorySink keeps every record in memory, by type: for tests and for
// callers that consume records directly.
type MemorySink struct {
	mu      sync.Mutex
	records map[types.Type][]proto.Message
}

// NewMemorySink returns an empty sink.
func NewMemorySink() *MemorySink {
	return &MemorySink{records: map[types.Type][]proto.Message{}}
}

// NewEmitter returns an emitter that clones each record.
func (s *MemorySink) NewEmitter() Emitter {
	return &memoryEmitter{sink: s, pending: map[types.Type][]proto.Message{}}
}

// Close does nothing.
func (s *MemorySink) Close() error { return nil }

// Records returns the records of type t.
func (s *MemorySink) Records(t types.Type) []proto.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records[t]
}

// Types returns the record types present.
func (s *MemorySink) Types() []types.Type {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]types.Type, 0, len(s.records))
	for t := range s.records {
		out = append(out, t)
	}
	return out
}

type memoryEmitter struct {
	sink    *MemorySink
	pending map[types.Type][]proto.Message
}

func (e *memoryEmitter) Emit(t types.Type, m proto.Message) error {
	e.pending[t] = append(e.pending[t], proto.Clone(m))
	return nil
}

func (e *memoryEmitter) Flush() error {
	e.sink.mu.Lock()
	defer e.sink.mu.Unlock()
	for t, ms := range e.pending {
		e.sink.records[t] = append(e.sink.records[t], ms...)
	}
	clear(e.pending)
	return nil
}
