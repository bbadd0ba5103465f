package label

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	goio "io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// Columns appended to every labelled row.
var Columns = []string{"label", "category", "severity", "alert_count"}

// Config of one labelling run over a directory of record files.
type Config struct {
	Dir     string   // record files (rotated files of a type are joined)
	Out     string   // where <Type>_labeled.csv go (default Dir)
	Alerts  []*Alert // Suricata alerts and custom labels
	Window  time.Duration
	Mode    Mode
	Parquet bool           // also <Type>_labeled.parquet
	Time    types.TimeMode // timestamps in the CSV (default UTC RFC 3339)
	// PacketLayers are the types written once per packet header (the
	// GoPacket decoders, from the registry): only they take the label of
	// their packet.
	PacketLayers map[types.Type]bool
}

// TypeSummary counts one record type.
type TypeSummary struct {
	Type     string
	Records  int64
	Labelled int64 // not normal
	CSV      string
	Parquet  string
}

// Summary of a labelling run.
type Summary struct {
	Alerts        int // alerts and custom labels used
	AlertsMatched int // of them, labelled at least one record
	Unmatched     []*Alert
	UnmatchedFile string
	Types         []TypeSummary
}

// Labelled returns the total of labelled records.
func (s *Summary) Labelled() int64 {
	var n int64
	for _, t := range s.Types {
		n += t.Labelled
	}
	return n
}

// Print writes the summary as a table.
func (s *Summary) Print(w goio.Writer) {
	fmt.Fprintf(w, "alerts: %d read, %d matched at least one record, %d unmatched", s.Alerts, s.AlertsMatched, len(s.Unmatched))
	if s.UnmatchedFile != "" {
		fmt.Fprintf(w, " (listed in %s)", s.UnmatchedFile)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-22s %10s %10s\n", "type", "records", "labelled")
	for _, t := range s.Types {
		fmt.Fprintf(w, "%-22s %10d %10d\n", t.Type, t.Records, t.Labelled)
	}
}

// typeFiles groups the record files of a directory by type.
func typeFiles(dir string) (map[types.Type][]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[types.Type][]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !ncio.IsRecordFile(name) {
			continue
		}
		p := filepath.Join(dir, name)
		r, err := ncio.Open(p)
		if err != nil {
			return nil, err
		}
		t := r.Type()
		r.Close()
		out[t] = append(out[t], p)
	}
	for _, ps := range out {
		slices.Sort(ps)
	}
	return out, nil
}

// HasRecords reports whether dir holds record files.
func HasRecords(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && ncio.IsRecordFile(e.Name()) {
			return true
		}
	}
	return false
}

