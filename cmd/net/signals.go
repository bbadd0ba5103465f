package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// exitError ends the command with status code; err, when set, is
// printed as usual.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// signalStatus is the shell's exit status for a run ended by sig: 128
// plus the signal number (130 for SIGINT, 143 for SIGTERM).
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 1
}

func signalName(sig os.Signal) string {
	switch sig {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// stopSignals cancels a context at the first SIGINT or SIGTERM and
// remembers which one came.
type stopSignals struct {
	mu     sync.Mutex
	first  os.Signal
	ch     chan os.Signal
	cancel context.CancelFunc
}

// notifyStop returns a context that the first SIGINT or SIGTERM cancels.
func notifyStop(parent context.Context) (context.Context, *stopSignals) {
	ctx, cancel := context.WithCancel(parent)
	s := &stopSignals{ch: make(chan os.Signal, 1), cancel: cancel}
	signal.Notify(s.ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-s.ch:
			s.mu.Lock()
			s.first = sig
			s.mu.Unlock()
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, s
}

// Signal returns the signal that stopped the run (nil: none).
func (s *stopSignals) Signal() os.Signal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// Stop stops listening.
func (s *stopSignals) Stop() {
	signal.Stop(s.ch)
	s.cancel()
}
