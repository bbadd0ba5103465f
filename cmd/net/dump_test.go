package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/internal/testutil"
	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// TestDumpMatchesRowFormatting: net dump's CSV, TSV and table of every
// record file of a capture are what types.Format.Row and encoding/csv (or
// text/tabwriter) make of the records, as dump wrote them before it had
// a formatting plan of its own, with the flags that change the text
// (-utc, -epoch, -begin, -end, -struct-sep, -select, -sep, -no-header-line)
// and in a time zone with daylight saving time.
func TestDumpMatchesRowFormatting(t *testing.T) {
	out := t.TempDir()
	mustNet(t, "capture", "-read", testutil.Testdata(t, "mixed.pcap"), "-out", out, "-quiet")
	files, _ := filepath.Glob(filepath.Join(out, "*.ncap.gz"))
	if len(files) < 10 {
		t.Fatalf("%d record files", len(files))
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	defer func(local *time.Location) { time.Local = local }(time.Local)
	time.Local = ny
	for _, path := range files {
		rec, err := types.NewRecord(mustType(t, path))
		if err != nil {
			t.Fatal(err)
		}
		md := rec.ProtoReflect().Descriptor()
		all := types.Fields(md)
		some := slices.Clone(all[:(len(all)+1)/2])
		slices.Reverse(some)
		selected := strings.Join(types.FieldNames(some), ",")
		for _, c := range []struct {
			args   []string
			format types.Format
			fields []protoreflect.FieldDescriptor
			sep    rune // 0: a table
			header bool
		}{
			{nil, types.DefaultFormat, all, ',', true},
			{[]string{"-tsv", "-utc"}, types.Format{Time: types.TimeUTC, Begin: "(", End: ")", Sep: ";"}, all, '\t', true},
			{[]string{"-table", "-epoch"}, types.Format{Time: types.TimeEpoch, Begin: "(", End: ")", Sep: ";"}, all, 0, true},
			{[]string{"-begin", "{", "-end", "}", "-struct-sep", ",", "-sep", ";", "-no-header-line"},
				types.Format{Time: types.TimeLocal, Begin: "{", End: "}", Sep: ","}, all, ';', false},
			{[]string{"-select", selected, "-sep", "§"}, types.DefaultFormat, some, '§', true},
		} {
			r := netCmdEnv(t, []string{"TZ=America/New_York"}, append([]string{"dump", "-read", path}, c.args...)...)
			if r.code != 0 {
				t.Fatalf("dump %s %q: %s", path, c.args, r.stderr)
			}
			if want := rowReference(t, path, c.format, c.fields, c.sep, c.header); r.stdout != want {
				t.Errorf("dump %s %q differs from the reference:\n%s", filepath.Base(path), c.args, firstDifference(r.stdout, want))
			}
		}
	}
}

func mustType(t *testing.T, path string) types.Type {
	typ, ok := ncio.TypeOfName(path)
	if !ok {
		t.Fatalf("%s: no record type", path)
	}
	return typ
}

// rowReference renders the records of path with Format.Row, as CSV with
// separator sep or as a table.
func rowReference(t *testing.T, path string, f types.Format, fields []protoreflect.FieldDescriptor, sep rune, header bool) string {
	r, err := ncio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out bytes.Buffer
	tw := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	cw := csv.NewWriter(&out)
	cw.Comma = sep
	write := func(row []string) {
		if sep == 0 {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		} else {
			cw.Write(row)
		}
	}
	if header {
		write(types.FieldNames(fields))
	}
	rec := r.NewRecord()
	for {
		err := r.NextValid(rec)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		write(f.Row(nil, rec, fields))
	}
	tw.Flush()
	cw.Flush()
	return out.String()
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
