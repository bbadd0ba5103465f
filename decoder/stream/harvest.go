package stream

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/netcap-go/netcap/reassembly"
)

// The credential harvester reads the first hvBytes of each direction
// of every TCP conversation, whatever protocol was detected, and finds
// clear-text logins of three protocols no stream decoder handles:
//
//   - FTP (RFC 959): "USER name" then "PASS secret" from the client, in a
//     conversation whose server speaks in three-digit replies. The record
//     is written at the server's reply to PASS; Notes is that reply
//     ("230 Login successful.").
//   - IMAP (RFC 3501): "tag LOGIN user password" (atoms, quoted strings or
//     literals), "tag AUTHENTICATE PLAIN" (RFC 4616, initial response or
//     after the server's "+" continuation) and "tag AUTHENTICATE LOGIN"
//     (base64 user name, then password). Written at the tagged reply; Notes
//     is the reply ("OK LOGIN completed.").
//   - Telnet (RFC 854): the client's line after a server prompt ending in
//     "login:"/"username:"/"user:" is the user, the line after "password:"
//     the password; option negotiation (IAC sequences) is removed from both
//     directions and the client's backspaces applied. Written when the
//     password line ends.
//
// What decides is the conversation's content (the server's replies), not
// its port. HTTP, SMTP and POP3 report their own credentials: conversations
// detected as one of them are left alone (POP3's USER/PASS are not FTP's).
// Conversations that end before the server replies still yield what the
// client sent, at Close, when the server greeted as that protocol (or sent
// nothing and listens on its port).

func init() {
	observers = append(observers, func(r *Run) Observer {
		if !r.opts.enabled("Credentials") {
			return nil
		}
		return hvObserver{}
	})
}

const (
	hvBytes    = 8192 // bytes read per direction
	hvMaxLine  = 1024 // longer lines are cut
	hvMaxLit   = 1024 // longest IMAP literal read
	hvMaxCreds = 16   // credentials kept waiting for a reply
)

type hvObserver struct{}

func (hvObserver) New(c *Conn) Session {
	if c.Info.Transport != reassembly.TCP {
		return nil
	}
	h := &hvSession{c: c}
	h.telnet.on = c.Info.Server.Port == 23 || c.Info.Server.Port == 2323
	return h
}

// hvPending is a credential waiting for the server's verdict.
type hvPending struct {
	service, user, pass string
	tag                 string // IMAP: the command's tag; FTP: the code of a multi-line reply
	note                string // FTP: the first line of a multi-line reply
	ts                  int64
}

type hvSession struct {
	c       *Conn
	seen    [2]int
	started [2]bool
	done    bool
	lines   [2]hvLineReader

	server struct {
		lines int    // complete lines the server sent
		kind  string // "FTP", "IMAP", "other": from its first line
	}
	pending []hvPending

	ftpUser string
	imap    hvIMAPState
	telnet  hvTelnetState
}

func (h *hvSession) Data(dir Direction, data []byte, ts int64) {
	if h.done {
		return
	}
	if hvOwnHarvest(h.c) {
		h.stop()
		return
	}
	if n := hvBytes - h.seen[dir]; len(data) > n {
		data = data[:max(n, 0)]
	}
	if len(data) == 0 {
		return
	}
	if !h.started[dir] {
		h.started[dir] = true
		// Telnet option negotiation opens most Telnet conversations.
		if len(data) >= 2 && data[0] == hvTelnetIAC && data[1] >= hvTelnetWILL {
			h.telnet.on = true
		}
	}
	h.seen[dir] += len(data)
	if h.telnet.on {
		h.telnetData(dir, data, ts)
	}
	if dir == ClientToServer {
		h.imap.client(h, data, ts)
	}
	h.lines[dir].feed(data, func(line []byte) { h.line(dir, line, ts) })
}

func (h *hvSession) Gap(dir Direction, _ int64) {
	// After a hole the line and literal framing is lost.
	h.lines[dir] = hvLineReader{skip: true}
	if dir == ClientToServer {
		h.imap = hvIMAPState{broken: true}
	}
	h.telnet.side[dir] = hvTelnetSide{}
}

func (h *hvSession) Close(int64) { h.stop() }

// stop writes the credentials still waiting for a reply, when the
// conversation looked like their protocol, and ends harvesting.
func (h *hvSession) stop() {
	if h.done {
		return
	}
	h.done = true
	for _, p := range h.pending {
		if h.plausible(p.service) {
			h.emit(p, p.note)
		}
	}
	h.pending = nil
}

