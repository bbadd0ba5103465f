package collector

import (
	"fmt"
)

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
