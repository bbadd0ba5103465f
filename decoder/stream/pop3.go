package stream

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// pop3Protocol reads POP3 (RFC 1939) sessions: one POP3 record per session
// with its commands and status lines in order, a Mail record for every
// message retrieved with RETR or TOP (the multi-line response,
// dot-unstuffed), File records for its attachments, the credentials of
// USER/PASS, APOP and AUTH (RFC 5034: PLAIN, LOGIN, CRAM-MD5, XOAUTH2), and
// the server software its greeting names. After STLS is accepted the rest
// is TLS and nothing more is read.
//
// POP3.Commands holds "C: " and each client line (commands and AUTH
// answers) and "S: " and each status line ("+OK …", "-ERR …", and the
// "+ …" challenges of AUTH), in order. The bodies of multi-line responses
// (RETR, TOP, LIST, UIDL, CAPA) are not listed: retrieved messages are in
// Mail records whose IDs are in MailIDs. Bounds as SMTP's. User and Pass
// come from USER and PASS, or APOP (Pass empty), or a decoded AUTH;
// AuthToken holds the base64 answers of AUTH, or APOP's digest.
// ClientPort, ServerPort and IsEncrypted (STLS accepted) are this
// project's additions.
type pop3Protocol struct{}

// POP3 is the POP3 protocol (pop3Protocol).
var POP3 Protocol = pop3Protocol{}

func (pop3Protocol) Info() decoder.Info {
	return decoder.Info{Name: "POP3", Type: types.Type_NC_POP3, Group: decoder.GroupStream, Description: "POP3 sessions: commands, responses, mails"}
}

func (pop3Protocol) Ports() []uint16 { return []uint16{110} }
func (pop3Protocol) New(c *Conn) Session {
	s := &pop3Session{c: c, atLineStart: true, host: c.Info.Server.Addr.String()}
	s.rec = &types.POP3{
		Timestamp: c.Info.Start,
		ClientIP:  c.Info.Client.Addr.String(), ServerIP: c.Info.Server.Addr.String(),
		ClientPort: int32(c.Info.Client.Port), ServerPort: int32(c.Info.Server.Port),
	}
	return s
}

var pop3ClientVerbs = []string{"USER ", "CAPA", "APOP ", "STLS", "AUTH"}

// Detect: the server greets with "+OK" (or "-ERR"; dpi.MatchPOP3Status,
// which the classifier of the flow records uses too), and the client, if it
// spoke, sent a POP3 command (Redis also answers "+OK", but only after its
// client spoke first, in another syntax); or, without the server's
// bytes, the client starts with CAPA, APOP or STLS, or with USER or AUTH
// on port 110 (FTP clients send USER too).
func (pop3Protocol) Detect(info *reassembly.ConnInfo, client, server []byte) Verdict {
	status := dpi.MatchPOP3Status(server)
	if _, ok := firstLine(server); ok {
		if status != dpi.Matched {
			return No
		}
		if cl, ok := firstLine(client); ok && !pop3Command(cl) {
			return No
		}
		if len(client) > 0 && (client[0] == '*' || client[0] == '$') {
			return No
		}
		return Yes
	}
	if len(server) > 0 && (status == dpi.NoMatch || len(server) >= DetectBytes) {
		return No
	}
	if line, ok := firstLine(client); ok {
		verb, _, _ := bytes.Cut(line, []byte(" "))
		switch strings.ToUpper(string(verb)) {
		case "CAPA", "APOP", "STLS":
			return Yes
		case "USER", "AUTH":
			if info != nil && info.Server.Port == 110 {
				return Yes
			}
			return NeedMore
		}
		return No
	}
	if len(client) >= DetectBytes {
		return No
	}
	for _, v := range pop3ClientVerbs {
		n := min(len(client), len(v))
		if bytes.EqualFold(client[:n], []byte(v[:n])) {
			return NeedMore
		}
	}
	if len(client) > 0 {
		return No
	}
	return NeedMore
}

// pop3Command reports whether a line starts with a POP3 command.
func pop3Command(line []byte) bool {
	verb, _, _ := bytes.Cut(line, []byte(" "))
	switch strings.ToUpper(string(verb)) {
	case "USER", "PASS", "APOP", "AUTH", "CAPA", "STLS", "STAT", "LIST", "RETR", "TOP", "UIDL", "DELE", "NOOP", "RSET", "QUIT", "LAST":
		return true
	}
	return false
}

