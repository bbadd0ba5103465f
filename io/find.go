package io

import (
	"io/fs"
	"path/filepath"
	"strings"
)

// maxFindDepth bounds how many directory levels FindRecordFiles goes down:
// net collect and net proxy write one level below their -out
// (out/<agent>/Type.ncap.gz), a directory holding such outputs two.
const maxFindDepth = 4

// FindRecordFiles returns the record files in dir and below it, in the
// layouts net collect and net proxy write (dir/<agent>/Type.ncap.gz), in
// walk order (by name, a directory's files and subdirectories mixed). It
// does not enter hidden directories (state such as a spool), follow
// symlinked directories, or go more than maxFindDepth levels down.
func FindRecordFiles(dir string) ([]string, error) {
	// A trailing separator makes the walk start in the directory a
	// symlinked dir points to; the links below it are not followed.
	root := filepath.Clean(dir) + string(filepath.Separator)
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || depth(root, p) > maxFindDepth {
				return filepath.SkipDir
			}
			return nil
		}
		if IsRecordFile(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// depth is how many directory levels p is below root.
func depth(root, p string) int {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return 0
	}
	return strings.Count(rel, string(filepath.Separator)) + 1
}
