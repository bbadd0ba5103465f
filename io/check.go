package io

import (
	"errors"
	"fmt"
	goio "io"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/types"
)

// CheckResult is what CheckFile found in one record file.
type CheckResult struct {
	Path    string
	Type    types.Type
	Records int64 // records that decoded
	// Err is the first damage: a missing or bad header, a broken
	// compressed stream, a cut record, a record that does not decode or
	// has fields its type does not have. Records counts the good ones
	// before it (record Records+1 is the damaged one).
	Err error
}

// OK reports whether the file is intact.
func (c CheckResult) OK() bool { return c.Err == nil }

// CheckFile reads a record file to its end and validates every record.
func CheckFile(path string) CheckResult {
	return checkFrom(path, func(f goio.Reader) goio.Reader { return f })
}

// CheckPrefix validates the first size bytes of a record file as a record
// file of their own: what a checkpoint (FileWriter.Checkpoint) promised
// is there and readable, whatever follows it.
func CheckPrefix(path string, size int64) CheckResult {
	return checkFrom(path, func(f goio.Reader) goio.Reader { return goio.LimitReader(f, size) })
}

// checkFrom validates the records of path as limit lets them be read.
func checkFrom(path string, limit func(goio.Reader) goio.Reader) CheckResult {
	res := CheckResult{Path: path}
	f, err := os.Open(path)
	if err != nil {
		res.Err = fmt.Errorf("header: %w", err)
		return res
	}
	defer f.Close()
	r, err := NewReader(limit(f), path)
	if err != nil {
		res.Err = fmt.Errorf("header: %w", err)
		return res
	}
	defer r.Close()
	res.Type = r.Type()
	m, err := types.NewRecord(res.Type)
	if err != nil || res.Type == types.Type_NC_Header {
		res.Err = fmt.Errorf("header: record type %d is unknown", res.Type)
		return res
	}
	if err := r.CheckName(); err != nil {
		res.Err = fmt.Errorf("header: %w", err)
		return res
	}
	for {
		proto.Reset(m)
		err := r.NextValid(m)
		if errors.Is(err, goio.EOF) {
			return res
		}
		if err != nil {
			res.Err = fmt.Errorf("record %d: %w", res.Records+1, err)
			return res
		}
		res.Records++
	}
}

// NextValid reads the next record into m, as Next does, and fails for a
// record holding fields its type does not define. Decoding alone cannot
// tell another type's record (under a header of the wrong type) from a
// good one: protobuf keeps the fields it does not know, and those whose
// wire type differs, as unknown fields, which this check finds. Records of
// another type that happen to use only fields of the same numbers and
// wire types still pass; CheckName catches the usual cause.
func (r *Reader) NextValid(m proto.Message) error {
	known, err := r.next(m)
	if err != nil || known {
		return err
	}
	if err := checkKnownFields(m.ProtoReflect()); err != nil {
		return fmt.Errorf("%s: %w", r.name, err)
	}
	return nil
}

// CheckName fails when the file's name says another record type than its
// header does (UDP.ncap.gz holding TCP records). A name that does not
// start with a type name (a renamed file, stdin) says nothing.
func (r *Reader) CheckName() error {
	named, ok := TypeOfName(r.name)
	if ok && named != r.Type() {
		return fmt.Errorf("%s: the file name says %s records, the header says %s", r.name, named.Name(), r.Type().Name())
	}
	return nil
}

// TypeOfName is the record type a record file's name starts with:
// Type.ncap.gz, Type-<time>.ncap.gz (rotated, split), Type.repaired.ncap.gz.
func TypeOfName(path string) (types.Type, bool) {
	base := filepath.Base(path)
	if !IsRecordFile(base) {
		return 0, false
	}
	name, _, _ := strings.Cut(base, ".")
	name, _, _ = strings.Cut(name, "-")
	return types.TypeByName(name)
}

// checkKnownFields fails for a record holding fields its type does not
// define: the bytes belong to another type (a wrong header) or are damaged.
// It visits only the message fields (and lists and maps of messages),
// which can hold unknown fields of their own: a dump checks every record,
// and ranging over every field costs more than printing it.
func checkKnownFields(m protoreflect.Message) error {
	if u := m.GetUnknown(); len(u) > 0 {
		return fmt.Errorf("%d bytes of fields a %s record does not have (another type's record, or damage)", len(u), m.Descriptor().Name())
	}
	fds := m.Descriptor().Fields()
	for i := range fds.Len() {
		fd := fds.Get(i)
		if fd.Message() == nil || fd.IsMap() && fd.MapValue().Message() == nil || !m.Has(fd) {
			continue
		}
		var err error
		switch {
		case fd.IsList():
			l := m.Get(fd).List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = checkKnownFields(l.Get(i).Message())
			}
		case fd.IsMap():
			m.Get(fd).Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				err = checkKnownFields(mv.Message())
				return err == nil
			})
		default:
			err = checkKnownFields(m.Get(fd).Message())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// RepairFile writes the readable prefix of a damaged record file src to
// dst (same header and compression as dst's name says) and returns how
// many records it holds.
func RepairFile(src, dst string) (int64, error) {
	r, err := Open(src)
	if err != nil {
		return 0, fmt.Errorf("%s: the header is unreadable, nothing to repair: %w", src, err)
	}
	defer r.Close()
	m, err := types.NewRecord(r.Type())
	if err != nil {
		return 0, err
	}
	w, err := CreateFileAt(dst, r.Header, CompressionOf(dst))
	if err != nil {
		return 0, err
	}
	var n int64
	for {
		proto.Reset(m)
		if err := r.NextValid(m); err != nil {
			break
		}
		if err := w.Write(m); err != nil {
			w.Close()
			return n, err
		}
		n++
	}
	if n == 0 {
		// keep the header-only file: it says what the damaged file was
		w.records = -1 // not removed on Close
	}
	if err := w.Close(); err != nil {
		return n, err
	}
	return n, nil
}

// CompressionOf tells the compression from a record file's name.
func CompressionOf(name string) Compression {
	switch {
	case strings.HasSuffix(name, ".ncap.zst"):
		return Zstd
	case strings.HasSuffix(name, ".ncap"):
		return None
	}
	return Gzip
}

// RepairedName is where RepairFile's output goes for src: Type.repaired.ncap.gz.
func RepairedName(src string) string {
	dir, base := filepath.Split(src)
	for _, ext := range []string{".ncap.gz", ".ncap.zst", ".ncap"} {
		if strings.HasSuffix(base, ext) {
			return filepath.Join(dir, strings.TrimSuffix(base, ext)+".repaired"+ext)
		}
	}
	return src + ".repaired.ncap.gz"
}
