package collector

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netcap-go/netcap/decoder/stream"
	ncio "github.com/netcap-go/netcap/io"
)

// PrepareOut refuses an output directory that holds record files (and,
// with conns, -conns conversation files) of an earlier run, so that runs
// never mix; with force it removes them first and returns how many.
func PrepareOut(dir string, force, conns bool) (removed int, err error) {
	old, err := ncio.RecordFilesIn(dir)
	if err == nil && conns {
		var bins []string
		bins, err = stream.ConnsFiles(dir)
		old = append(old, bins...)
	}
	if err != nil || len(old) == 0 {
		return 0, err
	}
	if !force {
		names := old
		if len(names) > 5 {
			names = append(slices.Clone(names[:5]), "…")
		}
		return 0, fmt.Errorf("-out %s holds %d files of an earlier run (%s): choose another -out, or add -force to remove them first",
			dir, len(old), strings.Join(names, ", "))
	}
	for _, name := range old {
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return removed, fmt.Errorf("-force: %w", err)
		}
		removed++
	}
	return len(old), nil
}
