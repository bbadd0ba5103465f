package source

import (
	"errors"
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
