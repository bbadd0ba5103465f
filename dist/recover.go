package dist

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	ncio "github.com/netcap-go/netcap/io"
)

// A collector writes only files it created and listed in its state file
// before creating them. At start it checks each of them against its last
// checkpoint: a file that holds its checkpoint is cut back to it (what
// follows was never acknowledged and comes again); a file that does not
// is set aside untouched under a new name and its type starts a new file.
// Record files the state does not list are strangers: left alone.

// maxCheckpointSize bounds a size in the state file: anything larger is
// damage, not a file (1 PiB).
const maxCheckpointSize = 1 << 50

// recover loads the state of an earlier run and brings every file it
// lists back to its last checkpoint.
func (c *collector) recover() error {
	c.state = collectState{Files: map[string]fileState{}, Applied: map[string]*seqSet{}, Touched: map[string]int64{}}
	path := filepath.Join(c.cfg.Out, stateFile)
	b, err := os.ReadFile(path)
	existing := recordFilesUnder(c.cfg.Out)
	if errors.Is(err, os.ErrNotExist) {
		if len(existing) > 0 {
			return fmt.Errorf("%s holds record files (%s, …) but no collector state (%s): give net collect an empty or its own -out directory", c.cfg.Out, existing[0], stateFile)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &c.state); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c.initState()
	rels := make([]string, 0, len(c.state.Files))
	for rel := range c.state.Files {
		rels = append(rels, rel)
	}
	slices.Sort(rels)
	for _, rel := range rels {
		if err := c.recoverFile(rel); err != nil {
			return err
		}
	}
	c.logStrangers(recordFilesUnder(c.cfg.Out))
	// Files set aside or gone leave the state: save it before any batch.
	return c.saveState()
}

// initState fills what an older or damaged state file left out.
func (c *collector) initState() {
	if c.state.Files == nil {
		c.state.Files = map[string]fileState{}
	}
	if c.state.Applied == nil {
		c.state.Applied = map[string]*seqSet{}
	}
	if c.state.Touched == nil {
		c.state.Touched = map[string]int64{}
	}
	for _, k := range c.state.Touched {
		c.commits = max(c.commits, k)
	}
}

// recoverFile checks one file of the state against its checkpoint and
// cuts it back to it, or sets it aside.
func (c *collector) recoverFile(rel string) error {
	fs := c.state.Files[rel]
	p := c.filePath(rel, fs)
	if fs.Size == 0 {
		return c.recoverUncommitted(rel, p)
	}
	st, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		c.st.Missing++
		c.log.Error("a checkpointed record file is gone: its records are lost; a new file starts", zap.String("file", p), zap.Int64("records", fs.Records))
		delete(c.state.Files, rel)
		return nil
	}
	if err != nil {
		return err
	}
	if reason := c.checkAgainst(rel, p, fs, st); reason != "" {
		return c.setAside(rel, p, reason)
	}
	if st.Size() > fs.Size {
		// Only bytes this collector wrote after its checkpoint go.
		if err := os.Truncate(p, fs.Size); err != nil {
			return fmt.Errorf("cutting %s back to its checkpoint: %w", p, err)
		}
	}
	return nil
}

// checkAgainst tells why file p does not hold the checkpoint fs ("" when
// it does).
func (c *collector) checkAgainst(rel, p string, fs fileState, st os.FileInfo) string {
	switch {
	case !st.Mode().IsRegular():
		return "it is not a regular file"
	case fs.Size < 0 || fs.Size > maxCheckpointSize || fs.Records < 0:
		return fmt.Sprintf("the state file's checkpoint is not sane (size %d, %d records)", fs.Size, fs.Records)
	case st.Size() < fs.Size:
		return fmt.Sprintf("it is %d bytes, shorter than its checkpoint (%d bytes)", st.Size(), fs.Size)
	}
	res := ncio.CheckPrefix(p, fs.Size)
	switch {
	case res.Err != nil:
		return fmt.Sprintf("its first %d bytes do not read as a record file: %d good records, then %v", fs.Size, res.Records, res.Err)
	case res.Records != fs.Records:
		return fmt.Sprintf("its first %d bytes hold %d records, the checkpoint says %d", fs.Size, res.Records, fs.Records)
	case res.Type.Name()+c.cfg.Compression.Extension() != filepath.Base(rel):
		return fmt.Sprintf("it holds %s records", res.Type.Name())
	}
	return ""
}

// recoverUncommitted handles a file the state lists as created but never
// checkpointed: a crash came before its first commit, so none of its
// records was acknowledged. It goes when it holds no record; a file with
// records (a state file edited by hand?) is set aside, never removed.
func (c *collector) recoverUncommitted(rel, p string) error {
	delete(c.state.Files, rel)
	if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	res := ncio.CheckFile(p)
	if res.Records == 0 && (res.Err == nil || errors.Is(res.Err, ncio.ErrTruncated) || errors.Is(res.Err, ncio.ErrNotRecordFile)) {
		return os.Remove(p)
	}
	return c.setAside(rel, p, fmt.Sprintf("it holds %d records no checkpoint covers", res.Records))
}

// setAside renames a file that does not match its checkpoint to
// <name>.damaged-<UTC> (never over another file) and forgets it, so the
// type starts a new file. The bytes stay as they were, for net util
// -check -repair.
func (c *collector) setAside(rel, p, reason string) error {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	dst := p + ".damaged-" + stamp
	for i := 1; exists(dst); i++ {
		dst = fmt.Sprintf("%s.damaged-%s-%d", p, stamp, i)
	}
	if err := os.Rename(p, dst); err != nil {
		return fmt.Errorf("%s does not match its checkpoint (%s) and cannot be set aside: %w", p, reason, err)
	}
	c.st.SetAside++
	delete(c.state.Files, rel)
	c.log.Error("RECORD FILE DOES NOT MATCH ITS CHECKPOINT: set aside untouched, a new file starts; net util -check -repair recovers its readable records",
		zap.String("file", p), zap.String("reason", reason), zap.String("moved_to", dst))
	return nil
}

// logStrangers names, once, the record files under Out that this
// collector did not write: they stay as they are.
func (c *collector) logStrangers(existing []string) {
	ours := map[string]bool{}
	for rel, fs := range c.state.Files {
		ours[c.fileRel(rel, fs)] = true
	}
	var strangers []string
	for _, rel := range existing {
		if !ours[rel] {
			strangers = append(strangers, rel)
		}
	}
	if len(strangers) > 0 {
		c.st.Strangers = int64(len(strangers))
		c.log.Warn("record files this collector did not write are left alone", zap.String("out", c.cfg.Out), zap.Strings("files", strangers))
	}
}

// fileRel is where the file of rel is, relative to Out.
func (c *collector) fileRel(rel string, fs fileState) string {
	if fs.Path != "" {
		return fs.Path
	}
	return rel
}

func (c *collector) filePath(rel string, fs fileState) string {
	return filepath.Join(c.cfg.Out, c.fileRel(rel, fs))
}

// freeName returns where a new file of rel goes, relative to Out: rel
// itself, or, when something is there already (a stranger, a file set
// aside by hand), Type-<UTC>[-N].ext beside it.
func (c *collector) freeName(rel string) string {
	if !exists(filepath.Join(c.cfg.Out, rel)) {
		return rel
	}
	ext := c.cfg.Compression.Extension()
	base := strings.TrimSuffix(rel, ext) + "-" + time.Now().UTC().Format("20060102T150405Z")
	name := base + ext
	for i := 1; exists(filepath.Join(c.cfg.Out, name)); i++ {
		name = fmt.Sprintf("%s-%d%s", base, i, ext)
	}
	return name
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
