package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/netcap-go/netcap/collector"
	ncio "github.com/netcap-go/netcap/io"
)

// captureStop is how a capture ends early. The first SIGINT or SIGTERM
// (or -duration, or the agent's stop) cancels the run, which drains and
// flushes every record. A second interrupt closes the record files as
// they are and ends the command at once with 128+signal: the run gets a
// moment to notice its closed files, and what it still holds open
// (abandoned) is not closed under it.
type captureStop struct {
	ctx       context.Context
	signals   *stopSignals
	sink      ncio.RecordSink // set once it is open
	cancels   []context.CancelFunc
	abandoned bool
}

// stopContext starts listening for the first interrupt.
func (o *captureOptions) stopContext() *captureStop {
	ctx, signals := notifyStop(context.Background())
	s := &captureStop{signals: signals}
	if o.stop != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		s.cancels = append(s.cancels, cancel)
		go func() {
			select {
			case <-o.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		s.cancels = append(s.cancels, cancel)
	}
	s.ctx = ctx
	return s
}

// release stops listening.
func (s *captureStop) release() {
	for _, cancel := range s.cancels {
		cancel()
	}
	s.signals.Stop()
}

// closeUnlessAbandoned returns a function for defer that closes c unless
// a second interrupt left the run working with it.
func (s *captureStop) closeUnlessAbandoned(c interface{ Close() error }) func() {
	return func() {
		if !s.abandoned {
			c.Close()
		}
	}
}

// run runs the capture until it returns or, after the first interrupt, a
// second one comes: forced is then the exit status to end with.
func (s *captureStop) run(capture func(context.Context) (*collector.Summary, error)) (sum *collector.Summary, err error, forced error) {
	type result struct {
		sum *collector.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := capture(s.ctx)
		done <- result{sum, err}
	}()
	select {
	case r := <-done:
		return r.sum, r.err, nil
	case <-s.ctx.Done():
	}
	second := make(chan os.Signal, 1)
	signal.Notify(second, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(second)
	select {
	case r := <-done:
		return r.sum, r.err, nil
	case sig := <-second:
		fmt.Fprintln(os.Stderr, "net: second interrupt: closing the record files as they are")
		s.sink.Close()
		select {
		case <-done: // the run saw its files closed and stopped
		case <-time.After(2 * time.Second):
			s.abandoned = true
		}
		return nil, nil, &exitError{code: signalStatus(sig)}
	}
}
