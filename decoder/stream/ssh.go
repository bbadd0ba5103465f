package stream

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"strings"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// sshProtocol reads SSH connections: each side's version banner and its
// first key exchange offer (KEXINIT), from which HASSH (client) and
// HASSHServer come: the MD5 of "kex;encryption;mac;compression", the
// algorithms a side offers for the direction it sends in (Salesforce's
// HASSH definition). Everything after the key exchange is encrypted.
type sshProtocol struct{}

// SSH is the SSH protocol (sshProtocol).
var SSH Protocol = sshProtocol{}

func (sshProtocol) Info() decoder.Info {
	return decoder.Info{Name: "SSH", Type: types.Type_NC_SSH, Group: decoder.GroupStream, Description: "SSH version banners and key exchange offers, with HASSH"}
}

func (sshProtocol) Ports() []uint16 { return []uint16{22} }
func (sshProtocol) New(c *Conn) Session {
	s := &sshSession{c: c}
	s.side[ClientToServer].client = true
	return s
}

// Detect: either side starts with an SSH version line (dpi.MatchSSHBanner,
// which the classifier of the flow records uses too); a server may send
// other lines before its version line, a client may not.
func (sshProtocol) Detect(_ *reassembly.ConnInfo, client, server []byte) Verdict {
	cm, sm := dpi.MatchSSHBanner(client), dpi.MatchSSHBanner(server)
	switch {
	case cm == dpi.Matched || sm == dpi.Matched:
		return Yes
	case len(client) > 0 && cm == dpi.NoMatch:
		return No
	case len(server) >= 4 && bytes.IndexByte(server, '\n') >= 0 && !sshLaterBanner(server):
		return No
	}
	return NeedMore
}

// sshLaterBanner reports whether a line after the first of a server's
// bytes may be its version line.
func sshLaterBanner(server []byte) bool {
	for {
		i := bytes.IndexByte(server, '\n')
		if i < 0 {
			return false
		}
		server = server[i+1:]
		if dpi.MatchSSHBanner(server) != dpi.NoMatch {
			return true
		}
	}
}

const (
	sshMaxBanner   = 255   // RFC 4253 4.2: the version line, with CR LF
	sshMaxPreamble = 8192  // lines a server may send before its version
	sshMaxPacket   = 35000 // RFC 4253 6.1
	sshMsgKexInit  = 20
)

// sshSide is the parsing state of one direction.
type sshSide struct {
	client  bool
	buf     []byte
	banner  string
	skipped int // preamble bytes before the version line
	done    bool
	written bool
	ts      int64
}

type sshSession struct {
	c    *Conn
	side [2]sshSide
}

func (s *sshSession) Data(dir Direction, data []byte, ts int64) {
	h := &s.side[dir]
	if h.done {
		return
	}
	defer func() {
		if h.done {
			h.buf = nil // nothing more is read from this side
		}
	}()
	h.buf = append(h.buf, data...)
	if h.ts == 0 {
		h.ts = ts
	}
	for !h.done {
		if h.banner == "" {
			i := bytes.IndexByte(h.buf, '\n')
			if i < 0 {
				if len(h.buf) > sshMaxBanner {
					h.done = true // no version line: not SSH after all
				}
				return
			}
			isBanner := dpi.MatchSSHBanner(h.buf[:i]) == dpi.Matched
			line := strings.TrimRight(string(h.buf[:i]), "\r")
			h.buf = h.buf[i+1:]
			if !isBanner {
				h.skipped += i + 1
				if h.client || h.skipped > sshMaxPreamble {
					h.done = true
				}
				continue
			}
			h.banner = line
			h.ts = ts
			if strings.HasPrefix(line, "SSH-1.") && !strings.HasPrefix(line, "SSH-1.99") {
				s.write(dir, nil) // SSH 1 has no KEXINIT
				return
			}
			continue
		}
		// Binary packets: uint32 length, padding length, payload, padding.
		if len(h.buf) < 6 {
			return
		}
		n := int(binary.BigEndian.Uint32(h.buf))
		if n < 2 || n > sshMaxPacket {
			s.write(dir, nil)
			return
		}
		if len(h.buf) < 4+n {
			return
		}
		pad := int(h.buf[4])
		payload := h.buf[5 : 4+n]
		if pad < len(payload) {
			payload = payload[:len(payload)-pad]
		}
		h.buf = h.buf[4+n:]
		if len(payload) > 0 && payload[0] == sshMsgKexInit {
			s.write(dir, payload)
			return
		}
	}
}

func (s *sshSession) Gap(dir Direction, _ int64) {
	// Lost bytes break the framing: write what is known.
	if h := &s.side[dir]; !h.done && h.banner != "" {
		s.write(dir, nil)
	}
	s.side[dir].done = true
}

func (s *sshSession) Close(int64) {
	for d := range s.side {
		if h := &s.side[d]; h.banner != "" && !h.written {
			s.write(Direction(d), nil)
		}
	}
}

// write emits the SSH record of a direction, with HASSH when kexinit (the
// KEXINIT payload) is given and parses.
func (s *sshSession) write(dir Direction, kexinit []byte) {
	h := &s.side[dir]
	h.done = true
	if h.written {
		return
	}
	h.written = true
	r := &types.SSH{Timestamp: h.ts, Flow: s.c.Ident, Ident: types.WireString(h.banner), IsClient: h.client}
	if lists, ok := parseKexInit(kexinit); ok {
		var algs string
		if h.client {
			algs = strings.Join([]string{lists[0], lists[2], lists[4], lists[6]}, ";")
		} else {
			algs = strings.Join([]string{lists[0], lists[3], lists[5], lists[7]}, ";")
		}
		sum := md5.Sum([]byte(algs))
		r.HASSH, r.Algorithms = hex.EncodeToString(sum[:]), types.WireString(algs)
	} else if kexinit != nil {
		r.Notes = "malformed KEXINIT"
	}
	s.c.Emit(types.Type_NC_SSH, r)
	s.c.Run().ObserveSoftware(softwareFromSSH(s.c, h.banner, h.client, h.ts))
}

// parseKexInit returns the ten name-lists of a KEXINIT payload (message
// type, 16-byte cookie, then kex, host key, encryption c2s/s2c, mac
// c2s/s2c, compression c2s/s2c, languages c2s/s2c).
func parseKexInit(p []byte) ([10]string, bool) {
	var out [10]string
	if len(p) < 17 || p[0] != sshMsgKexInit {
		return out, false
	}
	p = p[17:]
	for i := range out {
		if len(p) < 4 {
			return out, false
		}
		n := binary.BigEndian.Uint32(p)
		if uint64(n) > uint64(len(p)-4) {
			return out, false
		}
		out[i] = string(p[4 : 4+n])
		p = p[4+n:]
	}
	return out, true
}
