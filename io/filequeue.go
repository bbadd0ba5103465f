package io

import (
	"errors"
	"sync"
	"time"
)

// fileQueue hands batches of framed records to one goroutine that writes
// them (compressing them on the way), in the order they came. Workers
// then spend no time in the compressor and never wait for the file while
// another worker compresses into it; with two cores, compression runs
// beside decoding. The queue is short, so a slow disk or compressor
// still slows the workers down (memory stays bounded) and the order of
// batches, hence of records, is the order of push calls.
type fileQueue struct {
	write func(b []byte, n int, at time.Time) error
	items chan queued
	done  chan struct{}
	free  chan []byte // a spare copy to reuse

	mu     sync.RWMutex // push holds it to read; close to set closed
	closed bool

	errMu sync.Mutex
	err   error // the first error of write
}

// queued is a batch to write, or (barrier set) a request to say when
// every batch before it is written.
type queued struct {
	b       []byte
	n       int
	at      time.Time // when it was pushed: the clock file rotation reads
	barrier chan struct{}
}

// queueDepth is how many batches wait at most; with the emitters' 256 KiB
// batches, a file holds at most four copies (two waiting, one being
// written, one spare): collector.RecordFileBytes counts them.
const queueDepth = 2

func newFileQueue(write func(b []byte, n int, at time.Time) error) *fileQueue {
	q := &fileQueue{
		write: write,
		items: make(chan queued, queueDepth),
		done:  make(chan struct{}),
		free:  make(chan []byte, 1),
	}
	go q.run()
	return q
}

func (q *fileQueue) run() {
	defer close(q.done)
	for it := range q.items {
		if it.barrier != nil {
			close(it.barrier)
			continue
		}
		if q.failed() == nil {
			q.keep(q.write(it.b, it.n, it.at))
		}
		select {
		case q.free <- it.b[:0]:
		default:
		}
	}
}

// push queues a copy of b, which holds n framed records, handed over at
// at. It returns the first error writing the file, if there was one.
func (q *fileQueue) push(b []byte, n int, at time.Time) error {
	if err := q.failed(); err != nil {
		return err
	}
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return errors.New("record files already closed")
	}
	var c []byte
	select {
	case c = <-q.free:
	default:
	}
	q.items <- queued{b: append(c, b...), n: n, at: at}
	return nil
}

// drain waits until every batch queued so far is written, and returns
// the first error writing the file.
func (q *fileQueue) drain() error {
	q.mu.RLock()
	if !q.closed {
		barrier := make(chan struct{})
		q.items <- queued{barrier: barrier}
		q.mu.RUnlock()
		<-barrier
	} else {
		q.mu.RUnlock()
	}
	return q.failed()
}

// close writes what is queued and stops the goroutine; pushes after it
// fail.
func (q *fileQueue) close() error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.items)
	}
	q.mu.Unlock()
	<-q.done
	return q.failed()
}

func (q *fileQueue) keep(err error) {
	if err == nil {
		return
	}
	q.errMu.Lock()
	if q.err == nil {
		q.err = err
	}
	q.errMu.Unlock()
}

func (q *fileQueue) failed() error {
	q.errMu.Lock()
	defer q.errMu.Unlock()
	return q.err
}