type pop3Pending struct {
	verb   string
	hasArg bool
	seq    int
}

type pop3Session struct {
	c    *Conn
	rec  *types.POP3
	host string

	cbuf, sbuf   []byte
	cskip, sskip bool
	seq          int
	pending      []pop3Pending
	greeted      bool
	apopStamp    string // the greeting's <timestamp>
	authLine     bool   // the client's next line answers an AUTH challenge
	clientWait   int    // the AUTH or STLS whose reply the client waits for
	multi        bool   // reading a multi-line response body
	atLineStart  bool
	mail         *mailReader
	nmail        int
	auth         *smtpAuth
	user, pass   string
	passTS       int64
	passPending  bool
	stls         bool // the client waits for the reply to STLS
	dropped      int
	done         bool
	lastTS       int64
}

func (s *pop3Session) Data(dir Direction, data []byte, ts int64) {
	if s.done {
		return
	}
	s.lastTS = ts
	if s.rec.Timestamp == 0 {
		s.rec.Timestamp = ts
	}
	if dir == ClientToServer {
		s.cbuf = append(s.cbuf, data...)
		s.client(ts, false)
		s.server(ts, false) // replies that waited for their command
		return
	}
	s.sbuf = append(s.sbuf, data...)
	s.server(ts, false)
}

func (s *pop3Session) record(prefix string, line []byte) {
	if len(s.rec.Commands) >= smtpMaxEntries {
		s.dropped++
		return
	}
	if len(line) > smtpMaxEntry {
		line = line[:smtpMaxEntry]
	}
	s.rec.Commands = append(s.rec.Commands, types.WireString(prefix+string(line)))
}

// client reads client lines; force goes on past an AUTH whose reply is
// missing.
func (s *pop3Session) client(ts int64, force bool) {
	for !s.done {
		if s.clientWait != 0 {
			if !force && len(s.cbuf) <= smtpMaxWait {
				return
			}
			// No reply in sight: go on as if the server agreed.
			s.clientWait = 0
			switch {
			case s.stls:
				s.stls = false
				if len(s.cbuf) > 0 && s.cbuf[0] == 0x16 { // a TLS handshake record
					s.rec.IsEncrypted = true
					s.finish()
					return
				}
			case s.auth != nil && s.auth.expect > 0:
				s.authLine = true
			default:
				s.endAuth("no reply seen")
			}
		}
		line, ok := nextLine(&s.cbuf, &s.cskip, smtpMaxLine)
		if !ok {
			return
		}
		s.record("C: ", line)
		if s.authLine {
			s.answer(line)
			continue
		}
		s.command(line, ts)
	}
}

// nextLine takes a line (without its ending) from buf; a line longer than
// max is cut and the rest of it dropped.
func nextLine(buf *[]byte, skip *bool, max int) ([]byte, bool) {
	for {
		i := bytes.IndexByte(*buf, '\n')
		if i < 0 {
			if len(*buf) > max {
				line := bytes.Clone((*buf)[:max])
				*buf = (*buf)[:0]
				if *skip {
					return nil, false
				}
				*skip = true
				return line, true
			}
			return nil, false
		}
		line := (*buf)[:i]
		*buf = (*buf)[i+1:]
		if *skip {
			*skip = false
			continue
		}
		return bytes.TrimSuffix(line, []byte("\r")), true
	}
}

func (s *pop3Session) push(verb string, hasArg bool) int {
	s.seq++
	if len(s.pending) >= smtpMaxPending {
		s.pending = s.pending[1:]
	}
	s.pending = append(s.pending, pop3Pending{verb: verb, hasArg: hasArg, seq: s.seq})
	return s.seq
}

