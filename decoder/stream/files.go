package stream

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/netcap-go/netcap/decoder/content"
	"github.com/netcap-go/netcap/types"
)

// FileWriter receives the bytes of one file carried by a connection (an
// HTTP body, a mail attachment) as they arrive; Close writes its File
// record. It hashes everything (MD5 as Netcap's Hash, SHA-256), sniffs
// the content type from the first bytes, and with -fileStorage writes the
// bytes to DIR/<content type>/<name>.
type FileWriter struct {
	c    *Conn
	rec  *types.File
	open *openFile // nil once closed or discarded
	f    *os.File
	err  error
}

// openFile is what a FileWriter needs while it is open: the hashes and
// the first bytes. Writers take one from a pool and give it back when
// they end, so that a file costs no hash allocations.
type openFile struct {
	md5, sha hash.Hash
	sum      [sha256.Size]byte // where a hash is summed
	head     []byte            // the first content.SniffBytes bytes, for content sniffing
}

var openFiles = sync.Pool{New: func() any {
	return &openFile{md5: md5.New(), sha: sha256.New(), head: make([]byte, 0, content.SniffBytes)}
}}

// release gives the open state back to the pool.
func (w *FileWriter) release() {
	o := w.open
	w.open = nil
	o.md5.Reset()
	o.sha.Reset()
	o.head = o.head[:0]
	openFiles.Put(o)
}

// FileMeta is what the protocol knows of a file.
type FileMeta struct {
	Name        string // from the URL, Content-Disposition or the MIME part
	Source      string // "HTTP response", "HTTP request", "SMTP", "POP3"
	ContentType string // declared, e.g. by Content-Type
	Host        string // HTTP Host, mail server
	Timestamp   int64
	// FromServer says the file travelled from server to client (the
	// record's Src is then the server).
	FromServer bool
}

// NewFile starts a file of the connection. It returns nil when no File
// record is wanted.
func (c *Conn) NewFile(fi FileMeta) *FileWriter {
	if !c.Enabled(types.Type_NC_File) {
		return nil
	}
	src, dst := c.Info.Client, c.Info.Server
	if fi.FromServer {
		src, dst = dst, src
	}
	rec := &types.File{
		Timestamp: fi.Timestamp, Name: types.WireString(fi.Name), Ident: c.Ident, Source: fi.Source,
		ContentType: types.WireString(fi.ContentType), Host: types.WireString(fi.Host),
		SrcIP: src.Addr.String(), DstIP: dst.Addr.String(), SrcPort: int32(src.Port), DstPort: int32(dst.Port),
	}
	return &FileWriter{c: c, rec: rec, open: openFiles.Get().(*openFile)}
}

// Write adds bytes of the file.
func (w *FileWriter) Write(p []byte) {
	if w == nil || w.open == nil {
		return
	}
	o := w.open
	o.hash(p)
	w.rec.Length += int64(len(p))
	if len(o.head) < content.SniffBytes {
		o.head = append(o.head, p[:min(len(p), content.SniffBytes-len(o.head))]...)
	}
	dir := w.c.Options().FileStorage
	if dir == "" || w.err != nil {
		return
	}
	if w.f == nil {
		w.f, w.err = w.c.Run().files.create(dir, w.rec, o.head)
		if w.err != nil {
			w.rec.Location = "error: " + w.err.Error()
			return
		}
		w.rec.Location = w.f.Name()
	}
	if _, err := w.f.Write(p); err != nil && w.err == nil {
		w.err = err
	}
}

// hashBlock is how much of a chunk one hash takes before the other: the
// second reads the bytes from the cache the first brought them into, so
// that a large chunk travels from memory once.
const hashBlock = 8 << 10

// hash adds p to both hashes.
func (o *openFile) hash(p []byte) {
	for len(p) > 0 {
		n := min(len(p), hashBlock)
		o.md5.Write(p[:n])
		o.sha.Write(p[:n])
		p = p[n:]
	}
}

// hexSum returns the sum of h (one of o's hashes) in hex.
func (o *openFile) hexSum(h hash.Hash) string {
	var out [2 * sha256.Size]byte
	return string(out[:hex.Encode(out[:], h.Sum(o.sum[:0]))])
}

