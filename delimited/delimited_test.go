package delimited

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/netcap-go/netcap/types"
)

func TestRoundTripAndErrors(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for i := range 100 {
		if err := w.Write(&types.UDP{Timestamp: int64(i), SrcPort: int32(i), SrcIP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	}
	// An empty record is framed as length 0 and reads back.
	if err := w.Write(&types.UDP{}); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	r := NewReader(bytes.NewReader(data))
	m := &types.UDP{}
	for i := range 100 {
		if err := r.Next(m); err != nil || m.SrcPort != int32(i) || m.SrcIP != "192.0.2.1" {
			t.Fatalf("record %d: %v %v", i, m, err)
		}
	}
	if err := r.Next(m); err != nil || m.SrcPort != 0 {
		t.Fatalf("empty record: %v %v", m, err)
	}
	if err := r.Next(m); err != io.EOF {
		t.Fatalf("end: %v, want EOF", err)
	}
	// Cut inside the last non-empty record's body, and inside a length.
	for _, cut := range []int{len(data) - 3, 1} {
		r := NewReader(bytes.NewReader(data[:cut]))
		var err error
		for err == nil {
			err = r.Next(m)
		}
		if !errors.Is(err, ErrTruncated) {
			t.Errorf("cut at %d: %v, want ErrTruncated", cut, err)
		}
	}
	// A length beyond the limit is refused before allocating.
	huge := protowire.AppendVarint(nil, MaxRecordSize+1)
	if _, err := NewReader(bytes.NewReader(huge)).NextBytes(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge length: %v, want ErrTooLarge", err)
	}
}
