package delimited

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/internal/testutil"
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

// TestAppendSizes: records whose length prefix takes 1, 2, 3 and 4 bytes
// (one byte is reserved, and the record moved for more) read back intact and
// are framed exactly as protodelim frames them.
func TestAppendSizes(t *testing.T) {
	var b []byte
	var want []*types.TCP
	for _, n := range []int{0, 10, 120, 127, 128, 16383, 16384, 20000, 2_100_000} {
		m := &types.TCP{Timestamp: int64(n), Payload: bytes.Repeat([]byte{'x'}, n)}
		want = append(want, m)
		var err error
		if b, err = Append(b, m); err != nil {
			t.Fatal(err)
		}
	}
	var ref bytes.Buffer
	for _, m := range want {
		if _, err := protodelim.MarshalTo(&ref, m); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(b, ref.Bytes()) {
		t.Fatal("framing differs from protodelim")
	}
	r := NewReader(bytes.NewReader(b))
	for _, w := range want {
		got := &types.TCP{}
		if err := r.Next(got); err != nil {
			t.Fatal(err)
		}
		if got.Timestamp != w.Timestamp || len(got.Payload) != len(w.Payload) {
			t.Fatalf("record %d: got %d bytes", w.Timestamp, len(got.Payload))
		}
	}
}

// TestAppendHint: with any prefix given, records of every length class
// are framed as protodelim frames them, and the prefix returned is the
// one their length took.
func TestAppendHint(t *testing.T) {
	for _, n := range []int{0, 100, 127, 128, 16383, 16384, 2_100_000} {
		m := &types.TCP{Timestamp: int64(n), Payload: bytes.Repeat([]byte{'x'}, n)}
		var want bytes.Buffer
		if _, err := protodelim.MarshalTo(&want, m); err != nil {
			t.Fatal(err)
		}
		for prefix := range 7 {
			got, used, err := AppendHint([]byte("head"), m, prefix)
			if err != nil || !bytes.Equal(got, append([]byte("head"), want.Bytes()...)) {
				t.Fatalf("length %d, prefix %d: framing differs (%v)", n, prefix, err)
			}
			if _, size := protowire.ConsumeVarint(got[4:]); used != size {
				t.Fatalf("length %d, prefix %d: %d returned, prefix takes %d", n, prefix, used, size)
			}
		}
	}
}

// BenchmarkAppend frames the sample records one by one into a reused
// buffer, as a record file is written.
func BenchmarkAppend(b *testing.B) {
	benchmarkRecords(b, func(buf []byte, m proto.Message, _ int) ([]byte, int, error) {
		buf, err := Append(buf, m)
		return buf, 0, err
	})
}

// BenchmarkAppendHint is BenchmarkAppend with the prefix of the last
// record reserved, as the batches of a type are written.
func BenchmarkAppendHint(b *testing.B) { benchmarkRecords(b, AppendHint) }

func benchmarkRecords(b *testing.B, appendRecord func([]byte, proto.Message, int) ([]byte, int, error)) {
	for _, rec := range testutil.SampleRecords(b) {
		b.Run(string(rec.ProtoReflect().Descriptor().Name()), func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 4096)
			prefix := 0
			for b.Loop() {
				var err error
				if buf, prefix, err = appendRecord(buf[:0], rec, prefix); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
// TestNextBytesAcrossBuffer: records read in place from the buffer and
// records (and length prefixes) that cross its end, read by copying, come
// back the same, whatever the buffer's size.
func TestNextBytesAcrossBuffer(t *testing.T) {
	var stream []byte
	var records [][]byte
	for i := range 300 {
		rec := bytes.Repeat([]byte{byte(i)}, i*7%200) // lengths of one and two bytes
		records = append(records, rec)
		stream = protowire.AppendBytes(stream, rec)
	}
	for _, size := range []int{16, 100, 4096} {
		r := NewReader(bufio.NewReaderSize(bytes.NewReader(stream), size))
		for i, want := range records {
			got, err := r.NextBytes()
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("buffer %d, record %d: %v, %d bytes, want %d", size, i, err, len(got), len(want))
			}
		}
		if _, err := r.NextBytes(); err != io.EOF {
			t.Fatalf("buffer %d, end: %v", size, err)
		}
	}
}