// Close completes the file and writes its record, and returns the content
// type sniffed from its first bytes (content.DetectType), which callers
// that keep the same bytes need not sniff again. An empty file gets no
// record.
func (w *FileWriter) Close() (detected string) {
	if w == nil || w.open == nil {
		return ""
	}
	o := w.open
	defer w.release()
	if w.f != nil {
		w.f.Close()
	}
	if w.rec.Length == 0 {
		return ""
	}
	w.rec.Hash = o.hexSum(o.md5)
	w.rec.Sha256 = o.hexSum(o.sha)
	w.rec.ContentTypeDetected = content.DetectType(o.head)
	w.c.Emit(types.Type_NC_File, w.rec)
	return w.rec.ContentTypeDetected
}

// Discard drops a file that turned out incomplete (bytes of it were lost):
// no File record, and the partial copy under -fileStorage is removed.
func (w *FileWriter) Discard() {
	if w == nil || w.open == nil {
		return
	}
	w.release()
	if w.f != nil {
		w.f.Close()
		w.c.Run().files.remove(w.c.Options().FileStorage, w.f.Name())
	}
}

// fileStore names stored files uniquely across workers. Every file is
// created inside the storage directory through an os.Root, so no name and
// no symlink can lead outside it; a symlink or other non-directory where a
// content-type directory would be is passed over for the next free name
// (text_html-1), and an existing name, symlink or not, for the next free
// file name (index-1.html): nothing is followed, nothing overwritten.
type fileStore struct {
	mu    sync.Mutex
	names map[string]int  // next suffix to try, by relative path
	made  map[string]bool // content-type directories this run created
}

// maxFileNames bounds the names fileStore remembers; when full it starts
// over, which costs only retries: O_EXCL keeps names unique.
const maxFileNames = 1 << 16

// create opens DIR/<type>/<name> for a file, adding -N to a name in use.
func (s *fileStore) create(dir string, rec *types.File, head []byte) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names == nil {
		s.made = map[string]bool{}
	}
	if s.names == nil || len(s.names) >= maxFileNames {
		s.names = map[string]int{}
	}
	sub, err := s.typeDir(root, safeName(strings.ReplaceAll(contentType(rec, head), "/", "_"), "unknown"))
	if err != nil {
		return nil, err
	}
	name := safeName(path.Base(strings.ReplaceAll(rec.Name, "\\", "/")), "file")
	return s.newFile(root, sub, name)
}

// contentType is the declared media type of a file, or the sniffed one.
func contentType(rec *types.File, head []byte) string {
	ct := rec.ContentType
	if mt, _, err := content.MediaTypeParam(ct, ""); err == nil {
		ct = mt
	}
	if ct == "" {
		ct = content.DetectType(head)
	}
	return ct
}

// typeDir returns the directory for a content type: name, or name-N when
// name is taken by something that is not a real directory.
func (s *fileStore) typeDir(root *os.Root, name string) (string, error) {
	for n := 0; ; n++ {
		candidate := numbered(name, "", n)
		st, err := root.Lstat(candidate)
		switch {
		case err == nil && st.IsDir():
			return candidate, nil
		case err == nil:
			continue // a symlink or a file: never used
		case !errors.Is(err, os.ErrNotExist):
			return "", err
		}
		err = root.Mkdir(candidate, 0o755)
		if err == nil {
			if len(s.made) < maxFileNames { // past it, such directories stay
				s.made[candidate] = true
			}
			return candidate, nil
		}
		if !errors.Is(err, os.ErrExist) { // else made meanwhile by someone else: passed over
			return "", err
		}
	}
}

// newFile creates sub/name exclusively, or sub/name-N.ext when it exists.
func (s *fileStore) newFile(root *os.Root, sub, name string) (*os.File, error) {
	key := filepath.Join(sub, name)
	ext := filepath.Ext(name)
	for n := s.names[key]; ; n++ {
		rel := filepath.Join(sub, numbered(strings.TrimSuffix(name, ext), ext, n))
		f, err := root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			s.names[key] = n + 1
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
	}
}

// numbered is base+ext for n 0, else base-n+ext.
func numbered(base, ext string, n int) string {
	if n == 0 {
		return base + ext
	}
	return fmt.Sprintf("%s-%d%s", base, n, ext)
}

// remove deletes a file this run stored (an incomplete one), and its
// content-type directory when this run made it and it is left empty.
func (s *fileStore) remove(dir, name string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	defer root.Close()
	rel, err := filepath.Rel(root.Name(), name)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	root.Remove(rel)
	if sub := filepath.Dir(rel); s.made[sub] && root.Remove(sub) == nil {
		delete(s.made, sub)
	}
}

// safeName keeps a file name to harmless characters.
func safeName(s, fallback string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_', r == '+':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), ".")
	if out == "" {
		return fallback
	}
	if len(out) > 128 {
		out = out[:128]
	}
	return out
}
