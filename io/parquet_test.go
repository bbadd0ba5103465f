package io

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/netcap-go/netcap/types"
)

// labelColumns are the extra columns `net label` appends.
var labelColumns = []ParquetColumn{
	{Name: "label", Kind: ParquetString},
	{Name: "category", Kind: ParquetString},
	{Name: "severity", Kind: ParquetInt64},
	{Name: "alert_count", Kind: ParquetInt64},
}

const ts0 = int64(1_700_000_000_123_456_789)

func pqTCPRecords() []proto.Message {
	return []proto.Message{
		&types.TCP{
			Timestamp: ts0, SrcPort: 51234, DstPort: 443, SeqNum: 4_000_000_000, AckNum: 17,
			DataOffset: 8, SYN: true, ACK: true, Window: 65535, Checksum: -21555, Urgent: 3,
			Padding: []byte{0, 0},
			Options: []*types.TCPOption{
				{OptionType: 2, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
				{OptionType: 1, OptionLength: 1},
				{OptionType: 8, OptionLength: 10, OptionData: []byte{0, 0, 0, 1, 0, 0, 0, 2}},
			},
			PayloadEntropy: 7.25, PayloadSize: 5, Payload: []byte("GET /"),
			SrcIP: "10.0.0.1", DstIP: "2001:db8::1", CommunityID: "1:abc=",
		},
		// no options, no payload
		&types.TCP{Timestamp: ts0 + 1, SrcPort: 443, DstPort: 51234, FIN: true, RST: true, PSH: true,
			URG: true, ECE: true, CWR: true, NS: true, SrcIP: "2001:db8::1", DstIP: "10.0.0.1"},
		&types.TCP{},
	}
}

func pqHTTPRecords() []proto.Message {
	return []proto.Message{
		&types.HTTP{
			Timestamp: ts0, Proto: "HTTP/1.1", Method: "POST", Host: "example.com", UserAgent: "curl/8.0",
			Referer: "https://example.org/ä",
			ReqCookies: []*types.HTTPCookie{{Name: "sid", Value: "x1", Path: "/", Domain: "example.com", Expires: 1_900_000_000,
				MaxAge: 3600, Secure: true, HttpOnly: true, SameSite: 2}, {Name: "theme", Value: ""}},
			ReqContentLength: 11, URL: "/login?u=a&p=b", ResContentLength: -1, ContentType: "text/plain",
			StatusCode: 302, SrcIP: "192.168.1.2", DstIP: "93.184.216.34", ServerName: "example.com",
			ResCookies: []*types.HTTPCookie{{Name: "sid", Value: "y2"}},
			DoneAfter:  1500, DNSDoneAfter: -1, FirstByteAfter: 900, TLSDoneAfter: 0,
			RequestHeader:  map[string]string{"Host": "example.com", "Accept": "*/*", "X-Empty": ""},
			ResponseHeader: map[string]string{"Location": "/home"},
			Parameters:     map[string]string{"u": "a", "p": "b"},
			RequestBody:    []byte("u=a&p=b\x00\xff"), ResponseBody: nil,
			SrcPort: 40000, DstPort: 80, CommunityID: "1:xyz=",
		},
		&types.HTTP{Timestamp: ts0 + 5, Method: "GET", URL: "/", StatusCode: 200,
			ResponseBody: []byte("<html>")},
	}
}

func pqConnectionRecords() []proto.Message {
	return []proto.Message{
		&types.Connection{
			TimestampFirst: ts0, LinkProto: "Ethernet", NetworkProto: "IPv4", TransportProto: "TCP",
			ApplicationProto: "HTTP", SrcMAC: "00:11:22:33:44:55", DstMAC: "66:77:88:99:aa:bb",
			SrcIP: "10.0.0.1", SrcPort: "51234", DstIP: "10.0.0.2", DstPort: "80", TotalSize: 12345,
			AppPayloadSize: 1000, NumPackets: 12, UID: "C1", TimestampLast: ts0 + 2_000_000_000,
			Duration: 2_000_000_000, BytesServerToClient: 9000, BytesClientToServer: 3345,
			NumFINFlags: 2, NumRSTFlags: 0, NumACKFlags: 11, NumSYNFlags: 2, NumURGFlags: 1,
			NumECEFlags: 1, NumPSHFlags: 4, NumCWRFlags: 1, NumNSFlags: 1, MeanWindowSize: 29200,
			CommunityID: "1:c=", PacketsClientToServer: 6, PacketsServerToClient: 6,
			AppPayloadClientToServer: 300, AppPayloadServerToClient: 700, ConnState: "SF",
			FlushReason: "close", ServerName: "example.com",
		},
		&types.Connection{TimestampFirst: math.MinInt64, TimestampLast: math.MaxInt64, TotalSize: math.MinInt32,
			NumPackets: math.MaxInt32, ConnState: "S0"},
	}
}

func pqDNSRecords() []proto.Message {
	return []proto.Message{
		&types.DNS{
			Timestamp: ts0, ID: 4660, QR: true, OpCode: 0, AA: true, RD: true, RA: true, Z: 0,
			ResponseCode: 3, QDCount: 2, ANCount: 3, NSCount: 1, ARCount: 0,
			Questions: []*types.DNSQuestion{
				{Name: "example.com", Type: 1, Class: 1},
				{Name: "example.com", Type: 28, Class: 1},
			},
			Answers: []*types.DNSResourceRecord{
				{Name: "example.com", Type: 1, Class: 1, TTL: 3_600_000_000, DataLength: 4,
					Data: []byte{93, 184, 216, 34}, IP: "93.184.216.34"},
				{Name: "example.com", Type: 15, Class: 1, TTL: 60, MX: &types.DNSMX{Preference: 10, Name: "mx.example.com"}},
				{Name: "example.com", Type: 16, Class: 1, TXTs: [][]byte{[]byte("v=spf1 -all"), {}, []byte("x")}},
			},
			Authorities: []*types.DNSResourceRecord{
				{Name: "example.com", Type: 6, Class: 1, SOA: &types.DNSSOA{
					MName: []byte("ns.example.com"), RName: []byte("admin.example.com"),
					Serial: 2024010101, Refresh: 7200, Retry: 3600, Expire: 4_294_967_295, Minimum: 300}},
				{Name: "_sip._tcp.example.com", Type: 33, SRV: &types.DNSSRV{Priority: 1, Weight: 5, Port: 5060, Name: []byte("sip.example.com")},
					NS: []byte("ns1"), CNAME: []byte("alias"), PTR: []byte("ptr")},
			},
			SrcIP: "10.0.0.53", DstIP: "10.0.0.1", SrcPort: 53, DstPort: 40001, CommunityID: "1:d=",
		},
		// a query: no answers, authorities or additionals
		&types.DNS{Timestamp: ts0 + 9, ID: 1, RD: true, QDCount: 1,
			Questions: []*types.DNSQuestion{{Name: "a.b", Type: 1, Class: 1}}},
		&types.DNS{},
	}
}

func pqIPProfileRecords() []proto.Message {
	return []proto.Message{
		&types.IPProfile{
			Addr: "10.0.0.1", NumPackets: 99, Geolocation: "DE", DNSNames: []string{"a.example", "b.example"},
			TimestampFirst: ts0, TimestampLast: ts0 + 1, Applications: []string{"HTTP"},
			Ja3Hashes: map[string]string{"e7d705a3286e19ea42f587b344ee6865": "curl"},
			Protocols: map[string]*types.Protocol{
				"TCP": {Packets: math.MaxUint64, Category: "transport"},
				"UDP": {Packets: 3},
				"nil": nil,
			},
			Bytes: 1 << 63, SNIs: map[string]int64{"example.com": 4, "x.org": -1},
			SrcPorts: []*types.Port{{PortNumber: 443, Protocol: "TCP", Stats: &types.PortStats{Packets: 7, Bytes: 700}},
				{PortNumber: 53, Protocol: "UDP"}},
			ContactedPorts: []*types.Port{{PortNumber: 80}},
			CountryCode:    "DE", ASN: 4_200_000_000, ASOrg: "Example AS", MACs: []string{"00:11:22:33:44:55"},
		},
		&types.IPProfile{Addr: "::1"},
	}
}

func pqHeaderRecords() []proto.Message {
	return []proto.Message{
		&types.Header{Created: ts0, InputSource: "a.pcap", Type: types.Type_NC_TCP, Version: "v1", ContainsPayloads: true},
		&types.Header{Type: types.Type(9999)}, // no such enum value: written as its number
	}
}

// writeParquet writes recs (with extra values per record) and returns the file.
func writeParquet(t *testing.T, md protoreflect.MessageDescriptor, extra []ParquetColumn, recs []proto.Message, extraVals func(i int) []any, rowGroupRows int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := newParquetWriter(&buf, md, extra, rowGroupRows)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range recs {
		var ev []any
		if extraVals != nil {
			ev = extraVals(i)
		}
		if err := w.Write(m, ev...); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func labelValues(i int) []any {
	return []any{fmt.Sprintf("label-%d", i), []string{"", "ET SCAN", "malware"}[i%3], int64(i % 4), int64(i * 1000)}
}

func TestParquetRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		recs  []proto.Message
		extra []ParquetColumn
	}{
		{"TCP", pqTCPRecords(), labelColumns},
		{"TCP without extra columns", pqTCPRecords(), nil},
		{"HTTP", pqHTTPRecords(), labelColumns},
		{"Connection", pqConnectionRecords(), labelColumns},
		{"DNS", pqDNSRecords(), labelColumns},
		{"IPProfile", pqIPProfileRecords(), []ParquetColumn{{Name: "note", Kind: ParquetString}}},
		{"Header", pqHeaderRecords(), nil},
		{"no records", nil, labelColumns},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := (&types.TCP{}).ProtoReflect().Descriptor()
			if len(tt.recs) > 0 {
				md = tt.recs[0].ProtoReflect().Descriptor()
			}
			extraVals := func(i int) []any {
				if len(tt.extra) == 1 {
					return []any{"n" + strconv.Itoa(i)}
				}
				if tt.extra == nil {
					return nil
				}
				return labelValues(i)
			}
			data := writeParquet(t, md, tt.extra, tt.recs, extraVals, parquetRowGroupRows)
			rows, err := ReadParquetRows(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tt.recs) {
				t.Fatalf("read %d rows, wrote %d", len(rows), len(tt.recs))
			}
			for i, m := range tt.recs {
				want := expectRow(m.ProtoReflect(), 0)
				for j, c := range tt.extra {
					want[c.Name] = extraVals(i)[j]
				}
				compareRow(t, fmt.Sprintf("row %d", i), rows[i], want)
			}

			// The file's own schema: columns in field order, then the extras.
			f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			wantNames := types.FieldNames(types.Fields(md))
			for _, c := range tt.extra {
				wantNames = append(wantNames, c.Name)
			}
			var gotNames []string
			for _, fl := range f.Schema().Fields() {
				gotNames = append(gotNames, fl.Name())
			}
			if !slices.Equal(gotNames, wantNames) {
				t.Errorf("columns\n got %v\nwant %v", gotNames, wantNames)
			}
			if got := f.NumRows(); got != int64(len(tt.recs)) {
				t.Errorf("file has %d rows, want %d", got, len(tt.recs))
			}
			if v, ok := f.Lookup("netcap.type"); !ok || v != string(md.FullName()) {
				t.Errorf("netcap.type metadata = %q, %v", v, ok)
			}
			for _, c := range tt.extra {
				col := lookupColumn(t, f.Schema(), c.Name)
				switch c.Kind {
				case ParquetString:
					checkLeaf(t, col, parquet.ByteArray, "STRING")
				case ParquetInt64:
					checkLeaf(t, col, parquet.Int64, "INT(64,true)")
				}
			}
		})
	}
}

