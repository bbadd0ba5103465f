package credentials

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
)

// IMAP (RFC 3501) logins: LOGIN, AUTHENTICATE PLAIN and LOGIN.

// hvIMAPState reads the client's commands: lines, with literals ({n} at the
// end of a line announces n bytes that belong to the command).
type hvIMAPState struct {
	broken bool
	line   []byte   // the current line
	parts  [][]byte // the current command: text, then literal, …
	lit    int      // literal bytes still to read
	litBuf []byte
	skip   bool // the command is too long: read it, do not keep it

	// AUTHENTICATE in progress: its tag and mechanism, and what the
	// client answered so far.
	authTag, authMech string
	authUser          string
	authStep          int
}

func (s *hvIMAPState) client(h *hvSession, data []byte, ts int64) {
	if s.broken {
		return
	}
	for len(data) > 0 {
		if s.lit > 0 {
			n := min(s.lit, len(data))
			if !s.skip {
				s.litBuf = append(s.litBuf, data[:n]...)
			}
			s.lit -= n
			data = data[n:]
			if s.lit == 0 {
				s.parts = append(s.parts, s.litBuf)
				s.litBuf = nil
			}
			continue
		}
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			s.appendLine(data)
			return
		}
		s.appendLine(data[:i])
		data = data[i+1:]
		line := bytes.TrimSuffix(s.line, []byte("\r"))
		s.line = nil
		if n, text, ok := hvLiteral(line); ok && s.authTag == "" {
			s.parts = append(s.parts, text)
			s.lit = n
			if n > hvMaxLit || len(s.parts) > 16 {
				s.skip = true
			}
			if n == 0 {
				s.parts = append(s.parts, nil)
			}
			continue
		}
		parts := append(s.parts, line)
		skip := s.skip
		s.parts, s.skip = nil, false
		if !skip {
			s.command(h, parts, ts)
		}
	}
}

func (s *hvIMAPState) appendLine(b []byte) {
	if n := min(len(b), hvMaxLine-len(s.line)); n > 0 {
		s.line = append(s.line, b[:n]...)
	} else if len(b) > 0 {
		s.skip = true
	}
}

// hvLiteral: a line ending in {n} or {n+} (LITERAL+).
func hvLiteral(line []byte) (int, []byte, bool) {
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, nil, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, nil, false
	}
	num := strings.TrimSuffix(string(line[i+1:len(line)-1]), "+")
	n, err := strconv.Atoi(num)
	if err != nil || n < 0 || len(num) > 9 {
		return 0, nil, false
	}
	return n, line[:i], true
}

// command handles one client command (parts alternate text and literal).
func (s *hvIMAPState) command(h *hvSession, parts [][]byte, ts int64) {
	if s.authTag != "" {
		// A SASL response line (RFC 3501 6.2.2); "*" cancels.
		line := string(parts[len(parts)-1])
		if line == "*" {
			s.authTag = ""
			return
		}
		raw, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			s.authTag = ""
			return
		}
		s.saslResponse(h, raw, ts)
		return
	}
	args := hvIMAPArgs(parts)
	if len(args) < 2 {
		return
	}
	tag := args[0]
	switch strings.ToUpper(args[1]) {
	case "LOGIN":
		if len(args) >= 4 {
			h.wait(hvPending{service: "IMAP", user: args[2], pass: args[3], tag: tag, ts: ts})
		}
	case "AUTHENTICATE":
		if len(args) < 3 {
			return
		}
		mech := strings.ToUpper(args[2])
		if mech != "PLAIN" && mech != "LOGIN" {
			return
		}
		s.authTag, s.authMech, s.authUser, s.authStep = tag, mech, "", 0
		if len(args) >= 4 { // SASL-IR (RFC 4959): "=" is an empty response
			var raw []byte
			var err error
			if args[3] != "=" {
				raw, err = base64.StdEncoding.DecodeString(args[3])
			}
			if err != nil {
				s.authTag = ""
				return
			}
			s.saslResponse(h, raw, ts)
		}
	}
}

// saslResponse takes a decoded client response of AUTHENTICATE.
func (s *hvIMAPState) saslResponse(h *hvSession, raw []byte, ts int64) {
	tag := s.authTag
	switch s.authMech {
	case "PLAIN":
		// authzid NUL authcid NUL passwd (RFC 4616).
		f := bytes.Split(raw, []byte{0})
		s.authTag = ""
		if len(f) == 3 {
			h.wait(hvPending{service: "IMAP", user: string(f[1]), pass: string(f[2]), tag: tag, ts: ts})
		}
	case "LOGIN":
		if s.authStep == 0 {
			s.authUser, s.authStep = string(raw), 1
			return
		}
		s.authTag = ""
		h.wait(hvPending{service: "IMAP", user: s.authUser, pass: string(raw), tag: tag, ts: ts})
	}
}

// hvIMAPArgs splits a command into its arguments: atoms, quoted strings
// (with \" and \\ escapes) and literals.
func hvIMAPArgs(parts [][]byte) []string {
	var out []string
	for i, p := range parts {
		if i%2 == 1 {
			out = append(out, string(p))
			continue
		}
		for len(p) > 0 {
			switch p[0] {
			case ' ':
				p = p[1:]
			case '"':
				var sb strings.Builder
				j := 1
				for ; j < len(p) && p[j] != '"'; j++ {
					if p[j] == '\\' && j+1 < len(p) {
						j++
					}
					sb.WriteByte(p[j])
				}
				out = append(out, sb.String())
				p = p[min(j+1, len(p)):]
			default:
				j := bytes.IndexByte(p, ' ')
				if j < 0 {
					j = len(p)
				}
				out = append(out, string(p[:j]))
				p = p[j:]
			}
		}
	}
	return out
}
