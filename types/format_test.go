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
	if obj["UserAgent"] != "quote\" tab\t nl\n bad\ufffd" {
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