// TestParquetSchemaTypes checks the physical and logical types of some
// columns as parquet-go reads them from the file.
func TestParquetSchemaTypes(t *testing.T) {
	tests := []struct {
		name    string
		recs    []proto.Message
		path    []string
		kind    parquet.Kind
		logical string // "" for none; else a prefix of the logical type's String()
		maxRep  int
		maxDef  int
	}{
		{"TCP SrcPort", pqTCPRecords(), []string{"SrcPort"}, parquet.Int32, "INT(32,true)", 0, 0},
		{"TCP Timestamp", pqTCPRecords(), []string{"Timestamp"}, parquet.Int64, "TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)", 0, 0},
		{"TCP SeqNum", pqTCPRecords(), []string{"SeqNum"}, parquet.Int32, "INT(32,false)", 0, 0},
		{"TCP SYN", pqTCPRecords(), []string{"SYN"}, parquet.Boolean, "", 0, 0},
		{"TCP PayloadEntropy", pqTCPRecords(), []string{"PayloadEntropy"}, parquet.Double, "", 0, 0},
		{"TCP Payload", pqTCPRecords(), []string{"Payload"}, parquet.ByteArray, "", 0, 0},
		{"TCP SrcIP", pqTCPRecords(), []string{"SrcIP"}, parquet.ByteArray, "STRING", 0, 0},
		{"TCP option data", pqTCPRecords(), []string{"Options", "list", "element", "OptionData"}, parquet.ByteArray, "", 1, 1},
		{"HTTP request header key", pqHTTPRecords(), []string{"RequestHeader", "key_value", "key"}, parquet.ByteArray, "STRING", 1, 1},
		{"HTTP request header value", pqHTTPRecords(), []string{"RequestHeader", "key_value", "value"}, parquet.ByteArray, "STRING", 1, 1},
		{"HTTP cookie name", pqHTTPRecords(), []string{"ReqCookies", "list", "element", "Name"}, parquet.ByteArray, "STRING", 1, 1},
		{"Connection TimestampLast", pqConnectionRecords(), []string{"TimestampLast"}, parquet.Int64, "TIMESTAMP", 0, 0},
		{"Connection Duration", pqConnectionRecords(), []string{"Duration"}, parquet.Int64, "INT(64,true)", 0, 0},
		{"DNS SOA serial", pqDNSRecords(), []string{"Authorities", "list", "element", "SOA", "Serial"}, parquet.Int32, "INT(32,false)", 1, 2},
		{"DNS TXTs", pqDNSRecords(), []string{"Answers", "list", "element", "TXTs", "list", "element"}, parquet.ByteArray, "", 2, 2},
		{"IPProfile Bytes", pqIPProfileRecords(), []string{"Bytes"}, parquet.Int64, "INT(64,false)", 0, 0},
		{"IPProfile protocol packets", pqIPProfileRecords(), []string{"Protocols", "key_value", "value", "Packets"}, parquet.Int64, "INT(64,false)", 1, 2},
		{"IPProfile port stats", pqIPProfileRecords(), []string{"SrcPorts", "list", "element", "Stats", "Bytes"}, parquet.Int64, "INT(64,false)", 1, 2},
		{"IPProfile DNS names", pqIPProfileRecords(), []string{"DNSNames", "list", "element"}, parquet.ByteArray, "STRING", 1, 1},
		{"Header enum", pqHeaderRecords(), []string{"Type"}, parquet.ByteArray, "STRING", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := tt.recs[0].ProtoReflect().Descriptor()
			data := writeParquet(t, md, nil, tt.recs, nil, parquetRowGroupRows)
			f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			col := lookupColumn(t, f.Schema(), tt.path...)
			checkLeaf(t, col, tt.kind, tt.logical)
			if col.MaxRepetitionLevel != tt.maxRep || col.MaxDefinitionLevel != tt.maxDef {
				t.Errorf("%v: levels rep %d def %d, want %d %d", tt.path, col.MaxRepetitionLevel, col.MaxDefinitionLevel, tt.maxRep, tt.maxDef)
			}
			// Lists and maps carry their logical types on the group.
			if len(tt.path) > 1 {
				g := f.Schema().Fields()[slices.IndexFunc(f.Schema().Fields(), func(fl parquet.Field) bool { return fl.Name() == tt.path[0] })]
				lt := g.Type().LogicalType()
				switch tt.path[1] {
				case "list":
					if lt == nil || !isLogical[*format.ListType](lt) {
						t.Errorf("%s is not a LIST: %v", tt.path[0], lt)
					}
				case "key_value":
					if lt == nil || !isLogical[*format.MapType](lt) {
						t.Errorf("%s is not a MAP: %v", tt.path[0], lt)
					}
				}
			}
			// Every column chunk is zstd-compressed.
			for _, cc := range f.Metadata().RowGroups[0].Columns {
				if cc.MetaData.Codec != format.Zstd {
					t.Errorf("column %v: codec %v", cc.MetaData.PathInSchema, cc.MetaData.Codec)
				}
			}
		})
	}
}