// command handles a client command.
func (s *pop3Session) command(line []byte, ts int64) {
	verbB, argB, _ := bytes.Cut(line, []byte(" "))
	verb := strings.ToUpper(string(verbB))
	if len(verb) > 16 {
		verb = verb[:16]
	}
	arg := strings.TrimSpace(string(argB))
	seq := s.push(verb, arg != "")
	switch verb {
	case "STLS":
		// What follows an accepted STLS is TLS: wait for the reply.
		s.clientWait, s.stls = seq, true
	case "USER":
		s.user = arg
		s.rec.User = types.WireString(arg)
	case "PASS":
		s.pass, s.passTS, s.passPending = arg, ts, true
		s.rec.Pass = types.WireString(arg)
	case "APOP":
		// APOP name digest: the MD5 of the greeting's timestamp and the secret.
		name, digest, _ := strings.Cut(arg, " ")
		s.rec.User, s.rec.AuthToken = types.WireString(name), types.WireString(strings.TrimSpace(digest))
		notes := "APOP MD5 digest"
		if s.apopStamp != "" {
			notes += " of the timestamp " + s.apopStamp + " and the secret"
		}
		s.c.EmitCredentials("POP3", name, strings.TrimSpace(digest), notes, ts)
	case "AUTH":
		if arg == "" {
			return // lists the mechanisms
		}
		s.endAuth("superseded")
		f := strings.Fields(arg)
		s.auth = &smtpAuth{mech: strings.ToUpper(f[0]), ts: ts}
		switch s.auth.mech {
		case "LOGIN":
			s.auth.expect = 2
		case "PLAIN", "CRAM-MD5", "XOAUTH2":
			s.auth.expect = 1
		}
		if len(f) > 1 && f[1] != "=" {
			s.auth.responses = append(s.auth.responses, f[1])
			s.auth.expect--
		}
		s.clientWait = seq
	}
}

// answer handles the client's answer to an AUTH challenge.
func (s *pop3Session) answer(line []byte) {
	s.authLine = false
	a := s.auth
	if a == nil {
		return
	}
	if string(bytes.TrimSpace(line)) == "*" {
		s.auth = nil
		return
	}
	if len(a.responses) < 16 {
		a.responses = append(a.responses, string(bytes.TrimSpace(line)))
	}
	a.expect--
	for _, p := range s.pending {
		if p.verb == "AUTH" {
			s.clientWait = p.seq
		}
	}
}

// endAuth writes an AUTH exchange's credentials with its outcome.
func (s *pop3Session) endAuth(outcome string) {
	a := s.auth
	if a == nil {
		return
	}
	s.auth = nil
	if len(a.responses) > 0 {
		s.rec.AuthToken = types.WireString(strings.Join(a.responses, " "))
	}
	user, pass, notes := saslCredentials(a.mech, a.responses, a.challenges)
	if user == "" && pass == "" {
		return
	}
	s.rec.User, s.rec.Pass = types.WireString(user), types.WireString(pass)
	n := "AUTH " + a.mech
	if notes != "" {
		n += " (" + notes + ")"
	}
	s.c.EmitCredentials("POP3", user, pass, n+": "+outcome, a.ts)
}

// endPass writes the credentials of USER and PASS with the outcome.
func (s *pop3Session) endPass(outcome string) {
	if !s.passPending {
		return
	}
	s.passPending = false
	s.c.EmitCredentials("POP3", s.user, s.pass, "USER/PASS: "+outcome, s.passTS)
}

var apopStampRE = regexp.MustCompile(`<[^<>\s]*@[^<>\s]*>`)

// server reads status lines and multi-line bodies; force reads a reply
// whose command was not seen.
func (s *pop3Session) server(ts int64, force bool) {
	for !s.done && len(s.sbuf) > 0 {
		if s.multi {
			if !s.bodyLine() {
				return
			}
			continue
		}
		if s.greeted && len(s.pending) == 0 && !force && len(s.sbuf) <= smtpMaxWait {
			return // a reply to a command not seen yet: wait for the client
		}
		line, ok := nextLine(&s.sbuf, &s.sskip, smtpMaxLine)
		if !ok {
			return
		}
		s.status(line, ts)
	}
}

// bodyLine reads a line of a multi-line response, dot-unstuffed, up to
// the lone "."; false when it needs more bytes.
func (s *pop3Session) bodyLine() bool {
	i := bytes.IndexByte(s.sbuf, '\n')
	if i < 0 {
		if len(s.sbuf) < mailMaxLine {
			return false
		}
		piece := s.sbuf
		if s.atLineStart && piece[0] == '.' {
			piece = piece[1:]
		}
		if s.mail != nil {
			s.mail.Write(piece)
		}
		s.sbuf = s.sbuf[:0]
		s.atLineStart = false
		return true
	}
	line := s.sbuf[:i+1]
	s.sbuf = s.sbuf[i+1:]
	start := s.atLineStart
	s.atLineStart = true
	if start && line[0] == '.' {
		if len(bytes.TrimRight(line[1:], "\r\n")) == 0 {
			s.multi = false
			s.endMail()
			return true
		}
		line = line[1:]
	}
	if s.mail != nil {
		s.mail.Write(line)
	}
	return true
}

