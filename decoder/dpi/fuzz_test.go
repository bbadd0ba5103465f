package dpi_test

import (
	"slices"
	"testing"

	"github.com/netcap-go/netcap/decoder/dpi"
)

// FuzzDetect feeds Detect arbitrary transports, ports, directions and
// payloads: it must not panic and may only return "" or a name from Names
// (which has a category).
func FuzzDetect(f *testing.F) {
	for _, c := range positiveCases(f) {
		f.Add(uint8(c.t), c.sport, c.dport, c.fromClient, c.payload)
	}
	f.Add(uint8(6), uint16(0), uint16(0), false, []byte{})
	f.Add(uint8(17), uint16(123), uint16(123), true, []byte{0x23})
	names := dpi.Names()
	f.Fuzz(func(t *testing.T, tr uint8, sport, dport uint16, fromClient bool, payload []byte) {
		// Mostly TCP and UDP, sometimes anything.
		switch tr % 3 {
		case 0:
			tr = uint8(dpi.TCP)
		case 1:
			tr = uint8(dpi.UDP)
		}
		got := dpi.Detect(dpi.Transport(tr), sport, dport, fromClient, payload)
		if got == "" {
			return
		}
		if !slices.Contains(names, got) || dpi.Category(got) == "" {
			t.Fatalf("Detect returned %q, which Names/Category do not know", got)
		}
	})
}
