package io

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/netcap-go/netcap/types"
)

// RecordFilesIn lists the names of the record files in dir (not in its
// subdirectories), rotated ones and Parquet copies (Type.parquet)
// included: what a capture into dir would mix its files with. A missing
// dir holds none.
func RecordFilesIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && (IsRecordFile(e.Name()) || isParquetCopy(e.Name())) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// isParquetCopy reports whether name is Type.parquet or Type-….parquet
// for a record type.
func isParquetCopy(name string) bool {
	base, ok := strings.CutSuffix(name, ".parquet")
	if !ok {
		return false
	}
	if i := strings.IndexByte(base, '-'); i > 0 {
		base = base[:i]
	}
	_, ok = types.TypeByName(base)
	return ok
}

// CreateNew creates path for writing, failing when it exists: a run
// writes only files it created, never over one of an earlier run or of
// a user.
func CreateNew(path string, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%s exists already: not overwritten", path)
	}
	return f, err
}