// plausible says whether a credential whose reply never came belongs to a
// conversation of its protocol: the server greeted as that protocol, or
// sent nothing and listens on its port.
func (h *hvSession) plausible(service string) bool {
	if h.server.kind != "" {
		return h.server.kind == service
	}
	port := h.c.Info.Server.Port
	return service == "FTP" && port == 21 || service == "IMAP" && port == 143
}

// hvOwnHarvest reports whether the connection's protocol reports its own
// credentials.
func hvOwnHarvest(c *Conn) bool {
	p := c.Protocol()
	if p == nil {
		return false
	}
	switch p.Name() {
	case "HTTP", "SMTP", "POP3":
		return true
	}
	return false
}

func (h *hvSession) emit(p hvPending, notes string) {
	if hvOwnHarvest(h.c) {
		return
	}
	h.c.EmitCredentials(p.service, p.user, p.pass, notes, p.ts)
}

func (h *hvSession) wait(p hvPending) {
	if len(h.pending) < hvMaxCreds {
		h.pending = append(h.pending, p)
	}
}

// line handles a complete line of FTP or IMAP.
func (h *hvSession) line(dir Direction, line []byte, ts int64) {
	if dir == ServerToClient {
		h.serverLine(line)
		return
	}
	cmd, arg, _ := bytes.Cut(line, []byte(" "))
	switch {
	case hvEqualFold(cmd, "USER"):
		h.ftpUser = string(arg)
	case hvEqualFold(cmd, "PASS"):
		h.wait(hvPending{service: "FTP", user: h.ftpUser, pass: string(arg), ts: ts})
	}
}

func (h *hvSession) serverLine(line []byte) {
	s := string(line)
	h.server.lines++
	if h.server.lines == 1 {
		switch {
		case hvFTPReply(s):
			h.server.kind = "FTP"
		case strings.HasPrefix(s, "* OK"), strings.HasPrefix(s, "* PREAUTH"), strings.HasPrefix(s, "* BYE"):
			h.server.kind = "IMAP"
		default:
			h.server.kind = "other"
		}
	}
	tag, rest, _ := strings.Cut(s, " ")
	for i := range h.pending {
		p := &h.pending[i]
		matched, note := false, s
		switch p.service {
		case "FTP":
			// The first reply after PASS is its verdict. A multi-line
			// reply ("230-…" lines, then "230 …") is read to its last line.
			switch {
			case h.server.kind != "FTP":
			case p.tag == "" && hvFTPReply(s) && len(s) > 3 && s[3] == '-':
				p.tag, p.note = s[:3], s
				return
			case p.tag == "" && hvFTPReply(s), p.tag != "" && strings.HasPrefix(s, p.tag+" "), p.tag != "" && s == p.tag:
				matched = true
			}
		case "IMAP":
			matched, note = tag == p.tag, rest
		}
		if matched {
			done := *p
			h.pending = append(h.pending[:i], h.pending[i+1:]...)
			h.emit(done, note)
			return
		}
	}
}

// hvFTPReply: a three-digit reply code, then a space or a hyphen.
func hvFTPReply(s string) bool {
	return len(s) >= 4 && s[0] >= '1' && s[0] <= '5' && hvDigit(s[1]) && hvDigit(s[2]) && (s[3] == ' ' || s[3] == '-') ||
		len(s) == 3 && s[0] >= '1' && s[0] <= '5' && hvDigit(s[1]) && hvDigit(s[2])
}

func hvDigit(b byte) bool { return b >= '0' && b <= '9' }

func hvEqualFold(b []byte, s string) bool {
	return len(b) == len(s) && strings.EqualFold(string(b), s)
}

// hvLineReader splits a direction into lines (LF, CR LF), cutting lines
// longer than hvMaxLine.
type hvLineReader struct {
	buf  []byte
	skip bool // drop bytes up to the next LF (after a hole or a cut)
}

func (l *hvLineReader) feed(data []byte, fn func([]byte)) {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			if !l.skip {
				n := min(len(data), hvMaxLine-len(l.buf))
				l.buf = append(l.buf, data[:n]...)
				if n < len(data) {
					fn(bytes.TrimSuffix(l.buf, []byte("\r")))
					l.buf, l.skip = l.buf[:0], true
				}
			}
			return
		}
		if !l.skip {
			n := min(i, hvMaxLine-len(l.buf))
			l.buf = append(l.buf, data[:n]...)
			fn(bytes.TrimSuffix(l.buf, []byte("\r")))
		}
		l.buf, l.skip = l.buf[:0], false
		data = data[i+1:]
	}
}