func (s *pop3Session) endMail() {
	if s.mail == nil {
		return
	}
	if id := s.mail.finish(); id != "" && len(s.rec.MailIDs) < smtpMaxEntries {
		s.rec.MailIDs = append(s.rec.MailIDs, id)
	}
	s.mail = nil
}

// status handles a status line.
func (s *pop3Session) status(line []byte, ts int64) {
	s.record("S: ", line)
	ok := bytes.HasPrefix(line, []byte("+OK"))
	if !s.greeted && (len(s.pending) == 0 || !s.c.Info.MidStream) {
		// The first status line of a connection seen from its start is the greeting.
		s.greeted = true
		if m := apopStampRE.Find(line); m != nil {
			s.apopStamp = string(m)
		}
		if text, found := bytes.CutPrefix(line, []byte("+OK")); found {
			observeMailSoftware(s.c, "POP3", string(text), string(line), "POP3 greeting", ts)
		}
		return
	}
	s.greeted = true
	if len(s.pending) == 0 {
		return
	}
	p := s.pending[0]
	if p.verb == "AUTH" && bytes.HasPrefix(line, []byte("+")) && !ok {
		// "+ challenge": the client answers with a line.
		if s.auth != nil && len(s.auth.challenges) < 16 {
			ch := strings.TrimSpace(string(line[1:]))
			if b, err := decodeBase64(ch); err == nil {
				ch = string(b)
			}
			s.auth.challenges = append(s.auth.challenges, ch)
		}
		if p.seq == s.clientWait {
			s.clientWait = 0
			s.authLine = true
			s.client(ts, false)
		}
		return
	}
	if !ok && !bytes.HasPrefix(line, []byte("-ERR")) {
		return // not a status line
	}
	s.pending = s.pending[1:]
	outcome := "rejected (-ERR)"
	if ok {
		outcome = "accepted (+OK)"
	}
	switch p.verb {
	case "PASS":
		s.endPass(outcome)
	case "AUTH":
		if p.hasArg {
			s.endAuth(outcome)
			if p.seq == s.clientWait {
				s.clientWait = 0
				s.client(ts, false)
			}
		}
	case "STLS":
		if ok {
			s.rec.IsEncrypted = true
			s.finish()
			return
		}
		if p.seq == s.clientWait {
			s.clientWait, s.stls = 0, false
			s.client(ts, false)
		}
	case "QUIT":
		if ok {
			s.finish()
			return
		}
	}
	if !ok {
		return
	}
	switch p.verb {
	case "RETR", "TOP":
		s.nmail++
		s.mail = newMailReader(s.c, mailEnvelope{Origin: "POP3", Timestamp: ts, FromServer: true, Host: s.host}, s.nmail)
		s.multi, s.atLineStart = true, true
	case "CAPA":
		s.multi, s.atLineStart = true, true
	case "LIST", "UIDL", "AUTH":
		if !p.hasArg {
			s.multi, s.atLineStart = true, true
		}
	}
}

func (s *pop3Session) Gap(dir Direction, _ int64) {
	if s.done {
		return
	}
	if dir == ClientToServer {
		if s.clientWait != 0 {
			s.client(s.lastTS, true)
		}
		s.cbuf, s.cskip = s.cbuf[:0], true
		return
	}
	if s.multi {
		// The rest of the body is lost: skip to the next status line.
		s.endMail()
		s.multi = false
	}
	s.server(s.lastTS, true)
	s.sbuf, s.sskip = s.sbuf[:0], true
}

func (s *pop3Session) Close(ts int64) {
	if s.done {
		return
	}
	s.client(ts, true)
	s.server(ts, true)
	if s.multi && s.mail != nil && len(s.sbuf) > 0 {
		s.mail.Write(s.sbuf)
	}
	s.finish()
}

// finish writes the session's record.
func (s *pop3Session) finish() {
	if s.done {
		return
	}
	s.done = true
	s.endMail()
	s.endPass("no reply seen")
	s.endAuth("no reply seen")
	if s.dropped > 0 {
		s.rec.Commands = append(s.rec.Commands, fmt.Sprintf("… %d more lines", s.dropped))
	}
	s.c.Emit(types.Type_NC_POP3, s.rec)
	s.cbuf, s.sbuf = nil, nil
}
