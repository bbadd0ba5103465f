package types_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/netcap-go/netcap/types"
	"github.com/netcap-go/netcap/types/internal/prototest"
)

// columnFormats are the formats net dump's flags give: the default, -utc,
// -epoch, and other -begin, -end and -struct-sep marks.
var columnFormats = []types.Format{
	types.DefaultFormat,
	{Time: types.TimeUTC, Begin: "(", End: ")", Sep: ";"},
	{Time: types.TimeEpoch, Begin: "(", End: ")", Sep: ";"},
	{Time: types.TimeLocal, Begin: "{", End: "}", Sep: "/"},
	{Time: types.TimeUTC, Begin: "<<", End: "", Sep: ", "},
}

// TestColumnsMatchRow: Columns renders random records of every message
// type of netcap.proto (maps, nil list items, control characters and
// invalid UTF-8 too) as Format.Row does, in every format, for all fields
// and for a selection in another order, with the local time zone UTC and
// one with daylight saving time; and each type has a plan, so the
// comparison is with the plan, not with Format.Row itself.
func TestColumnsMatchRow(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	defer func(local *time.Location) { time.Local = local }(time.Local)
	r := rand.New(rand.NewPCG(3, 4))
	messages := types.File_types_netcap_proto.Messages()
	for _, local := range []*time.Location{time.UTC, ny} {
		time.Local = local
		for i := range messages.Len() {
			mt, err := protoregistry.GlobalTypes.FindMessageByName(messages.Get(i).FullName())
			if err != nil {
				t.Fatal(err)
			}
			compareColumns(t, r, mt)
		}
	}
}

func compareColumns(t *testing.T, r *rand.Rand, mt protoreflect.MessageType) {
	md := mt.Descriptor()
	all := types.Fields(md)
	var some []protoreflect.FieldDescriptor
	for i := len(all) - 1; i >= 0; i -= 2 {
		some = append(some, all[i])
	}
	records := make([]proto.Message, 40)
	for i := range records {
		m := mt.New()
		fillAll(r, m, 2)
		records[i] = m.Interface()
	}
	for _, f := range columnFormats {
		for _, fields := range [][]protoreflect.FieldDescriptor{all, some} {
			c := f.Columns(mt.New().Interface(), fields)
			if !types.Planned(c) {
				t.Fatalf("%s has no plan", md.Name())
			}
			row := types.TextRow{Sep: "\t"}
			for _, m := range records {
				row.Reset()
				c.Append(&row, m)
				want := strings.Join(f.Row(nil, m, fields), "\t")
				if string(row.Text) != want {
					t.Fatalf("%s in %+v:\n got %q\nwant %q", md.Name(), f, row.Text, want)
				}
			}
		}
	}
}

// fillAll sets fields of m to random values, as fill does, and maps too,
// to a depth of nested messages; strings hold any byte now and then.
func fillAll(r *rand.Rand, m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if r.IntN(4) == 0 || depth == 0 && fd.Message() != nil {
			continue
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for range r.IntN(4) {
				k := randomValue(r, fd.MapKey(), depth).MapKey()
				mp.Set(k, randomValue(r, fd.MapValue(), depth))
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for range r.IntN(4) {
				l.Append(randomValue(r, fd, depth))
			}
		default:
			m.Set(fd, randomValue(r, fd, depth))
		}
	}
}

func randomValue(r *rand.Rand, fd protoreflect.FieldDescriptor, depth int) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.MessageKind:
		mt, _ := protoregistry.GlobalTypes.FindMessageByName(fd.Message().FullName())
		m := mt.New()
		fillAll(r, m, depth-1)
		return protoreflect.ValueOfMessage(m)
	case protoreflect.StringKind:
		if r.IntN(3) == 0 {
			b := make([]byte, r.IntN(12))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return protoreflect.ValueOfString(string(b))
		}
	case protoreflect.EnumKind:
		return protoreflect.ValueOfEnum(protoreflect.EnumNumber(r.IntN(300) - 10))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(60)-30))))
	case protoreflect.DoubleKind:
		if r.IntN(2) == 0 { // large and small magnitudes, infinities
			return protoreflect.ValueOfFloat64(r.NormFloat64() * math.Pow(10, float64(r.IntN(700)-350)))
		}
	case protoreflect.Uint64Kind, protoreflect.Int64Kind:
		if fd.Name() == "Timestamp" && r.IntN(2) == 0 { // a time of this century
			return protoreflect.ValueOfInt64(1_000_000_000e9 + r.Int64N(2_000_000_000e9))
		}
	}
	return prototest.Scalar(r, fd)
}

// TestColumnsNilItems: a nil message in a list or map is written as the
// empty message, as protobuf reflection reads it.
func TestColumnsNilItems(t *testing.T) {
	rec := &types.TCP{Options: []*types.TCPOption{{OptionType: 2}, nil}}
	profile := &types.IPProfile{Protocols: map[string]*types.Protocol{"a": nil, "b": {Packets: 3}}}
	for _, m := range []proto.Message{rec, profile} {
		fields := types.Fields(m.ProtoReflect().Descriptor())
		row := types.TextRow{Sep: ","}
		types.DefaultFormat.Columns(m, fields).Append(&row, m)
		if want := strings.Join(types.DefaultFormat.Row(nil, m, fields), ","); string(row.Text) != want {
			t.Errorf("%T:\n got %q\nwant %q", m, row.Text, want)
		}
	}
}

// TestColumnsWithoutPlan: a message the plan does not cover (a oneof) is
// rendered by Format.Row, as are records of another type than planned.
func TestColumnsWithoutPlan(t *testing.T) {
	v := structpb.NewStringValue("text")
	fields := types.Fields(v.ProtoReflect().Descriptor())
	c := types.DefaultFormat.Columns(v, fields)
	if types.Planned(c) {
		t.Fatal("a oneof has a plan")
	}
	row := types.TextRow{Sep: ","}
	c.Append(&row, v)
	if want := strings.Join(types.DefaultFormat.Row(nil, v, fields), ","); string(row.Text) != want || row.Len() != len(fields) {
		t.Errorf("got %q, want %q", row.Text, want)
	}
	row.Reset()
	row.AppendColumn("label")
	if row.Len() != 1 || string(row.Column(0)) != "label" {
		t.Errorf("AppendColumn: %q", row.Text)
	}
}

// BenchmarkColumns renders the columns of a TCP record with the options of
// a SYN (the bulk of a dump) into a reused row.
func BenchmarkColumns(b *testing.B) {
	rec := packetRecords()[2].(*types.TCP)
	c := types.DefaultFormat.Columns(rec, types.Fields(rec.ProtoReflect().Descriptor()))
	row := types.TextRow{Sep: ","}
	b.ReportAllocs()
	for b.Loop() {
		row.Reset()
		c.Append(&row, rec)
	}
	if row.Len() != 26 {
		b.Fatal(fmt.Sprint(row.Len(), " columns"))
	}
}
