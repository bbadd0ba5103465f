package io

import (
	"errors"
	"fmt"
	goio "io"
	"path/filepath"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/netcap-go/netcap/types"
)

// RecordTime returns a record's time: its Timestamp, else its
// TimestampFirst (connections, flows, profiles); false for records
// without one.
func RecordTime(m proto.Message) (int64, bool) {
	r := m.ProtoReflect()
	fields := r.Descriptor().Fields()
	for _, name := range []protoreflect.Name{"Timestamp", "TimestampFirst"} {
		if fd := fields.ByName(name); fd != nil && fd.Kind() == protoreflect.Int64Kind && !fd.IsList() {
			return r.Get(fd).Int(), true
		}
	}
	return 0, false
}

// EachByTime calls fn for every record of the files in record time
// order: a k-way merge, so the order is exact when every file is in time
// order (net capture writes nearly ordered files; records of equal time
// keep file order). Records without a time take their file's previous one.
func EachByTime(paths []string, fn func(t types.Type, m proto.Message, ts int64) error) error {
	type input struct {
		r  *Reader
		m  proto.Message
		ts int64
	}
	var ins []*input
	defer func() {
		for _, in := range ins {
			in.r.Close()
		}
	}()
	next := func(in *input) (bool, error) {
		proto.Reset(in.m)
		err := in.r.Next(in.m)
		if errors.Is(err, goio.EOF) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", in.r.name, err)
		}
		if ts, ok := RecordTime(in.m); ok {
			in.ts = ts
		}
		return true, nil
	}
	var live []*input
	for _, p := range paths {
		r, err := Open(p)
		if err != nil {
			return err
		}
		in := &input{r: r, m: r.NewRecord()}
		ins = append(ins, in)
		ok, err := next(in)
		if err != nil {
			return err
		}
		if ok {
			live = append(live, in)
		}
	}
	for len(live) > 0 {
		i := 0
		for j, in := range live {
			if in.ts < live[i].ts {
				i = j
			}
		}
		in := live[i]
		if err := fn(in.r.Type(), in.m, in.ts); err != nil {
			return err
		}
		ok, err := next(in)
		if err != nil {
			return err
		}
		if !ok {
			live = append(live[:i], live[i+1:]...)
		}
	}
	return nil
}

// MergeFiles merges record files of one type into dst in record time
// order (see EachByTime) and returns the records written.
func MergeFiles(dst string, srcs []string) (int64, error) {
	if len(srcs) == 0 {
		return 0, errors.New("nothing to merge")
	}
	var (
		typ      types.Type
		payloads bool
	)
	for i, p := range srcs {
		r, err := Open(p)
		if err != nil {
			return 0, err
		}
		t := r.Type()
		payloads = payloads || r.Header.ContainsPayloads
		r.Close()
		if i == 0 {
			typ = t
		} else if t != typ {
			return 0, fmt.Errorf("%s holds %s records, %s holds %s: merge files of one type", p, t.Name(), srcs[0], typ.Name())
		}
	}
	w, err := CreateFileAt(dst, NewHeader(typ, "net util -merge", payloads), CompressionOf(dst))
	if err != nil {
		return 0, err
	}
	var n int64
	err = EachByTime(srcs, func(_ types.Type, m proto.Message, _ int64) error {
		n++
		return w.Write(m)
	})
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// SplitFile writes the records of src into one file per interval of
// record time, named Type-<interval start, UTC>.ncap.gz in dir (the
// naming of rotated capture files). Records without a time go to the
// first interval seen. It returns the files written.
func SplitFile(src, dir string, interval time.Duration) ([]string, error) {
	if interval <= 0 {
		return nil, errors.New("split: the interval must be positive")
	}
	r, err := Open(src)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	comp := CompressionOf(src)
	writers := map[int64]*FileWriter{}
	var order []string
	closeAll := func() error {
		var errs []error
		for _, w := range writers {
			errs = append(errs, w.Close())
		}
		return errors.Join(errs...)
	}
	m := r.NewRecord()
	var last int64
	for {
		proto.Reset(m)
		err := r.Next(m)
		if errors.Is(err, goio.EOF) {
			break
		}
		if err != nil {
			closeAll()
			return order, err
		}
		ts, ok := RecordTime(m)
		if !ok {
			ts = last
		}
		last = ts
		start := ts - ((ts%int64(interval))+int64(interval))%int64(interval)
		w := writers[start]
		if w == nil {
			name := fmt.Sprintf("%s-%s%s", r.Type().Name(), time.Unix(0, start).UTC().Format("20060102T150405Z"), comp.Extension())
			path := filepath.Join(dir, name)
			if w, err = CreateFileAt(path, r.Header, comp); err != nil {
				closeAll()
				return order, err
			}
			writers[start] = w
			order = append(order, path)
		}
		if err := w.Write(m); err != nil {
			closeAll()
			return order, err
		}
	}
	return order, closeAll()
}
