package collector

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// CountPackets counts the packets of a capture file for at most limit,
// for "N of M packets" when a run stops early; complete is false when
// the count did not reach the end in time (or the file does not read
// to its end).
func CountPackets(path string, limit time.Duration) (n int64, complete bool) {
	// Only a regular file: a named pipe would block, stdin is spent.
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return 0, false
	}
	f, err := OpenFile(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	deadline := time.Now().Add(limit)
	for {
		_, _, err := f.ReadPacket()
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil {
			return n, false
		}
		n++
		if n%4096 == 0 && time.Now().After(deadline) {
			return n, false
		}
	}
}

// StopLine says how far a run that stopped early got ("" when it read
// its input to the end): "interrupted by SIGINT after 1200 of 4400
// packets (27 %)". InputPackets is the input's packet count when known.
func (s *Summary) StopLine() string {
	if !s.Stopped {
		return ""
	}
	read := s.Packets + s.Filtered
	switch {
	case s.InputPackets > 0:
		return fmt.Sprintf("%s after %d of %d packets (%.0f %%)", s.StopReason, read, s.InputPackets, percent(read, s.InputPackets))
	case s.InputSize > 0:
		return fmt.Sprintf("%s after %d packets, %.0f %% of the file", s.StopReason, read, percent(s.InputOffset, s.InputSize))
	}
	return fmt.Sprintf("%s after %d packets", s.StopReason, read)
}

func percent(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return min(100, 100*float64(a)/float64(b))
}