func lookupColumn(t *testing.T, s *parquet.Schema, path ...string) parquet.LeafColumn {
	t.Helper()
	col, ok := s.Lookup(path...)
	if !ok {
		t.Fatalf("no column %v in\n%s", path, s)
	}
	return col
}

func checkLeaf(t *testing.T, col parquet.LeafColumn, kind parquet.Kind, logical string) {
	t.Helper()
	typ := col.Node.Type()
	if typ.Kind() != kind {
		t.Errorf("%v: physical type %v, want %v", col.Path, typ.Kind(), kind)
	}
	lt := typ.LogicalType()
	switch {
	case logical == "" && lt != nil && lt.Value != nil:
		t.Errorf("%v: logical type %v, want none", col.Path, lt)
	case logical != "" && (lt == nil || !strings.HasPrefix(lt.String(), logical)):
		t.Errorf("%v: logical type %v, want %s", col.Path, lt, logical)
	}
}

// Typed rows for reading with parquet-go's own (reflection based) reader.
type pqTCPOption struct {
	OptionType   int32  `parquet:"OptionType"`
	OptionLength int32  `parquet:"OptionLength"`
	OptionData   []byte `parquet:"OptionData"`
}

type pqTCPRow struct {
	Timestamp      int64         `parquet:"Timestamp,timestamp(nanosecond)"`
	SrcPort        int32         `parquet:"SrcPort"`
	DstPort        int32         `parquet:"DstPort"`
	SeqNum         uint32        `parquet:"SeqNum"`
	SYN            bool          `parquet:"SYN"`
	FIN            bool          `parquet:"FIN"`
	Options        []pqTCPOption `parquet:"Options,list"`
	PayloadEntropy float64       `parquet:"PayloadEntropy"`
	Payload        []byte        `parquet:"Payload"`
	SrcIP          string        `parquet:"SrcIP"`
	Label          string        `parquet:"label"`
	Severity       int64         `parquet:"severity"`
}

type pqDNSQuestion struct {
	Name string `parquet:"Name"`
	Type int32  `parquet:"Type"`
}

type pqDNSMX struct {
	Preference int32  `parquet:"Preference"`
	Name       string `parquet:"Name"`
}

type pqDNSRR struct {
	Name string   `parquet:"Name"`
	TTL  uint32   `parquet:"TTL"`
	IP   string   `parquet:"IP"`
	MX   *pqDNSMX `parquet:"MX,optional"`
	TXTs [][]byte `parquet:"TXTs,list"`
}