// eachRecord calls fn for every record of the files, in order. A
// truncated file gives its records before the cut and an error.
func eachRecord(paths []string, fn func(proto.Message) error) error {
	for _, p := range paths {
		r, err := ncio.Open(p)
		if err != nil {
			return err
		}
		m := r.NewRecord()
		for {
			proto.Reset(m)
			err = r.Next(m)
			if err != nil {
				break
			}
			if err = fn(m); err != nil {
				break
			}
		}
		r.Close()
		if !errors.Is(err, goio.EOF) {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

// Run labels every record file of cfg.Dir.
func Run(cfg Config) (*Summary, error) {
	if cfg.Out == "" {
		cfg.Out = cfg.Dir
	}
	if cfg.Time == types.TimeLocal {
		cfg.Time = types.TimeUTC
	}
	files, err := typeFiles(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("label: no record files in %s", cfg.Dir)
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, err
	}
	j := NewJoiner(cfg.Alerts, cfg.Window, cfg.Mode)

	// Types in a fixed order: the join's passes depend on it, not on the
	// directory listing.
	all := make([]types.Type, 0, len(files))
	for t := range files {
		all = append(all, t)
	}
	slices.SortFunc(all, func(a, b types.Type) int { return strings.Compare(a.Name(), b.Name()) })
	info := map[types.Type]*fields{}
	for _, t := range all {
		m, err := types.NewRecord(t)
		if err != nil {
			return nil, err
		}
		info[t] = fieldsOf(m.ProtoReflect().Descriptor())
		info[t].packet = cfg.PacketLayers[t]
	}

	// Pass 1: flow instances from Connection and Flow records.
	for _, t := range all {
		f := info[t]
		if !f.flowSpan() {
			continue
		}
		err := eachRecord(files[t], func(m proto.Message) error {
			if v, ok := f.view(m.ProtoReflect()); ok && v.keyed() {
				j.addInstance(&v)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	// Pass 2: records with a flow; pass 3: the rest.
	sum := &Summary{}
	for pass := 2; pass <= 3; pass++ {
		for _, t := range all {
			if info[t].keyedShape != (pass == 2) {
				continue
			}
			ts, err := labelType(cfg, j, t, files[t], info[t], pass == 2)
			if err != nil {
				return nil, err
			}
			sum.Types = append(sum.Types, ts)
		}
	}
	slices.SortFunc(sum.Types, func(a, b TypeSummary) int { return strings.Compare(a.Type, b.Type) })

	sum.Alerts = len(cfg.Alerts)
	for _, a := range cfg.Alerts {
		if a.matched > 0 {
			sum.AlertsMatched++
		} else {
			sum.Unmatched = append(sum.Unmatched, a)
		}
	}
	sum.UnmatchedFile = filepath.Join(cfg.Out, "unmatched_alerts.txt")
	if err := writeUnmatched(sum.UnmatchedFile, sum.Unmatched); err != nil {
		return nil, err
	}
	return sum, nil
}

func writeUnmatched(path string, alerts []*Alert) error {
	f, err := ncio.CreateNew(path, 0o644)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# %d alerts matched no record (time, signature ID, signature, protocol, source -> destination, Community ID)\n", len(alerts))
	for _, a := range alerts {
		fmt.Fprintln(w, a.String())
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// labelType writes <Type>_labeled.csv (and .parquet) for one type.
func labelType(cfg Config, j *Joiner, t types.Type, paths []string, f *fields, keyed bool) (TypeSummary, error) {
	ts := TypeSummary{Type: t.Name(), CSV: filepath.Join(cfg.Out, t.Name()+"_labeled.csv")}
	m0, _ := types.NewRecord(t)
	md := m0.ProtoReflect().Descriptor()
	cols := types.Fields(md)
	format := types.Format{Time: cfg.Time, Begin: "(", End: ")", Sep: ";"}

	out, err := ncio.CreateNew(ts.CSV, 0o644)
	if err != nil {
		return ts, err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(append(types.FieldNames(cols), Columns...)); err != nil {
		return ts, err
	}
	var pw *ncio.ParquetWriter
	var pf *os.File
	if cfg.Parquet {
		ts.Parquet = filepath.Join(cfg.Out, t.Name()+"_labeled.parquet")
		if pf, err = ncio.CreateNew(ts.Parquet, 0o644); err != nil {
			return ts, err
		}
		defer pf.Close()
		pw, err = ncio.NewParquetWriter(pf, md, []ncio.ParquetColumn{
			{Name: "label", Kind: ncio.ParquetString}, {Name: "category", Kind: ncio.ParquetString},
			{Name: "severity", Kind: ncio.ParquetInt64}, {Name: "alert_count", Kind: ncio.ParquetInt64},
		})
		if err != nil {
			return ts, err
		}
	}
	var row []string
	var set []*Alert
	err = eachRecord(paths, func(m proto.Message) error {
		set = set[:0]
		if v, ok := f.view(m.ProtoReflect()); ok {
			if keyed && v.keyed() {
				set = j.matchKeyed(&v, set)
				j.notePacket(&v, set)
			} else {
				set = j.matchUnkeyed(&v, set)
			}
		}
		d := j.decide(set)
		ts.Records++
		if d.Label != Normal {
			ts.Labelled++
		}
		row = format.Row(row[:0], m, cols)
		// Signatures come from alert files: one line per row, as the record's columns.
		row = append(row, types.EscapeControls(d.Label, false), types.EscapeControls(d.Category, false),
			strconv.FormatInt(d.Severity, 10), strconv.FormatInt(d.AlertCount, 10))
		if err := cw.Write(row); err != nil {
			return err
		}
		if pw != nil {
			return pw.Write(m, d.Label, d.Category, d.Severity, d.AlertCount)
		}
		return nil
	})
	if err != nil {
		return ts, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return ts, err
	}
	if err := bw.Flush(); err != nil {
		return ts, err
	}
	if pw != nil {
		if err := pw.Close(); err != nil {
			return ts, err
		}
		if err := pf.Close(); err != nil {
			return ts, err
		}
	}
	return ts, out.Close()
}
