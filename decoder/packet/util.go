package packet

import (
	"math"
	"net"
)

// entropy returns the Shannon entropy of data in bits per byte (0 to 8).
func entropy(data []byte) float64 {
	if len(data) == 0 {
		return 0
	}
	var counts [256]int
	for _, b := range data {
		counts[b]++
	}
	n := float64(len(data))
	e := 0.0
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		e -= p * math.Log2(p)
	}
	return e
}

// payloadStats returns the entropy (when asked for) and size of a payload.
func payloadStats(p *Packet, payload []byte) (float64, int32) {
	if p.Opts != nil && p.Opts.Entropy {
		return entropy(payload), int32(len(payload))
	}
	return 0, int32(len(payload))
}

// keepPayload copies payload when the run keeps payloads (-payload).
func keepPayload(p *Packet, payload []byte) []byte {
	if p.Opts == nil || !p.Opts.Payloads || len(payload) == 0 {
		return nil
	}
	return append([]byte(nil), payload...)
}

// copyBytes copies b; records must not alias packet buffers.
func copyBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// macString formats a hardware address; empty stays empty.
func macString(hw net.HardwareAddr) string {
	if len(hw) == 0 {
		return ""
	}
	return hw.String()
}