type pqDNSRow struct {
	ID        int32           `parquet:"ID"`
	Questions []pqDNSQuestion `parquet:"Questions,list"`
	Answers   []pqDNSRR       `parquet:"Answers,list"`
	SrcIP     string          `parquet:"SrcIP"`
}

type pqHTTPRow struct {
	Method        string            `parquet:"Method"`
	RequestHeader map[string]string `parquet:"RequestHeader"`
	RequestBody   []byte            `parquet:"RequestBody"`
}

// TestParquetReadByParquetGo reads the files into Go structs with
// parquet-go's reader, independently of ReadParquetRows.
func TestParquetReadByParquetGo(t *testing.T) {
	t.Run("TCP", func(t *testing.T) {
		recs := pqTCPRecords()
		data := writeParquet(t, recs[0].ProtoReflect().Descriptor(), labelColumns, recs, labelValues, parquetRowGroupRows)
		rows, err := parquet.Read[pqTCPRow](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(recs) {
			t.Fatalf("%d rows", len(rows))
		}
		for i, r := range rows {
			m := recs[i].(*types.TCP)
			var opts []pqTCPOption
			for _, o := range m.Options {
				opts = append(opts, pqTCPOption{o.OptionType, o.OptionLength, o.OptionData})
			}
			want := pqTCPRow{
				Timestamp: m.Timestamp, SrcPort: m.SrcPort, DstPort: m.DstPort, SeqNum: m.SeqNum, SYN: m.SYN, FIN: m.FIN,
				Options: opts, PayloadEntropy: m.PayloadEntropy, Payload: m.Payload, SrcIP: m.SrcIP,
				Label: labelValues(i)[0].(string), Severity: labelValues(i)[2].(int64),
			}
			if !equalLoose(r, want) {
				t.Errorf("row %d\n got %+v\nwant %+v", i, r, want)
			}
		}
		if rows[0].SeqNum != 4_000_000_000 || string(rows[0].Options[2].OptionData) != "\x00\x00\x00\x01\x00\x00\x00\x02" {
			t.Errorf("row 0: %+v", rows[0])
		}
	})
	t.Run("DNS", func(t *testing.T) {
		recs := pqDNSRecords()
		data := writeParquet(t, recs[0].ProtoReflect().Descriptor(), nil, recs, nil, parquetRowGroupRows)
		rows, err := parquet.Read[pqDNSRow](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			m := recs[i].(*types.DNS)
			want := pqDNSRow{ID: m.ID, SrcIP: m.SrcIP}
			for _, q := range m.Questions {
				want.Questions = append(want.Questions, pqDNSQuestion{q.Name, q.Type})
			}
			for _, a := range m.Answers {
				rr := pqDNSRR{Name: a.Name, TTL: a.TTL, IP: a.IP, TXTs: a.TXTs}
				if a.MX != nil {
					rr.MX = &pqDNSMX{a.MX.Preference, a.MX.Name}
				}
				want.Answers = append(want.Answers, rr)
			}
			if !equalLoose(r, want) {
				t.Errorf("row %d\n got %+v\nwant %+v", i, r, want)
			}
		}
		if rows[0].Answers[1].MX == nil || rows[0].Answers[1].MX.Name != "mx.example.com" || rows[0].Answers[0].MX != nil {
			t.Errorf("MX: %+v", rows[0].Answers)
		}
	})
	t.Run("HTTP", func(t *testing.T) {
		recs := pqHTTPRecords()
		data := writeParquet(t, recs[0].ProtoReflect().Descriptor(), nil, recs, nil, parquetRowGroupRows)
		rows, err := parquet.Read[pqHTTPRow](bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			m := recs[i].(*types.HTTP)
			want := pqHTTPRow{Method: m.Method, RequestHeader: m.RequestHeader, RequestBody: m.RequestBody}
			if !equalLoose(r, want) {
				t.Errorf("row %d\n got %+v\nwant %+v", i, r, want)
			}
		}
	})
}

// equalLoose is reflect.DeepEqual with nil and empty slices and maps equal.
func equalLoose(a, b any) bool {
	return reflect.DeepEqual(normalize(reflect.ValueOf(a)), normalize(reflect.ValueOf(b)))
}

func normalize(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = normalize(v.Index(i))
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())] = normalize(it.Value())
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return normalize(v.Elem())
	case reflect.Struct:
		out := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			out[v.Type().Field(i).Name] = normalize(v.Field(i))
		}
		return out
	case reflect.Invalid:
		return nil
	default:
		return v.Interface()
	}
}

// expectRow is what ReadParquetRows should return for m, a message nested
// depth levels deep, computed from the proto field values directly.
func expectRow(m protoreflect.Message, depth int) map[string]any {
	out := map[string]any{}
	for _, fd := range types.Fields(m.Descriptor()) {
		name := string(fd.Name())
		switch {
		case fd.IsMap():
			got := map[string]any{}
			m.Get(fd).Map().Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
				if fd.MapValue().Message() != nil && !v.Message().IsValid() {
					got[k.String()] = nil
				} else {
					got[k.String()] = expectValue(fd.MapValue(), v, depth)
				}
				return true
			})
			out[name] = got
		case fd.IsList():
			l := m.Get(fd).List()
			got := []any{}
			for i := range l.Len() {
				got = append(got, expectValue(fd, l.Get(i), depth))
			}
			out[name] = got
		case fd.Message() != nil && !m.Has(fd):
			out[name] = nil
		default:
			out[name] = expectValue(fd, m.Get(fd), depth)
		}
	}
	return out
}

func expectValue(fd protoreflect.FieldDescriptor, v protoreflect.Value, depth int) any {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		if depth+1 > parquetMaxDepth {
			var f types.Format
			return string(f.AppendJSON(nil, v.Message().Interface(), types.Fields(v.Message().Descriptor())))
		}
		return expectRow(v.Message(), depth+1)
	case protoreflect.BoolKind:
		return v.Bool()
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return int32(v.Int())
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return v.Int()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return uint32(v.Uint())
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return v.Uint()
	case protoreflect.FloatKind:
		return float32(v.Float())
	case protoreflect.DoubleKind:
		return v.Float()
	case protoreflect.StringKind:
		return v.String()
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	default:
		return append([]byte{}, v.Bytes()...)
	}
}

// compareRow reports the differences between a read row and the expected one.
func compareRow(t *testing.T, where string, got, want map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d columns, want %d", where, len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: no column %s", where, k)
			continue
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s\n got %#v\nwant %#v", where, k, g, w)
		}
	}
}

