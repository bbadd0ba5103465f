package source

import "fmt"

// Oversize counts the frames of a capture file whose captured length is
// larger than the length the file gives for the frame on the wire, or
// than the snap length of the file (pcap) or of the frame's interface
// (pcapng). A correct writer never does either, so the file is damaged
// or its writer wrong; Wireshark decodes such frames as captured (and
// flags the first kind), and so does the reader: nothing is cut, the
// frames are counted and the run warns once.
type Oversize struct {
	OverOriginal int64 // captured length > original length
	OverSnap     int64 // captured length > snap length
	// First describes the first such frame, by its number in the file.
	First string
}

// Any reports whether a frame was oversized.
func (o Oversize) Any() bool { return o.OverOriginal+o.OverSnap > 0 }

// Warning is the one line a run logs about oversized frames.
func (o Oversize) Warning() string {
	return fmt.Sprintf("%d frames have a captured length larger than their original length and %d larger than the snap length; they are decoded as captured (first: %s)",
		o.OverOriginal, o.OverSnap, o.First)
}

// check counts frame number n when its captured length is over its
// original length or over snapLen (0: the file sets none).
func (o *Oversize) check(n int, capLen, origLen, snapLen uint32) {
	overOrig, overSnap := capLen > origLen, snapLen > 0 && capLen > snapLen
	if !overOrig && !overSnap {
		return
	}
	if overOrig {
		o.OverOriginal++
	}
	if overSnap {
		o.OverSnap++
	}
	if o.First == "" {
		o.First = fmt.Sprintf("packet %d: captured length %d, original length %d, snap length %d", n, capLen, origLen, snapLen)
	}
}

// OversizeCounter is a source that counts oversized frames (the file readers).
type OversizeCounter interface{ Oversized() Oversize }

// Oversized returns the oversized frames read so far.
func (f *File) Oversized() Oversize {
	if c, ok := f.PacketSource.(OversizeCounter); ok {
		return c.Oversized()
	}
	return Oversize{}
}
