package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/reflect/protoreflect"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

type dumpOptions struct {
	parquet   string
	read      string
	csv       bool
	tsv       bool
	json      bool
	table     bool
	struc     bool
	sep       string
	sel       string
	fields    bool
	header    bool
	utc       bool
	epoch     bool
	begin     string
	end       string
	structSep string
	noHeader  bool
}

func newDumpCmd(root *rootOptions) *cobra.Command {
	o := &dumpOptions{}
	cmd := &cobra.Command{
		Use:   "dump",
		Short: "Print audit records as CSV, TSV, JSON, a table or protobuf text",
		Long: `Print the records of a record file (.ncap, .ncap.gz, .ncap.zst), of every
record file in a directory and its subdirectories (net collect's and net
proxy's out/<name>/Type.ncap.gz; hidden and symlinked directories are
skipped), or of standard input (-read -). In a directory's dump each file's
records follow a line naming the file: "# path", or {"file":"path"} in JSON.
Records that are not of the type their file's header (or name) says are an
error, as in net util -check.

CSV (the default) has one header line per record type; columns are the
record's fields in field-number order. Nested messages are written as
(a;b;c), repeated fields as items joined by |, maps as key=value|key=value,
bytes as hex. Timestamps are RFC 3339 in local time, in UTC with -utc, or
Unix nanoseconds with -epoch. JSON writes one object per line with every
field present and timestamps as Unix nanoseconds.`,
		Example: `  net dump -read out/TCP.ncap.gz
  net dump -read out/TCP.ncap.gz -select Timestamp,SrcPort,DstPort -utc
  net dump -read out/DNS.ncap.gz -json
  net dump -read out/TCP.ncap.gz -fields`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDump(cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.read, "read", "r", "", "record file, directory of record files (subdirectories too), or - for stdin")
	f.BoolVar(&o.csv, "csv", false, "comma-separated values (the default)")
	f.BoolVar(&o.tsv, "tsv", false, "tab-separated values")
	f.BoolVar(&o.json, "json", false, "one JSON object per line")
	f.BoolVar(&o.table, "table", false, "aligned table")
	f.BoolVar(&o.struc, "struc", false, "protobuf text format, one record after another")
	f.StringVar(&o.sep, "sep", ",", `CSV separator (\t for tab)`)
	f.StringVar(&o.sel, "select", "", "comma-separated fields to print, in this order")
	f.BoolVar(&o.fields, "fields", false, "print the field (column) names and exit")
	f.BoolVar(&o.header, "header", false, "print the file header and exit")
	f.BoolVar(&o.utc, "utc", false, "timestamps in UTC")
	f.BoolVar(&o.epoch, "epoch", false, "timestamps as Unix nanoseconds")
	f.StringVar(&o.begin, "begin", "(", "opening mark of a nested message in text output")
	f.StringVar(&o.end, "end", ")", "closing mark of a nested message in text output")
	f.StringVar(&o.structSep, "struct-sep", ";", "separator between the fields of a nested message")
	f.BoolVar(&o.noHeader, "no-header-line", false, "omit the CSV/TSV header line")
	f.StringVar(&o.parquet, "parquet", "", "write the records as Parquet instead (typed columns, nested fields as structs and lists): a file for one record file, a directory (<subdir>/<Type>.parquet each) for a directory")
	return cmd
}

// recordFiles returns the files to read for -read: one file, stdin, or
// the record files of a directory and of its subdirectories (the layouts
// of net collect and net proxy), and whether -read was a directory.
func recordFiles(path string) ([]string, bool, error) {
	if path == "" {
		return nil, false, errors.New("no input: give a record file or directory with -read")
	}
	if path == "-" {
		return []string{"-"}, false, nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	if !st.IsDir() {
		return []string{path}, false, nil
	}
	out, err := ncio.FindRecordFiles(path)
	if err != nil {
		return nil, true, err
	}
	if len(out) == 0 {
		return nil, true, fmt.Errorf("no record files in %s or its subdirectories", path)
	}
	return out, true, nil
}

func runDump(stdout io.Writer, o *dumpOptions) error {
	files, dir, err := recordFiles(o.read)
	if err != nil {
		return fmt.Errorf("dump: %w", err)
	}
	if o.parquet != "" {
		return dumpParquet(stdout, files, dir, o)
	}
	w := bufio.NewWriterSize(stdout, 1<<20)
	defer w.Flush()
	for i, path := range files {
		if i > 0 && !o.json && !o.header {
			w.WriteByte('\n')
		}
		if dir {
			fileHeading(w, path, o.json)
		}
		if err := dumpFile(w, path, o); err != nil {
			w.Flush()
			return err
		}
	}
	return nil
}

// fileHeading names the file whose records follow, in a directory's dump
// (files of several agents may have the same name): a "# path" line, or
// a {"file": path} object in JSON (record fields never start lower-case).
func fileHeading(w *bufio.Writer, path string, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(path)
		fmt.Fprintf(w, "{\"file\":%s}\n", b)
		return
	}
	fmt.Fprintf(w, "# %s\n", path)
}

func dumpFile(w *bufio.Writer, path string, o *dumpOptions) error {
	r, err := ncio.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.CheckName(); err != nil {
		return err
	}
	format := types.Format{Time: types.TimeLocal, Begin: o.begin, End: o.end, Sep: o.structSep}
	switch {
	case o.epoch:
		format.Time = types.TimeEpoch
	case o.utc:
		format.Time = types.TimeUTC
	}
	if o.header {
		h := r.Header
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Created\tSource\tVersion\tType\tContainsPayloads")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\n", format.Timestamp(h.Created), h.InputSource, h.Version, h.Type.Name(), h.ContainsPayloads)
		return tw.Flush()
	}
	rec := r.NewRecord()
	md := rec.ProtoReflect().Descriptor()
	fields := types.Fields(md)
	if o.sel != "" {
		if fields, err = types.SelectFields(md, strings.Split(o.sel, ",")); err != nil {
			return err
		}
	}
	sep := o.sep
	if sep == `\t` || o.tsv {
		sep = "\t"
	}
	if o.fields {
		_, err := fmt.Fprintln(w, strings.Join(types.FieldNames(fields), sep))
		return err
	}

	var (
		cw   *csv.Writer
		tw   *tabwriter.Writer
		row  []string
		line []byte
	)
	switch {
	case o.json:
	case o.struc:
	case o.table:
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(types.FieldNames(fields), "\t"))
	default:
		cw = csv.NewWriter(w)
		r := []rune(sep)
		if len(r) != 1 {
			return fmt.Errorf("dump: -sep must be one character, not %q", sep)
		}
		cw.Comma = r[0]
		if !o.noHeader {
			cw.Write(types.FieldNames(fields))
		}
	}
	text := prototext.MarshalOptions{Multiline: true, Indent: "  "}
	n := 0
	var readErr error
	for {
		// Records that are not of the header's type are refused, not
		// printed as garbage (as net util -check finds them).
		if err := r.NextValid(rec); err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		n++
		switch {
		case o.json:
			line = format.AppendJSON(line[:0], rec, fields)
			line = append(line, '\n')
			w.Write(line)
		case o.struc:
			if o.sel != "" {
				keepOnly(rec.ProtoReflect(), fields)
			}
			fmt.Fprintf(w, "%s {\n%s}\n", r.Type().Name(), text.Format(rec))
		case tw != nil:
			row = format.Row(row[:0], rec, fields)
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		default:
			row = format.Row(row[:0], rec, fields)
			cw.Write(row)
		}
	}
	if cw != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	}
	if tw != nil {
		tw.Flush()
	}
	if o.struc {
		fmt.Fprintf(w, "%d records.\n", n)
	}
	if readErr != nil {
		if errors.Is(readErr, ncio.ErrTruncated) {
			w.Flush()
			fmt.Fprintf(os.Stderr, "net: warning: %s: file ends inside a record; printed the %d complete records\n", path, n)
			return nil
		}
		return fmt.Errorf("record %d: %w (the %d records before it were printed)", n+1, readErr, n)
	}
	return nil
}