// TestParquetLiteralValues checks some read values against literals, not
// only against expectRow.
func TestParquetLiteralValues(t *testing.T) {
	read := func(recs []proto.Message) []map[string]any {
		data := writeParquet(t, recs[0].ProtoReflect().Descriptor(), labelColumns, recs, labelValues, parquetRowGroupRows)
		rows, err := ReadParquetRows(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	tcp := read(pqTCPRecords())
	dns := read(pqDNSRecords())
	http := read(pqHTTPRecords())
	ipp := read(pqIPProfileRecords())
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"TCP SrcPort", tcp[0]["SrcPort"], int32(51234)},
		{"TCP Timestamp", tcp[0]["Timestamp"], ts0},
		{"TCP SeqNum", tcp[0]["SeqNum"], uint32(4_000_000_000)},
		{"TCP Checksum", tcp[0]["Checksum"], int32(-21555)},
		{"TCP Options", tcp[0]["Options"], []any{
			map[string]any{"OptionType": int32(2), "OptionLength": int32(4), "OptionData": []byte{5, 0xb4}},
			map[string]any{"OptionType": int32(1), "OptionLength": int32(1), "OptionData": []byte{}},
			map[string]any{"OptionType": int32(8), "OptionLength": int32(10), "OptionData": []byte{0, 0, 0, 1, 0, 0, 0, 2}},
		}},
		{"TCP empty Options", tcp[1]["Options"], []any{}},
		{"TCP Payload", tcp[0]["Payload"], []byte("GET /")},
		{"TCP PayloadEntropy", tcp[0]["PayloadEntropy"], 7.25},
		{"TCP SYN", tcp[0]["SYN"], true},
		{"TCP label", tcp[1]["label"], "label-1"},
		{"TCP category", tcp[2]["category"], "malware"},
		{"TCP severity", tcp[2]["severity"], int64(2)},
		{"TCP alert_count", tcp[2]["alert_count"], int64(2000)},
		{"DNS question", dns[0]["Questions"].([]any)[1], map[string]any{"Name": "example.com", "Type": int32(28), "Class": int32(1)}},
		{"DNS nil SOA", dns[0]["Answers"].([]any)[0].(map[string]any)["SOA"], nil},
		{"DNS MX", dns[0]["Answers"].([]any)[1].(map[string]any)["MX"], map[string]any{"Preference": int32(10), "Name": "mx.example.com"}},
		{"DNS TXTs", dns[0]["Answers"].([]any)[2].(map[string]any)["TXTs"], []any{[]byte("v=spf1 -all"), []byte{}, []byte("x")}},
		{"DNS SOA expire", dns[0]["Authorities"].([]any)[0].(map[string]any)["SOA"].(map[string]any)["Expire"], uint32(4_294_967_295)},
		{"DNS SRV name", dns[0]["Authorities"].([]any)[1].(map[string]any)["SRV"].(map[string]any)["Name"], []byte("sip.example.com")},
		{"DNS empty Additionals", dns[0]["Additionals"], []any{}},
		{"DNS empty Answers", dns[1]["Answers"], []any{}},
		{"HTTP RequestHeader", http[0]["RequestHeader"], map[string]any{"Host": "example.com", "Accept": "*/*", "X-Empty": ""}},
		{"HTTP empty Parameters", http[1]["Parameters"], map[string]any{}},
		{"HTTP cookies", http[0]["ReqCookies"], []any{
			map[string]any{"Name": "sid", "Value": "x1", "Path": "/", "Domain": "example.com", "Expires": uint64(1_900_000_000),
				"MaxAge": int32(3600), "Secure": true, "HttpOnly": true, "SameSite": int32(2)},
			map[string]any{"Name": "theme", "Value": "", "Path": "", "Domain": "", "Expires": uint64(0),
				"MaxAge": int32(0), "Secure": false, "HttpOnly": false, "SameSite": int32(0)},
		}},
		{"HTTP RequestBody", http[0]["RequestBody"], []byte("u=a&p=b\x00\xff")},
		{"HTTP Referer", http[0]["Referer"], "https://example.org/ä"},
		{"IPProfile Protocols", ipp[0]["Protocols"], map[string]any{
			"TCP": map[string]any{"Packets": uint64(math.MaxUint64), "Category": "transport"},
			"UDP": map[string]any{"Packets": uint64(3), "Category": ""},
			"nil": nil,
		}},
		{"IPProfile SNIs", ipp[0]["SNIs"], map[string]any{"example.com": int64(4), "x.org": int64(-1)}},
		{"IPProfile Bytes", ipp[0]["Bytes"], uint64(1 << 63)},
		{"IPProfile port without stats", ipp[0]["SrcPorts"].([]any)[1], map[string]any{"PortNumber": int32(53), "Protocol": "UDP", "Stats": nil}},
		{"IPProfile DNSNames", ipp[0]["DNSNames"], []any{"a.example", "b.example"}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s\n got %#v\nwant %#v", tt.name, tt.got, tt.want)
		}
	}
}

// TestParquetAllRecordTypes writes every record type, empty and filled
// with values of every field, and reads it back.
func TestParquetAllRecordTypes(t *testing.T) {
	n := 0
	for num := range types.Type_name {
		typ := types.Type(num)
		empty, err := types.NewRecord(typ)
		if err != nil {
			continue
		}
		n++
		t.Run(typ.Name(), func(t *testing.T) {
			md := empty.ProtoReflect().Descriptor()
			recs := []proto.Message{empty}
			for seed := 1; seed <= 4; seed++ {
				m, _ := types.NewRecord(typ)
				fillMessage(m.ProtoReflect(), seed, 0)
				recs = append(recs, m)
			}
			data := writeParquet(t, md, labelColumns, recs, labelValues, parquetRowGroupRows)
			rows, err := ReadParquetRows(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(recs) {
				t.Fatalf("%d rows", len(rows))
			}
			for i, m := range recs {
				want := expectRow(m.ProtoReflect(), 0)
				for j, c := range labelColumns {
					want[c.Name] = labelValues(i)[j]
				}
				compareRow(t, fmt.Sprintf("row %d", i), rows[i], want)
			}
		})
	}
	if n < 50 {
		t.Errorf("only %d record types", n)
	}
}

// fillMessage sets every field of m to a value derived from seed: lists of
// 0-2 elements, maps of 0-2 entries, messages set or not.
func fillMessage(m protoreflect.Message, seed, depth int) {
	for _, fd := range types.Fields(m.Descriptor()) {
		s := seed*31 + int(fd.Number())*7
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for i := range s % 3 {
				k := scalarFor(fd.MapKey(), s+i).MapKey()
				if fd.MapValue().Message() != nil {
					v := mp.NewValue()
					if depth < 3 {
						fillMessage(v.Message(), s+i, depth+1)
					}
					mp.Set(k, v)
				} else {
					mp.Set(k, scalarFor(fd.MapValue(), s+i))
				}
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for i := range s % 3 {
				if fd.Message() != nil {
					e := l.NewElement()
					if depth < 3 {
						fillMessage(e.Message(), s+i, depth+1)
					}
					l.Append(e)
				} else {
					l.Append(scalarFor(fd, s+i))
				}
			}
		case fd.Message() != nil:
			if s%2 == 0 && depth < 3 {
				fillMessage(m.Mutable(fd).Message(), s, depth+1)
			}
		default:
			m.Set(fd, scalarFor(fd, s))
		}
	}
}

func scalarFor(fd protoreflect.FieldDescriptor, s int) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(s%2 == 1)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(s*7919 - 50_000))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(s)*1_000_000_007_000 - 3)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(s) * 2_654_435_761)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(s) * 0x9E3779B97F4A7C15)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(s) * 0.37)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(float64(s) * -0.123)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("s" + strconv.Itoa(s) + "é")
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(s % vals.Len()).Number())
	default:
		return protoreflect.ValueOfBytes([]byte{byte(s), 0, 0xff, byte(s >> 8)})
	}
}