// IMAP.

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

// Telnet.

const (
	hvTelnetSE   = 240
	hvTelnetSB   = 250
	hvTelnetWILL = 251
	hvTelnetDONT = 254
	hvTelnetIAC  = 255
)

type hvTelnetSide struct {
	state uint8 // 0 data, 1 after IAC, 2 after IAC WILL/WONT/DO/DONT, 3 in SB, 4 in SB after IAC
	cr    bool  // the last data byte was CR
}

type hvTelnetState struct {
	on   bool
	side [2]hvTelnetSide
	// The server's current line (since its last CR or LF), to spot
	// prompts; the client's input line while a prompt waits for it.
	prompt  []byte
	waiting byte // 'u' user name, 'p' password, 0 nothing
	input   []byte
	user    string
	hasUser bool
}

func (h *hvSession) telnetData(dir Direction, data []byte, ts int64) {
	t := &h.telnet
	sd := &t.side[dir]
	for _, b := range data {
		switch sd.state {
		case 1:
			switch {
			case b == hvTelnetIAC: // escaped 0xFF: data
				sd.state = 0
				h.telnetByte(dir, b, ts)
			case b >= hvTelnetWILL && b <= hvTelnetDONT:
				sd.state = 2
			case b == hvTelnetSB:
				sd.state = 3
			default:
				sd.state = 0
			}
			continue
		case 2:
			sd.state = 0
			continue
		case 3:
			if b == hvTelnetIAC {
				sd.state = 4
			}
			continue
		case 4:
			if b == hvTelnetSE {
				sd.state = 0
			} else {
				sd.state = 3
			}
			continue
		}
		if b == hvTelnetIAC {
			sd.state = 1
			continue
		}
		h.telnetByte(dir, b, ts)
	}
	if dir == ServerToClient {
		t.checkPrompt()
	}
}

// telnetByte takes one data byte of a direction.
func (h *hvSession) telnetByte(dir Direction, b byte, ts int64) {
	t := &h.telnet
	sd := &t.side[dir]
	cr := sd.cr
	sd.cr = b == '\r'
	if dir == ServerToClient {
		if b == '\r' || b == '\n' {
			t.prompt = t.prompt[:0]
		} else if len(t.prompt) < 256 && b != 0 {
			t.prompt = append(t.prompt, b)
		}
		return
	}
	if t.waiting == 0 {
		return
	}
	switch {
	case b == '\r', b == '\n' && !cr:
		t.endInput(h, ts)
	case b == 0, b == '\n':
		// NUL or LF after CR: part of the line end.
	case b == 8 || b == 0x7f: // backspace, delete
		if n := len(t.input); n > 0 {
			t.input = t.input[:n-1]
		}
	case b == 0x15: // ^U: erase the line
		t.input = t.input[:0]
	case b < 0x20:
	default:
		if len(t.input) < hvMaxLine {
			t.input = append(t.input, b)
		}
	}
}

// checkPrompt looks at the server's unfinished line after each segment.
func (t *hvTelnetState) checkPrompt() {
	p := strings.ToLower(strings.TrimRight(string(t.prompt), " \t"))
	if !strings.HasSuffix(p, ":") {
		return
	}
	switch {
	case strings.Contains(p, "password"), strings.Contains(p, "passcode"):
		t.waiting, t.input = 'p', t.input[:0]
	case strings.HasSuffix(p, "login:"), strings.HasSuffix(p, "username:"), strings.HasSuffix(p, "user name:"), strings.HasSuffix(p, "user:"):
		t.waiting, t.input, t.hasUser = 'u', t.input[:0], false
	default:
		return
	}
	t.prompt = t.prompt[:0]
}

func (t *hvTelnetState) endInput(h *hvSession, ts int64) {
	switch t.waiting {
	case 'u':
		t.user, t.hasUser = string(t.input), true
	case 'p':
		user := ""
		if t.hasUser {
			user = t.user
		}
		h.emit(hvPending{service: "Telnet", user: user, pass: string(t.input), ts: ts}, "")
		t.hasUser = false
	}
	t.waiting, t.input = 0, t.input[:0]
}
