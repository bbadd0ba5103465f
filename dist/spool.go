package dist

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/netcap-go/netcap/types"
)

// spool keeps batches on disk, in order, when the agent's memory buffer is
// full or the agent stops before the collector took everything: one file
// per batch, named so that the name order is the send order. A later run
// of the agent with the same -spool directory sends them first.
type spool struct {
	dir   string
	max   int64
	bytes int64
	names []string // oldest first
	sizes map[string]int64
}

const spoolMagic = "NCSPOOL1"

type spoolMeta struct {
	Agent, Run, Source, Type string
	Seq                      uint64
	Records                  int
	Payloads                 bool
}

func openSpool(dir string, max int64) (*spool, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &spool{dir: dir, max: max, sizes: map[string]int64{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".batch") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		s.names = append(s.names, e.Name())
		s.sizes[e.Name()] = info.Size()
		s.bytes += info.Size()
	}
	slices.Sort(s.names)
	return s, nil
}

func (s *spool) len() int { return len(s.names) }

func spoolName(b *Batch) string {
	return fmt.Sprintf("%s-%020d.batch", b.Run, b.Seq) // Run is zero-padded: names sort in send order
}

// put writes b at the end of the spool; false when it would pass the bound.
func (s *spool) put(b *Batch) (bool, error) {
	meta, _ := json.Marshal(spoolMeta{Agent: b.Agent, Run: b.Run, Source: b.Source, Type: b.Type.Name(), Seq: b.Seq, Records: b.Records, Payloads: b.Payloads})
	size := int64(len(spoolMagic) + binary.MaxVarintLen64 + len(meta) + len(b.Data))
	if s.bytes+size > s.max {
		return false, nil
	}
	name := spoolName(b)
	tmp := filepath.Join(s.dir, name+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return false, err
	}
	w := bufio.NewWriter(f)
	w.WriteString(spoolMagic)
	w.Write(binary.AppendUvarint(nil, uint64(len(meta))))
	w.Write(meta)
	w.Write(b.Data)
	err = w.Flush()
	if err == nil {
		err = f.Sync()
	}
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return false, fmt.Errorf("spool: %w", err)
	}
	st, _ := os.Stat(filepath.Join(s.dir, name))
	if st != nil {
		size = st.Size()
	}
	s.names = append(s.names, name)
	s.sizes[name] = size
	s.bytes += size
	return true, nil
}

// peek reads the oldest batch without removing it. A damaged file is
// removed and reported (its records are counted as dropped by the caller).
func (s *spool) peek() (*Batch, error) {
	if len(s.names) == 0 {
		return nil, nil
	}
	name := s.names[0]
	b, err := readSpoolFile(filepath.Join(s.dir, name))
	if err == nil {
		return b, nil
	}
	s.remove()
	return nil, fmt.Errorf("spool file %s: %w", name, err)
}

// remove drops the oldest batch (sent).
func (s *spool) remove() {
	if len(s.names) == 0 {
		return
	}
	name := s.names[0]
	os.Remove(filepath.Join(s.dir, name))
	s.bytes -= s.sizes[name]
	delete(s.sizes, name)
	s.names = s.names[1:]
}

func readSpoolFile(path string) (*Batch, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(string(raw), spoolMagic) {
		return nil, errors.New("not a spool file")
	}
	raw = raw[len(spoolMagic):]
	n, k := binary.Uvarint(raw)
	if k <= 0 || n > uint64(len(raw)-k) {
		return nil, errors.New("damaged header")
	}
	var m spoolMeta
	if err := json.Unmarshal(raw[k:k+int(n)], &m); err != nil {
		return nil, err
	}
	t, ok := types.TypeByName(m.Type)
	if !ok || ValidAgentID(m.Agent) != nil || m.Records <= 0 {
		return nil, errors.New("damaged header")
	}
	return &Batch{Agent: m.Agent, Run: m.Run, Seq: m.Seq, Type: t, Records: m.Records, Source: m.Source,
		Payloads: m.Payloads, Data: raw[k+int(n):]}, nil
}