// keepOnly clears every field of m not in fields (for -struc -select).
func keepOnly(m protoreflect.Message, fields []protoreflect.FieldDescriptor) {
	m.Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
		if !slices.Contains(fields, fd) {
			m.Clear(fd)
		}
		return true
	})
}

// dumpParquet converts record files to Parquet: one file to the path
// given, a directory's files into that directory as <subdir>/<Type>.parquet.
func dumpParquet(stdout io.Writer, files []string, dir bool, o *dumpOptions) error {
	out := o.parquet
	if len(files) == 1 && files[0] == "-" {
		return errors.New("dump: -parquet needs a record file, not stdin")
	}
	if st, err := os.Stat(out); dir || err == nil && st.IsDir() {
		for _, f := range files {
			sub := "."
			if dir {
				sub, _ = filepath.Rel(o.read, filepath.Dir(f))
			}
			dst := filepath.Join(out, sub, parquetName(f))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			n, err := ncio.ConvertToParquet(f, dst)
			if err != nil {
				return fmt.Errorf("dump: %s: %w", f, err)
			}
			fmt.Fprintf(stdout, "%s: %d records\n", dst, n)
		}
		return nil
	}
	n, err := ncio.ConvertToParquet(files[0], out)
	if err != nil {
		return fmt.Errorf("dump: %s: %w", files[0], err)
	}
	fmt.Fprintf(stdout, "%s: %d records\n", out, n)
	return nil
}

// parquetName is Type.parquet for Type.ncap.gz (and rotated names).
func parquetName(recordFile string) string {
	base := filepath.Base(recordFile)
	for _, ext := range []string{".ncap.gz", ".ncap.zst", ".ncap"} {
		base = strings.TrimSuffix(base, ext)
	}
	return base + ".parquet"
}
