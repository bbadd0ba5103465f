package io

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/netcap-go/netcap/types"
)

// FuzzParquetRoundTrip: any record (decoded from fuzzed bytes) written as
// Parquet reads back, through RecordFromParquetRow, as the same record.
// (The fuzzing is of netcap's writer and reader; damaged Parquet files
// are not an input netcap reads from users.)
func FuzzParquetRoundTrip(f *testing.F) {
	for _, m := range []proto.Message{
		&types.TCP{SrcPort: 80, Options: []*types.TCPOption{{OptionType: 2, OptionData: []byte{5, 0xb4}}}, Payload: []byte("x")},
		&types.DNS{ID: 7, Questions: []*types.DNSQuestion{{Name: "example.test", Type: 1}}},
		&types.HTTP{Method: "GET", RequestHeader: map[string]string{"Host": "a"}, ReqCookies: []*types.HTTPCookie{{Name: "n", Value: "v"}}},
	} {
		b, _ := proto.Marshal(m)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range []types.Type{types.Type_NC_TCP, types.Type_NC_DNS, types.Type_NC_HTTP, types.Type_NC_IPProfile} {
			m, _ := types.NewRecord(typ)
			if proto.Unmarshal(b, m) != nil {
				continue
			}
			proto.Reset(m)
			proto.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, m)
			var buf bytes.Buffer
			w, err := NewParquetWriter(&buf, m.ProtoReflect().Descriptor(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(m); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			rows, err := ReadParquetRows(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil || len(rows) != 1 {
				t.Fatalf("%s: %d rows, %v", typ.Name(), len(rows), err)
			}
			back, _ := types.NewRecord(typ)
			if err := RecordFromParquetRow(back, rows[0]); err != nil {
				t.Fatalf("%s: %v", typ.Name(), err)
			}
			if !proto.Equal(m, back) {
				t.Fatalf("%s: round trip changed the record\n in: %v\nout: %v", typ.Name(), m, back)
			}
		}
	})
}
