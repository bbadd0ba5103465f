package types_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/types"
)

// TestFormatColumns renders nested, repeated and map fields and escapes.
func TestFormatColumns(t *testing.T) {
	rec := &types.HTTP{
		Timestamp:      1_700_000_000_123_456_789,
		Method:         "GET",
		Host:           "example.test",
		RequestHeader:  map[string]string{"User-Agent": "curl", "Accept": "*/*"},
		ReqCookies:     []*types.HTTPCookie{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}},
		StatusCode:     200,
		RequestBody:    []byte{0xde, 0xad},
		UserAgent:      "quote\" tab\t nl\n bad\xff",
		ResContentType: "text/html",
	}
	md := rec.ProtoReflect().Descriptor()
	fields, err := types.SelectFields(md, []string{"Timestamp", "RequestHeader", "ReqCookies", "StatusCode", "RequestBody"})
	if err != nil {
		t.Fatal(err)
	}
	f := types.Format{Time: types.TimeUTC, Begin: "(", End: ")", Sep: ";"}
	row := f.Row(nil, rec, fields)
	want := []string{"2023-11-14T22:13:20.123456789Z", "Accept=*/*|User-Agent=curl", "(a;1;;;0;0;false;false;0)|(b;2;;;0;0;false;false;0)", "200", "dead"}
	if strings.Join(row, "\t") != strings.Join(want, "\t") {
		t.Errorf("row\n %q\nwant\n %q", row, want)
	}
	f.Time = types.TimeEpoch
	if row := f.Row(nil, rec, fields[:1]); row[0] != "1700000000123456789" {
		t.Errorf("epoch: %q", row[0])
	}

	all := types.Fields(md)
	line := f.AppendJSON(nil, rec, all)
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(string(line)))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("invalid JSON %s: %v", line, err)
	}
	if len(obj) != len(all) {
		t.Errorf("%d keys, want %d", len(obj), len(all))
	}
	if obj["UserAgent"] != "quote\" tab\t nl\n bad\\xff" {
		t.Errorf("UserAgent %q", obj["UserAgent"])
	}
	if obj["RequestBody"] != "3q0=" || obj["Timestamp"].(json.Number).String() != "1700000000123456789" {
		t.Errorf("RequestBody %v Timestamp %v", obj["RequestBody"], obj["Timestamp"])
	}
	if h := obj["RequestHeader"].(map[string]any); h["Accept"] != "*/*" {
		t.Errorf("RequestHeader %v", h)
	}
	if c := obj["ReqCookies"].([]any); len(c) != 2 {
		t.Errorf("ReqCookies %v", c)
	}
}

// TestFormatCellsOneLine: whatever a string holds (a record's text field
// keeps CR and LF; a record not made by a decoder may hold anything), a
// text column has no control character, so a CSV or TSV row is one line;
// escapes a record holds already pass unchanged.
func TestFormatCellsOneLine(t *testing.T) {
	f := types.DefaultFormat
	part := &types.MailPart{ID: "1", Header: map[string]string{"X-Key\n": "v\t"}, Content: "Hi,\r\n\tbye\r\n", Filename: `a\\b\xe9`}
	got := f.Row(nil, part, types.Fields(part.ProtoReflect().Descriptor()))
	want := []string{"1", `X-Key\x0a=v\x09`, `Hi,\x0d\x0a\x09bye\x0d\x0a`, `a\\b\xe9`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("row\n %q\nwant\n %q", got, want)
	}
	rec := &types.HTTP{UserAgent: "quote\" tab\t nl\n bad\xff"}
	ua, _ := types.SelectFields(rec.ProtoReflect().Descriptor(), []string{"UserAgent"})
	if got := f.Row(nil, rec, ua); got[0] != `quote" tab\x09 nl\x0a bad\xff` {
		t.Errorf("UserAgent column %q", got[0])
	}
}
