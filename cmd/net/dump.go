package main

import (
	"bufio"
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
	"google.golang.org/protobuf/proto"
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
	format := o.format()
	if o.header {
		return printHeader(w, r.Header, format)
	}
	rec := r.NewRecord()
	md := rec.ProtoReflect().Descriptor()
	fields := types.Fields(md)
	if o.sel != "" {
		if fields, err = types.SelectFields(md, strings.Split(o.sel, ",")); err != nil {
			return err
		}
	}
	if o.fields {
		_, err := fmt.Fprintln(w, strings.Join(types.FieldNames(fields), o.separator()))
		return err
	}
	p, err := o.newPrinter(w, rec, r.Type(), format, fields)
	if err != nil {
		return err
	}
	n, readErr := 0, error(nil)
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
		p.print(rec)
	}
	if err := p.end(n); err != nil {
		return err
	}
	return dumpReadError(w, path, n, readErr)
}

// format is how values print: the time format, -begin/-end, -struct-sep.
func (o *dumpOptions) format() types.Format {
	format := types.Format{Time: types.TimeLocal, Begin: o.begin, End: o.end, Sep: o.structSep}
	switch {
	case o.epoch:
		format.Time = types.TimeEpoch
	case o.utc:
		format.Time = types.TimeUTC
	}
	return format
}

// separator is the CSV separator (-sep; -tsv or a literal \t is a tab).
func (o *dumpOptions) separator() string {
	if o.sep == `\t` || o.tsv {
		return "\t"
	}
	return o.sep
}

// printHeader prints a record file's header as a table (-header).
func printHeader(w io.Writer, h *types.Header, format types.Format) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Created\tSource\tVersion\tType\tContainsPayloads")
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\n", format.Timestamp(h.Created), h.InputSource, h.Version, h.Type.Name(), h.ContainsPayloads)
	return tw.Flush()
}

// dumpReadError reports how reading ended: a truncated file is a warning
// after the complete records, any other error names the record.
func dumpReadError(w *bufio.Writer, path string, n int, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ncio.ErrTruncated) {
		w.Flush()
		fmt.Fprintf(os.Stderr, "net: warning: %s: file ends inside a record; printed the %d complete records\n", path, n)
		return nil
	}
	return fmt.Errorf("record %d: %w (the %d records before it were printed)", n+1, err, n)
}

// recordPrinter prints records in one output format.
type recordPrinter interface {
	print(rec proto.Message)
	// end finishes the output after n records.
	end(n int) error
}

// newPrinter returns the printer of the format the options ask for (CSV
// by default) and prints its header.
func (o *dumpOptions) newPrinter(w *bufio.Writer, rec proto.Message, t types.Type, format types.Format, fields []protoreflect.FieldDescriptor) (recordPrinter, error) {
	switch {
	case o.json:
		return &jsonPrinter{w: w, format: format, fields: fields}, nil
	case o.struc:
		return &structPrinter{w: w, t: t, fields: fields, sel: o.sel != "", text: prototext.MarshalOptions{Multiline: true, Indent: "  "}}, nil
	case o.table:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(types.FieldNames(fields), "\t"))
		return &tablePrinter{tw: tw, columns: format.Columns(rec, fields), row: types.TextRow{Sep: "\t"}}, nil
	}
	sep := []rune(o.separator())
	if len(sep) != 1 {
		return nil, fmt.Errorf("dump: -sep must be one character, not %q", o.separator())
	}
	enc, err := ncio.NewCSVEncoder(sep[0])
	if err != nil {
		return nil, fmt.Errorf("dump: -sep %q: %w", o.separator(), err)
	}
	p := &csvPrinter{w: w, enc: enc, columns: format.Columns(rec, fields), row: types.TextRow{Sep: string(sep)}}
	if !o.noHeader {
		w.Write(enc.AppendStrings(nil, types.FieldNames(fields)))
	}
	return p, nil
}

// jsonPrinter prints JSON lines (-json).
type jsonPrinter struct {
	w      *bufio.Writer
	format types.Format
	fields []protoreflect.FieldDescriptor
	line   []byte
}

func (p *jsonPrinter) print(rec proto.Message) {
	p.line = p.format.AppendJSON(p.line[:0], rec, p.fields)
	p.line = append(p.line, '\n')
	p.w.Write(p.line)
}

func (p *jsonPrinter) end(int) error { return nil }

// structPrinter prints the protobuf text format (-struc).
type structPrinter struct {
	w      *bufio.Writer
	t      types.Type
	fields []protoreflect.FieldDescriptor
	sel    bool
	text   prototext.MarshalOptions
}

func (p *structPrinter) print(rec proto.Message) {
	if p.sel {
		keepOnly(rec.ProtoReflect(), p.fields)
	}
	fmt.Fprintf(p.w, "%s {\n%s}\n", p.t.Name(), p.text.Format(rec))
}

func (p *structPrinter) end(n int) error {
	fmt.Fprintf(p.w, "%d records.\n", n)
	return nil
}

// tablePrinter prints an aligned table (-table).
type tablePrinter struct {
	tw      *tabwriter.Writer
	columns *types.Columns
	row     types.TextRow // columns separated by tabs
}

func (p *tablePrinter) print(rec proto.Message) {
	p.row.Reset()
	p.columns.Append(&p.row, rec)
	p.row.Text = append(p.row.Text, '\n')
	p.tw.Write(p.row.Text)
}

func (p *tablePrinter) end(int) error { return p.tw.Flush() }

// csvPrinter prints CSV (the default; -tsv, -sep).
type csvPrinter struct {
	w       *bufio.Writer
	enc     *ncio.CSVEncoder
	columns *types.Columns
	row     types.TextRow
	line    []byte
}

func (p *csvPrinter) print(rec proto.Message) {
	p.row.Reset()
	p.columns.Append(&p.row, rec)
	p.line = p.enc.AppendRow(p.line[:0], &p.row)
	p.w.Write(p.line)
}

// end returns the error of a failed write, if any.
func (p *csvPrinter) end(int) error {
	_, err := p.w.Write(nil)
	return err
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