// testDescriptors builds, without generated code, a recursive message and
// one with every scalar kind, repeated enums and maps with non-string keys.
func testDescriptors(t *testing.T) (node, all protoreflect.MessageDescriptor) {
	t.Helper()
	p := proto.String
	lbl := func(l descriptorpb.FieldDescriptorProto_Label) *descriptorpb.FieldDescriptorProto_Label { return &l }
	typ := func(k descriptorpb.FieldDescriptorProto_Type) *descriptorpb.FieldDescriptorProto_Type { return &k }
	opt, rep := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL, descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	field := func(name string, num int32, l descriptorpb.FieldDescriptorProto_Label, k descriptorpb.FieldDescriptorProto_Type, typeName string) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{Name: p(name), Number: proto.Int32(num), Label: lbl(l), Type: typ(k), JsonName: p(name)}
		if typeName != "" {
			f.TypeName = p(typeName)
		}
		return f
	}
	entry := func(name string, kk, vk descriptorpb.FieldDescriptorProto_Type, vType string) *descriptorpb.DescriptorProto {
		return &descriptorpb.DescriptorProto{
			Name: p(name),
			Field: []*descriptorpb.FieldDescriptorProto{
				field("key", 1, opt, kk, ""),
				field("value", 2, opt, vk, vType),
			},
			Options: &descriptorpb.MessageOptions{MapEntry: proto.Bool(true)},
		}
	}
	fdp := &descriptorpb.FileDescriptorProto{
		Name:    p("pqtest/test.proto"),
		Package: p("pqtest"),
		Syntax:  p("proto3"),
		EnumType: []*descriptorpb.EnumDescriptorProto{{
			Name: p("Color"),
			Value: []*descriptorpb.EnumValueDescriptorProto{
				{Name: p("RED"), Number: proto.Int32(0)},
				{Name: p("GREEN"), Number: proto.Int32(1)},
				{Name: p("BLUE"), Number: proto.Int32(2)},
			},
		}},
		MessageType: []*descriptorpb.DescriptorProto{
			{
				Name: p("Node"),
				Field: []*descriptorpb.FieldDescriptorProto{
					field("Name", 1, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING, ""),
					field("Child", 2, opt, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".pqtest.Node"),
					field("Kids", 3, rep, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".pqtest.Node"),
				},
			},
			{
				Name: p("AllKinds"),
				Field: []*descriptorpb.FieldDescriptorProto{
					field("I32", 1, opt, descriptorpb.FieldDescriptorProto_TYPE_INT32, ""),
					field("S32", 2, opt, descriptorpb.FieldDescriptorProto_TYPE_SINT32, ""),
					field("SF32", 3, opt, descriptorpb.FieldDescriptorProto_TYPE_SFIXED32, ""),
					field("I64", 4, opt, descriptorpb.FieldDescriptorProto_TYPE_INT64, ""),
					field("S64", 5, opt, descriptorpb.FieldDescriptorProto_TYPE_SINT64, ""),
					field("SF64", 6, opt, descriptorpb.FieldDescriptorProto_TYPE_SFIXED64, ""),
					field("U32", 7, opt, descriptorpb.FieldDescriptorProto_TYPE_UINT32, ""),
					field("F32", 8, opt, descriptorpb.FieldDescriptorProto_TYPE_FIXED32, ""),
					field("U64", 9, opt, descriptorpb.FieldDescriptorProto_TYPE_UINT64, ""),
					field("F64", 10, opt, descriptorpb.FieldDescriptorProto_TYPE_FIXED64, ""),
					field("Float", 11, opt, descriptorpb.FieldDescriptorProto_TYPE_FLOAT, ""),
					field("Double", 12, opt, descriptorpb.FieldDescriptorProto_TYPE_DOUBLE, ""),
					field("Bool", 13, opt, descriptorpb.FieldDescriptorProto_TYPE_BOOL, ""),
					field("Str", 14, opt, descriptorpb.FieldDescriptorProto_TYPE_STRING, ""),
					field("Bytes", 15, opt, descriptorpb.FieldDescriptorProto_TYPE_BYTES, ""),
					field("Color", 16, opt, descriptorpb.FieldDescriptorProto_TYPE_ENUM, ".pqtest.Color"),
					field("Colors", 17, rep, descriptorpb.FieldDescriptorProto_TYPE_ENUM, ".pqtest.Color"),
					field("Ints", 18, rep, descriptorpb.FieldDescriptorProto_TYPE_SINT64, ""),
					field("ByInt", 19, rep, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".pqtest.AllKinds.ByIntEntry"),
					field("ByBool", 20, rep, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".pqtest.AllKinds.ByBoolEntry"),
					field("Nodes", 21, rep, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".pqtest.AllKinds.NodesEntry"),
					field("Tree", 22, opt, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".pqtest.Node"),
					field("Floats", 23, rep, descriptorpb.FieldDescriptorProto_TYPE_FLOAT, ""),
					field("Timestamp", 24, opt, descriptorpb.FieldDescriptorProto_TYPE_INT64, ""),
					field("Bools", 25, rep, descriptorpb.FieldDescriptorProto_TYPE_BOOL, ""),
					field("Blobs", 26, rep, descriptorpb.FieldDescriptorProto_TYPE_BYTES, ""),
				},
				NestedType: []*descriptorpb.DescriptorProto{
					entry("ByIntEntry", descriptorpb.FieldDescriptorProto_TYPE_INT32, descriptorpb.FieldDescriptorProto_TYPE_STRING, ""),
					entry("ByBoolEntry", descriptorpb.FieldDescriptorProto_TYPE_BOOL, descriptorpb.FieldDescriptorProto_TYPE_DOUBLE, ""),
					entry("NodesEntry", descriptorpb.FieldDescriptorProto_TYPE_UINT64, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, ".pqtest.Node"),
				},
			},
		},
	}
	fd, err := protodesc.NewFile(fdp, new(protoregistry.Files))
	if err != nil {
		t.Fatal(err)
	}
	return fd.Messages().ByName("Node"), fd.Messages().ByName("AllKinds")
}

