// Package credentials harvests the clear-text logins of three protocols
// no stream decoder handles. Its observer reads the first hvBytes of each
// direction of every TCP conversation, whatever protocol was detected, and
// finds (harvest.go, imap.go, telnet.go):
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
//
// The Credentials records go through stream.Conn.EmitCredentials, which
// the stream protocols (HTTP, SMTP, POP3) use for their own logins: it
// writes each credential once per connection. This package imports
// decoder/stream (Conn, Observer, Run); decoder/stream must not import it.
package credentials

import (
	"bytes"
	"strings"

	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/decoder/stream"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// NewHarvester makes the credential harvester of a run, when Credentials
// records are written.
func NewHarvester(r *stream.Run) stream.Observer {
	if !r.Enabled(types.Type_NC_Credentials) {
		return nil
	}
	return hvObserver{}
}

const (
	hvBytes    = 8192 // bytes read per direction
	hvMaxLine  = 1024 // longer lines are cut
	hvMaxLit   = 1024 // longest IMAP literal read
	hvMaxCreds = 16   // credentials kept waiting for a reply
)

type hvObserver struct{}

func (hvObserver) New(c *stream.Conn) stream.Session {
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
	c       *stream.Conn
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

func (h *hvSession) Data(dir stream.Direction, data []byte, ts int64) {
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
	if dir == stream.ClientToServer {
		h.imap.client(h, data, ts)
	}
	h.lines[dir].feed(data, func(line []byte) { h.line(dir, line, ts) })
}

func (h *hvSession) Gap(dir stream.Direction, _ int64) {
	// After a hole the line and literal framing is lost.
	h.lines[dir] = hvLineReader{skip: true}
	if dir == stream.ClientToServer {
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
func hvOwnHarvest(c *stream.Conn) bool {
	switch c.Protocol() {
	case stream.HTTP, stream.SMTP, stream.POP3:
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
func (h *hvSession) line(dir stream.Direction, line []byte, ts int64) {
	if dir == stream.ServerToClient {
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
		case dpi.IsReplyLine(line):
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
			case p.tag == "" && dpi.IsReplyLine(line) && len(s) > 3 && s[3] == '-':
				p.tag, p.note = s[:3], s
				return
			case p.tag == "" && dpi.IsReplyLine(line), p.tag != "" && strings.HasPrefix(s, p.tag+" "), p.tag != "" && s == p.tag:
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