// chain returns a Node with n levels of Child, each with a kid.
func chain(md protoreflect.MessageDescriptor, n int) *dynamicpb.Message {
	root := dynamicpb.NewMessage(md)
	cur := root
	for i := range n {
		cur.Set(md.Fields().ByName("Name"), protoreflect.ValueOfString("n"+strconv.Itoa(i)))
		kids := cur.Mutable(md.Fields().ByName("Kids")).List()
		kid := dynamicpb.NewMessage(md)
		kid.Set(md.Fields().ByName("Name"), protoreflect.ValueOfString("kid"+strconv.Itoa(i)))
		kids.Append(protoreflect.ValueOfMessage(kid))
		if i == n-1 {
			break
		}
		next := dynamicpb.NewMessage(md)
		cur.Set(md.Fields().ByName("Child"), protoreflect.ValueOfMessage(next))
		cur = next
	}
	return root
}

func TestParquetDynamicMessages(t *testing.T) {
	nodeMD, allMD := testDescriptors(t)

	t.Run("recursive", func(t *testing.T) {
		recs := []proto.Message{chain(nodeMD, 12), chain(nodeMD, 3), dynamicpb.NewMessage(nodeMD)}
		data := writeParquet(t, nodeMD, nil, recs, nil, parquetRowGroupRows)
		rows, err := ReadParquetRows(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range recs {
			compareRow(t, fmt.Sprintf("row %d", i), rows[i], expectRow(m.ProtoReflect(), 0))
		}
		// Eight levels of Child are structs; the ninth is JSON.
		cur := rows[0]
		for i := range parquetMaxDepth {
			next, ok := cur["Child"].(map[string]any)
			if !ok {
				t.Fatalf("level %d: Child is %T", i+1, cur["Child"])
			}
			cur = next
		}
		js, ok := cur["Child"].(string)
		if !ok || !strings.HasPrefix(js, `{"Name":"n9","Child":{"Name":"n10",`) {
			t.Fatalf("level 9: %#v", cur["Child"])
		}
		f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		path := slices.Repeat([]string{"Child"}, parquetMaxDepth+1)
		checkLeaf(t, lookupColumn(t, f.Schema(), path...), parquet.ByteArray, "STRING")
	})

	t.Run("all kinds", func(t *testing.T) {
		var recs []proto.Message
		for seed := range 6 {
			m := dynamicpb.NewMessage(allMD)
			if seed > 0 {
				fillMessage(m, seed, 0)
			}
			recs = append(recs, m)
		}
		// Extremes, and an enum number without a name.
		ext := dynamicpb.NewMessage(allMD)
		f := allMD.Fields()
		ext.Set(f.ByName("I32"), protoreflect.ValueOfInt32(math.MinInt32))
		ext.Set(f.ByName("S64"), protoreflect.ValueOfInt64(math.MinInt64))
		ext.Set(f.ByName("U32"), protoreflect.ValueOfUint32(math.MaxUint32))
		ext.Set(f.ByName("F64"), protoreflect.ValueOfUint64(math.MaxUint64))
		ext.Set(f.ByName("Float"), protoreflect.ValueOfFloat32(float32(math.Inf(-1))))
		ext.Set(f.ByName("Double"), protoreflect.ValueOfFloat64(math.MaxFloat64))
		ext.Set(f.ByName("Color"), protoreflect.ValueOfEnum(42))
		ext.Set(f.ByName("Tree"), protoreflect.ValueOfMessage(chain(nodeMD, 10)))
		nodes := ext.Mutable(f.ByName("Nodes")).Map()
		nodes.Set(protoreflect.ValueOfUint64(math.MaxUint64).MapKey(), protoreflect.ValueOfMessage(chain(nodeMD, 2)))
		nodes.Set(protoreflect.ValueOfUint64(7).MapKey(), protoreflect.ValueOfMessage(dynamicpb.NewMessage(nodeMD)))
		recs = append(recs, ext)

		data := writeParquet(t, allMD, labelColumns, recs, labelValues, parquetRowGroupRows)
		rows, err := ReadParquetRows(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range recs {
			want := expectRow(m.ProtoReflect(), 0)
			for j, c := range labelColumns {
				want[c.Name] = labelValues(i)[j]
			}
			compareRow(t, fmt.Sprintf("row %d", i), rows[i], want)
		}
		last := rows[len(rows)-1]
		for _, c := range []struct {
			col  string
			want any
		}{
			{"Color", "42"},
			{"U32", uint32(math.MaxUint32)},
			{"F64", uint64(math.MaxUint64)},
			{"Float", float32(math.Inf(-1))},
		} {
			if !reflect.DeepEqual(last[c.col], c.want) {
				t.Errorf("%s = %#v, want %#v", c.col, last[c.col], c.want)
			}
		}
		if got := last["Nodes"].(map[string]any)["18446744073709551615"].(map[string]any)["Name"]; got != "n0" {
			t.Errorf("Nodes[max] = %#v", got)
		}

		pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			path    []string
			kind    parquet.Kind
			logical string
		}{
			{[]string{"S32"}, parquet.Int32, "INT(32,true)"},
			{[]string{"SF64"}, parquet.Int64, "INT(64,true)"},
			{[]string{"F32"}, parquet.Int32, "INT(32,false)"},
			{[]string{"F64"}, parquet.Int64, "INT(64,false)"},
			{[]string{"Float"}, parquet.Float, ""},
			{[]string{"Color"}, parquet.ByteArray, "STRING"},
			{[]string{"Colors", "list", "element"}, parquet.ByteArray, "STRING"},
			{[]string{"ByInt", "key_value", "key"}, parquet.Int32, "INT(32,true)"},
			{[]string{"ByBool", "key_value", "key"}, parquet.Boolean, ""},
			{[]string{"Nodes", "key_value", "key"}, parquet.Int64, "INT(64,false)"},
			{[]string{"Timestamp"}, parquet.Int64, "TIMESTAMP"},
		} {
			checkLeaf(t, lookupColumn(t, pf.Schema(), c.path...), c.kind, c.logical)
		}
	})
}

// TestParquetRowGroups checks that row groups are flushed at the bound and
// that a string column whose dictionary outgrows its limit reads back.
func TestParquetRowGroups(t *testing.T) {
	const n, per = 1000, 300
	var recs []proto.Message
	for i := range n {
		recs = append(recs, &types.HTTP{
			Timestamp: ts0 + int64(i), Method: []string{"GET", "POST"}[i%2],
			URL:         "/" + strings.Repeat(strconv.Itoa(i), 2000/len(strconv.Itoa(i))), // ~2 KiB, all distinct
			StatusCode:  int32(200 + i%5),
			RequestBody: bytes.Repeat([]byte{byte(i)}, i%7),
			Parameters:  map[string]string{"i": strconv.Itoa(i)},
		})
	}
	md := recs[0].ProtoReflect().Descriptor()
	data := writeParquet(t, md, labelColumns, recs, labelValues, per)
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.RowGroups()); got != (n+per-1)/per {
		t.Errorf("%d row groups, want %d", got, (n+per-1)/per)
	}
	for i, rg := range f.RowGroups() {
		if rg.NumRows() > per {
			t.Errorf("row group %d has %d rows", i, rg.NumRows())
		}
	}
	rows, err := ReadParquetRows(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("%d rows", len(rows))
	}
	for i, m := range recs {
		want := expectRow(m.ProtoReflect(), 0)
		for j, c := range labelColumns {
			want[c.Name] = labelValues(i)[j]
		}
		compareRow(t, fmt.Sprintf("row %d", i), rows[i], want)
	}

	// One big row group: the URL dictionary passes parquetDictMaxBytes.
	data = writeParquet(t, md, nil, recs, nil, parquetRowGroupRows)
	rows, err = ReadParquetRows(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range recs {
		compareRow(t, fmt.Sprintf("row %d", i), rows[i], expectRow(m.ProtoReflect(), 0))
	}
}

func TestParquetWriterErrors(t *testing.T) {
	md := (&types.TCP{}).ProtoReflect().Descriptor()
	tests := []struct {
		name  string
		extra []ParquetColumn
		write func(w *ParquetWriter) error
		err   string
	}{
		{"duplicate column", []ParquetColumn{{Name: "SrcIP", Kind: ParquetString}}, nil, "already has a column"},
		{"duplicate extra", []ParquetColumn{{Name: "a", Kind: ParquetString}, {Name: "a", Kind: ParquetInt64}}, nil, "already has a column"},
		{"unnamed extra", []ParquetColumn{{Kind: ParquetString}}, nil, "without a name"},
		{"bad kind", []ParquetColumn{{Name: "x", Kind: 7}}, nil, "unknown kind"},
		{"wrong record type", nil, func(w *ParquetWriter) error { return w.Write(&types.UDP{}) }, "record is a types.UDP"},
		{"missing extra", labelColumns, func(w *ParquetWriter) error { return w.Write(&types.TCP{}, "a") }, "1 extra values for 4"},
		{"wrong extra type", labelColumns, func(w *ParquetWriter) error { return w.Write(&types.TCP{}, "a", "b", "c", int64(1)) }, `"severity" takes an int64, not string`},
		{"wrong string type", labelColumns, func(w *ParquetWriter) error { return w.Write(&types.TCP{}, 1, "b", int64(1), int64(1)) }, `"label" takes a string, not int`},
		{"nil record", nil, func(w *ParquetWriter) error { return w.Write(nil) }, "nil record"},
		{"after close", nil, func(w *ParquetWriter) error {
			if err := w.Close(); err != nil {
				return err
			}
			return w.Write(&types.TCP{})
		}, "closed writer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewParquetWriter(&bytes.Buffer{}, md, tt.extra)
			if tt.write == nil {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("NewParquetWriter error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.write(w); err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
		})
	}
	// int is accepted for int64 columns, and a failed Write leaves the writer usable.
	var buf bytes.Buffer
	w, err := NewParquetWriter(&buf, md, labelColumns)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&types.TCP{}, "x"); err == nil {
		t.Fatal("no error")
	}
	if err := w.Write(&types.TCP{SrcPort: 1}, "l", "c", 3, int64(4)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadParquetRows(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0]["severity"] != int64(3) || rows[0]["SrcPort"] != int32(1) {
		t.Fatalf("rows %v", rows)
	}
	if _, err := ReadParquetRows(bytes.NewReader([]byte("not parquet")), 11); err == nil {
		t.Fatal("no error for a non-Parquet file")
	}
}

// TestParquetReuseRecord checks that Write copies the record's bytes.
func TestParquetReuseRecord(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewParquetWriter(&buf, (&types.TCP{}).ProtoReflect().Descriptor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte("first")
	rec := &types.TCP{Payload: payload}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	copy(payload, "XXXXX")
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadParquetRows(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if string(rows[0]["Payload"].([]byte)) != "first" || string(rows[1]["Payload"].([]byte)) != "XXXXX" {
		t.Fatalf("payloads %q %q", rows[0]["Payload"], rows[1]["Payload"])
	}
}

type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// TestParquetCloseKeepsWriter checks that Close leaves the underlying
// writer open, and that a second Close is harmless.
func TestParquetCloseKeepsWriter(t *testing.T) {
	var out closeRecorder
	w, err := NewParquetWriter(&out, (&types.UDP{}).ProtoReflect().Descriptor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&types.UDP{SrcPort: 53}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if out.closed {
		t.Error("Close closed the underlying writer")
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("PAR1")) || !bytes.HasSuffix(out.Bytes(), []byte("PAR1")) {
		t.Error("not a Parquet file")
	}
	empty := (&emptypb.Empty{}).ProtoReflect().Descriptor()
	if _, err := NewParquetWriter(&out, empty, nil); err == nil || !strings.Contains(err.Error(), "no fields") {
		t.Errorf("empty message: %v", err)
	}
}
