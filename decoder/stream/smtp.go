package stream

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// smtpProtocol reads SMTP (RFC 5321) sessions: one SMTP record per session
// with its commands and replies in order, a Mail record for every message
// sent with DATA or BDAT (RFC 3030), File records for its attachments,
// credentials of AUTH PLAIN, LOGIN, CRAM-MD5 and XOAUTH2, and the server
// software its greeting names. After a STARTTLS the server accepts, the
// rest of the connection is TLS: the record is marked IsEncrypted and
// nothing more is read.
//
// SMTP.Commands holds the session's lines in the order they were sent:
// "C: " and the client's line for every command and every AUTH exchange
// line, "S: " and the server's line for every reply line (each line of a
// multi-line reply). Message content (between DATA and the final ".", and
// the chunks of BDAT) is not listed: it is in the Mail record, whose ID is
// in MailIDs. Lines are cut at 1024 bytes and at most 4096 lines are kept
// per session; a last entry "… N more lines" says how many were left out.
// IsResponse is always false: a record holds both sides.
type smtpProtocol struct{}

// SMTP is the SMTP protocol (smtpProtocol).
var SMTP Protocol = smtpProtocol{}

func (smtpProtocol) Info() decoder.Info {
	return decoder.Info{Name: "SMTP", Type: types.Type_NC_SMTP, Group: decoder.GroupStream, Description: "SMTP sessions: commands, responses, mails"}
}

func (smtpProtocol) Ports() []uint16 { return []uint16{25, 587, 2525} }
func (smtpProtocol) New(c *Conn) Session {
	s := &smtpSession{c: c, atLineStart: true}
	s.rec = &types.SMTP{
		Timestamp: c.Info.Start,
		SrcIP:     c.Info.Client.Addr.String(), DstIP: c.Info.Server.Addr.String(),
		SrcPort: int32(c.Info.Client.Port), DstPort: int32(c.Info.Server.Port),
	}
	s.host = c.Info.Server.Addr.String()
	return s
}

// Detect: a server greeting "220 … SMTP" (or ESMTP; also the 421/554
// refusals), or a client that starts with EHLO, HELO, MAIL FROM: or RCPT
// TO: (dpi.MatchSMTPCommand; a capture of the client side, or one picked
// up mid-session). A 220 greeting that does not say SMTP may be FTP's: the
// client decides. The flow classifier (package dpi) takes product names
// ("Postfix", "Exim") and the port as evidence too, as it must decide on
// the greeting alone; here the client's first command can still decide.
func (smtpProtocol) Detect(_ *reassembly.ConnInfo, client, server []byte) Verdict {
	if line, ok := firstLine(server); ok {
		if !dpi.IsReplyLine(line) {
			return No
		}
		if smtpGreeting(line) {
			return Yes
		}
	} else if len(server) >= DetectBytes {
		return No
	}
	switch dpi.MatchSMTPCommand(client) {
	case dpi.Matched:
		return Yes
	case dpi.Partial:
		if len(client) >= DetectBytes {
			return No
		}
		return NeedMore
	}
	if len(client) > 0 {
		return No
	}
	return NeedMore
}

// smtpGreeting reports whether a server's first line, a reply, greets as
// SMTP: 220 (or the refusals 421 and 554) with a text naming SMTP.
func smtpGreeting(line []byte) bool {
	code, _, text, _ := parseReplyLine(line)
	return (code == 220 || code == 421 || code == 554) && containsFold(text, "SMTP")
}

// firstLine returns the first complete line of b without its ending.
func firstLine(b []byte) ([]byte, bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return nil, false
	}
	return bytes.TrimRight(b[:i], "\r"), true
}

func containsFold(s []byte, sub string) bool {
	return bytes.Contains(bytes.ToUpper(s), []byte(strings.ToUpper(sub)))
}

// parseReplyLine reads "250-text", "250 text" or "250": the code, whether
// more lines follow, the text.
func parseReplyLine(line []byte) (code int, more bool, text []byte, ok bool) {
	if len(line) < 3 {
		return 0, false, nil, false
	}
	for _, c := range line[:3] {
		if c < '0' || c > '9' {
			return 0, false, nil, false
		}
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, false, nil, true
	}
	switch line[3] {
	case '-':
		return code, true, line[4:], true
	case ' ', '\t':
		return code, false, line[4:], true
	}
	return 0, false, nil, false
}

const (
	smtpMaxLine    = 4096     // a command or reply line (RFC 5321 allows 512)
	smtpMaxEntries = 4096     // lines kept in SMTP.Commands
	smtpMaxEntry   = 1024     // bytes kept of each
	smtpMaxWait    = 64 << 10 // client bytes held while waiting for a reply
	smtpMaxPending = 1024     // commands waiting for their replies
	smtpMaxReply   = 128      // lines of one reply kept for reading it
)

type smtpMode uint8

const (
	smtpCommand  smtpMode = iota
	smtpData              // message content until "."
	smtpDataSkip          // content after a gap: skipped until "."
	smtpBDAT              // a BDAT chunk
	smtpAuthLine          // one line answering an AUTH challenge
)

// smtpPending is a command waiting for its reply.
type smtpPending struct {
	verb string
	seq  int
}

// smtpAuth is an AUTH exchange.
type smtpAuth struct {
	mech       string
	responses  []string // the client's base64 answers, the initial one first
	challenges []string // the server's decoded challenges
	expect     int      // answers a client gives without challenges (to read a one-sided capture)
	ts         int64
}

type smtpSession struct {
	c    *Conn
	rec  *types.SMTP
	host string // the server's name from its greeting

	cbuf, sbuf   []byte
	cskip, sskip bool // dropping the rest of an over-long line
	mode         smtpMode
	atLineStart  bool // in DATA, the next byte starts a line
	bdatLeft     int64
	bdatLast     bool
	blockSeq     int // the command whose reply the client waits for (0: none)
	seq          int
	pending      []smtpPending
	greeted      bool
	reply        [][]byte // lines of the reply being read
	auth         *smtpAuth
	mail         *mailReader
	nmail        int
	mailFrom     string
	rcptTo       []string
	dropped      int
	done         bool
	lastTS       int64
}

func (s *smtpSession) Data(dir Direction, data []byte, ts int64) {
	if s.done {
		return
	}
	s.lastTS = ts
	if s.rec.Timestamp == 0 {
		s.rec.Timestamp = ts
	}
	if dir == ClientToServer {
		s.cbuf = append(s.cbuf, data...)
		s.client(ts)
		return
	}
	s.sbuf = append(s.sbuf, data...)
	s.server(ts)
}

// record adds a line to Commands.
func (s *smtpSession) record(prefix string, line []byte) {
	if len(s.rec.Commands) >= smtpMaxEntries {
		s.dropped++
		return
	}
	if len(line) > smtpMaxEntry {
		line = line[:smtpMaxEntry]
	}
	s.rec.Commands = append(s.rec.Commands, types.WireString(prefix+string(line)))
}

// client reads the client's bytes as far as it can without waiting for a
// reply.
func (s *smtpSession) client(ts int64) {
	for !s.done && len(s.cbuf) > 0 {
		if s.blockSeq != 0 {
			if len(s.cbuf) <= smtpMaxWait {
				return
			}
			s.unblock(ts) // no reply in sight: go on as if the server agreed
			continue
		}
		switch s.mode {
		case smtpBDAT:
			n := int(min(s.bdatLeft, int64(len(s.cbuf))))
			if s.mail != nil {
				s.mail.Write(s.cbuf[:n])
			}
			s.cbuf = s.cbuf[n:]
			s.bdatLeft -= int64(n)
			if s.bdatLeft == 0 {
				s.mode = smtpCommand
				if s.bdatLast {
					s.endMail()
				}
			}
			continue
		case smtpData, smtpDataSkip:
			if !s.dataLine() {
				return
			}
			continue
		}
		line, ok := nextLine(&s.cbuf, &s.cskip, smtpMaxLine)
		if !ok {
			return
		}
		if s.mode == smtpAuthLine {
			s.authLine(line, ts)
			continue
		}
		s.command(line, ts)
	}
}

// dataLine reads a line of DATA content, dot-unstuffed (RFC 5321 4.5.2),
// up to the lone ".". It returns false when it needs more bytes.
func (s *smtpSession) dataLine() bool {
	i := bytes.IndexByte(s.cbuf, '\n')
	if i < 0 {
		if len(s.cbuf) < mailMaxLine {
			return false
		}
		// A very long line: pass it on in pieces.
		piece := s.cbuf
		if s.atLineStart && piece[0] == '.' {
			piece = piece[1:]
		}
		if s.mode == smtpData && s.mail != nil {
			s.mail.Write(piece)
		}
		s.cbuf = s.cbuf[:0]
		s.atLineStart = false
		return true
	}
	line := s.cbuf[:i+1]
	s.cbuf = s.cbuf[i+1:]
	start := s.atLineStart
	s.atLineStart = true
	if start && len(line) > 0 && line[0] == '.' {
		if rest := bytes.TrimRight(line[1:], "\r\n"); len(rest) == 0 {
			if s.mode == smtpData {
				s.endMail()
			}
			s.mode = smtpCommand
			s.record("C: ", []byte("."))
			s.push(".")
			return true
		}
		line = line[1:]
	}
	if s.mode == smtpData && s.mail != nil {
		s.mail.Write(line)
	}
	return true
}

// push notes a command waiting for a reply.
func (s *smtpSession) push(verb string) int {
	s.seq++
	if len(s.pending) >= smtpMaxPending {
		s.pending = s.pending[1:]
	}
	s.pending = append(s.pending, smtpPending{verb: verb, seq: s.seq})
	return s.seq
}

// command handles a client command line.
func (s *smtpSession) command(line []byte, ts int64) {
	s.record("C: ", line)
	verbB, argB, _ := bytes.Cut(line, []byte(" "))
	verb := strings.ToUpper(string(verbB))
	arg := strings.TrimSpace(string(argB))
	if len(verb) > 16 {
		verb = verb[:16]
	}
	seq := s.push(verb)
	switch verb {
	case "HELO", "EHLO":
		s.resetTransaction()
	case "RSET":
		s.resetTransaction()
	case "MAIL":
		s.resetTransaction()
		if a, ok := cutPrefixFold(arg, "FROM:"); ok {
			s.mailFrom = smtpPath(a)
		}
	case "RCPT":
		if a, ok := cutPrefixFold(arg, "TO:"); ok && len(s.rcptTo) < mailMaxAddresses {
			s.rcptTo = append(s.rcptTo, smtpPath(a))
		}
	case "DATA":
		s.blockSeq = seq
	case "BDAT":
		f := strings.Fields(arg)
		n, err := strconv.ParseInt(firstOr(f, ""), 10, 64)
		if err != nil || n < 0 {
			return
		}
		if s.mail == nil {
			s.startMail(ts)
		}
		s.bdatLeft, s.bdatLast = n, len(f) > 1 && strings.EqualFold(f[1], "LAST")
		s.mode = smtpBDAT
		if n == 0 {
			s.mode = smtpCommand
			if s.bdatLast {
				s.endMail()
			}
		}
	case "STARTTLS":
		s.blockSeq = seq
	case "AUTH":
		s.endAuth(ts, "superseded")
		f := strings.Fields(arg)
		s.auth = &smtpAuth{mech: strings.ToUpper(firstOr(f, "")), ts: ts}
		switch s.auth.mech {
		case "LOGIN":
			s.auth.expect = 2
		case "PLAIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER":
			s.auth.expect = 1
		}
		if len(f) > 1 && f[1] != "=" {
			s.auth.responses = append(s.auth.responses, f[1])
			s.auth.expect--
		}
		s.blockSeq = seq
	}
}

func firstOr(f []string, def string) string {
	if len(f) == 0 {
		return def
	}
	return f[0]
}

func cutPrefixFold(s, p string) (string, bool) {
	if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
		return s[len(p):], true
	}
	return s, false
}

// smtpPath reads the address of "<a@b> SIZE=123" (or a bare a@b).
func smtpPath(a string) string {
	a = strings.TrimSpace(a)
	if strings.HasPrefix(a, "<") {
		if end := strings.IndexByte(a, '>'); end > 0 {
			return a[1:end]
		}
	}
	a, _, _ = strings.Cut(a, " ")
	return a
}

func (s *smtpSession) resetTransaction() {
	s.mailFrom, s.rcptTo = "", nil
}

// authLine handles the client's answer to an AUTH challenge.
func (s *smtpSession) authLine(line []byte, ts int64) {
	s.record("C: ", line)
	s.mode = smtpCommand
	a := s.auth
	if a == nil {
		return
	}
	if string(bytes.TrimSpace(line)) == "*" {
		s.endAuth(ts, "cancelled by the client")
		return
	}
	if len(a.responses) < 16 {
		a.responses = append(a.responses, string(bytes.TrimSpace(line)))
	}
	a.expect--
	// Wait for the next challenge or the outcome.
	for _, p := range s.pending {
		if p.verb == "AUTH" {
			s.blockSeq = p.seq
		}
	}
}

// endAuth writes the credentials of an AUTH exchange with its outcome.
func (s *smtpSession) endAuth(ts int64, outcome string) {
	a := s.auth
	if a == nil {
		return
	}
	s.auth = nil
	if outcome == "cancelled by the client" {
		return
	}
	user, pass, notes := saslCredentials(a.mech, a.responses, a.challenges)
	if user == "" && pass == "" {
		return
	}
	n := "AUTH " + a.mech
	if notes != "" {
		n += " (" + notes + ")"
	}
	s.c.EmitCredentials("SMTP", user, pass, n+": "+outcome, a.ts)
}

// saslCredentials reads user and password (or digest, or token) from the
// base64 answers of a SASL exchange.
func saslCredentials(mech string, responses, challenges []string) (user, pass, notes string) {
	dec := func(i int) string {
		if i >= len(responses) {
			return ""
		}
		b, err := decodeBase64(responses[i])
		if err != nil {
			return ""
		}
		return string(b)
	}
	switch mech {
	case "PLAIN":
		// authzid NUL authcid NUL passwd (RFC 4616)
		f := strings.Split(dec(0), "\x00")
		if len(f) != 3 {
			return "", "", ""
		}
		user = f[1]
		if user == "" {
			user = f[0]
		} else if f[0] != "" && f[0] != f[1] {
			notes = "authorization identity " + f[0]
		}
		return user, f[2], notes
	case "LOGIN":
		return dec(0), dec(1), ""
	case "CRAM-MD5":
		// "user hex-digest" answering the challenge (RFC 2195)
		u, digest, _ := strings.Cut(dec(0), " ")
		if len(challenges) > 0 {
			notes = "HMAC-MD5 digest of the challenge " + challenges[0]
		}
		return u, digest, notes
	case "XOAUTH2":
		// "user=" user ^A "auth=Bearer " token ^A ^A
		for _, kv := range strings.Split(dec(0), "\x01") {
			if v, ok := strings.CutPrefix(kv, "user="); ok {
				user = v
			} else if v, ok := strings.CutPrefix(kv, "auth="); ok {
				pass = v
			}
		}
		return user, pass, "OAuth 2.0 bearer token"
	}
	return "", "", ""
}

// unblock goes on reading the client without the reply it waits for, as
// if the server had agreed (a capture of one side, a lost reply).
func (s *smtpSession) unblock(ts int64) {
	seq := s.blockSeq
	s.blockSeq = 0
	verb := ""
	for _, p := range s.pending {
		if p.seq == seq {
			verb = p.verb
		}
	}
	switch verb {
	case "DATA":
		s.startData(ts)
	case "STARTTLS":
		if len(s.cbuf) > 0 && s.cbuf[0] == 0x16 { // a TLS handshake record
			s.encrypted()
		}
	case "AUTH":
		if s.auth != nil && s.auth.expect > 0 {
			s.mode = smtpAuthLine
		} else {
			s.endAuth(ts, "no reply seen")
		}
	}
}

func (s *smtpSession) startMail(ts int64) {
	s.nmail++
	s.mail = newMailReader(s.c, mailEnvelope{
		Origin: "SMTP", Timestamp: ts, Host: s.host,
		MailFrom: s.mailFrom, RcptTo: s.rcptTo,
	}, s.nmail)
}

func (s *smtpSession) startData(ts int64) {
	s.mode = smtpData
	s.atLineStart = true
	s.startMail(ts)
}

func (s *smtpSession) endMail() {
	if s.mail == nil {
		return
	}
	if id := s.mail.finish(); id != "" && len(s.rec.MailIDs) < smtpMaxEntries {
		s.rec.MailIDs = append(s.rec.MailIDs, id)
	}
	s.mail = nil
	s.resetTransaction()
}

// server reads the server's reply lines.
func (s *smtpSession) server(ts int64) {
	for !s.done {
		line, ok := nextLine(&s.sbuf, &s.sskip, smtpMaxLine)
		if !ok {
			return
		}
		s.record("S: ", line)
		code, more, text, ok := parseReplyLine(line)
		if !ok {
			continue
		}
		if len(s.reply) < smtpMaxReply {
			s.reply = append(s.reply, bytes.Clone(text))
		}
		if more {
			continue
		}
		lines := s.reply
		s.reply = nil
		s.handleReply(code, lines, ts)
	}
}

// handleReply acts on a complete reply.
func (s *smtpSession) handleReply(code int, lines [][]byte, ts int64) {
	if !s.greeted && (len(s.pending) == 0 || !s.c.Info.MidStream) {
		// The first reply of a connection seen from its start is the greeting.
		s.greeted = true
		if len(lines) > 0 {
			// "220 domain text" (RFC 5321 4.2): the text may name the product.
			domain, text, _ := strings.Cut(string(lines[0]), " ")
			if code == 220 && domain != "" {
				s.host = domain
			}
			s.software(text, string(lines[0]), "SMTP greeting", ts)
		}
		return
	}
	s.greeted = true
	if len(s.pending) == 0 {
		return
	}
	p := s.pending[0]
	waiting := p.seq == s.blockSeq
	if p.verb == "AUTH" && code == 334 {
		// A challenge: the client answers with a line.
		if s.auth != nil && len(s.auth.challenges) < 16 {
			ch := ""
			if len(lines) > 0 {
				ch = string(lines[0])
				if b, err := decodeBase64(strings.TrimSpace(ch)); err == nil {
					ch = string(b)
				}
			}
			s.auth.challenges = append(s.auth.challenges, ch)
		}
		if waiting {
			s.blockSeq = 0
			s.mode = smtpAuthLine
			s.client(ts)
		}
		return
	}
	s.pending = s.pending[1:]
	switch p.verb {
	case "DATA":
		if waiting {
			s.blockSeq = 0
			if code == 354 {
				s.startData(ts)
			}
			s.client(ts)
		}
	case "STARTTLS":
		if code == 220 {
			s.encrypted()
			return
		}
		if waiting {
			s.blockSeq = 0
			s.client(ts)
		}
	case "AUTH":
		outcome := fmt.Sprintf("rejected (%d)", code)
		if code >= 200 && code < 300 {
			outcome = fmt.Sprintf("accepted (%d)", code)
		}
		s.endAuth(ts, outcome)
		if waiting {
			s.blockSeq = 0
			s.mode = smtpCommand
			s.client(ts)
		}
	case "EHLO", "HELO":
		if code == 250 && len(lines) > 0 {
			// "domain greeting": the words after the domain.
			if _, rest, ok := strings.Cut(string(lines[0]), " "); ok {
				s.software(rest, string(lines[0]), "SMTP "+p.verb+" reply", ts)
			}
		}
	case "QUIT":
		if code == 221 {
			s.finish()
		}
	}
}

// encrypted ends reading at STARTTLS: the rest is TLS.
func (s *smtpSession) encrypted() {
	s.rec.IsEncrypted = true
	s.finish()
}

// software reports a server product named in text (part of line).
func (s *smtpSession) software(text, line, source string, ts int64) {
	observeMailSoftware(s.c, "SMTP", text, line, source, ts)
}

// observeMailSoftware reports a mail server product named in text (part
// of line, a greeting).
func observeMailSoftware(c *Conn, service, text, line, source string, ts int64) {
	product, vendor, version, notes := mailSoftware(text)
	if product == "" {
		return
	}
	c.Run().ObserveSoftware(SoftwareObservation{
		Timestamp: ts, Product: product, Vendor: vendor, Version: version, Notes: notes,
		SourceName: source, SourceData: line, Service: service, Flow: c.Ident,
	})
}

func (s *smtpSession) Gap(dir Direction, _ int64) {
	if s.done {
		return
	}
	if dir == ServerToClient {
		s.sbuf, s.sskip, s.reply = s.sbuf[:0], true, nil
		return
	}
	if s.blockSeq != 0 {
		s.unblock(s.lastTS)
		s.client(s.lastTS)
	}
	switch s.mode {
	case smtpData:
		// The message ends where the bytes stop.
		if len(s.cbuf) > 0 && s.mail != nil {
			if s.atLineStart && s.cbuf[0] == '.' {
				s.cbuf = s.cbuf[1:]
			}
			s.mail.Write(s.cbuf)
		}
		s.endMail()
		s.mode = smtpDataSkip
		s.atLineStart = false
	case smtpBDAT:
		s.endMail()
		s.mode = smtpCommand
		s.cskip = true
	case smtpDataSkip:
		s.atLineStart = false
	default:
		s.cskip = true
	}
	s.cbuf = s.cbuf[:0]
}

func (s *smtpSession) Close(ts int64) {
	if s.done {
		return
	}
	// Read what waited for replies that never came.
	for i := 0; i < 64 && s.blockSeq != 0; i++ {
		s.unblock(ts)
		s.client(ts)
	}
	if len(s.cbuf) > 0 && s.mode == smtpCommand {
		s.cbuf = append(s.cbuf, '\n')
		s.client(ts)
	}
	if s.mode == smtpData && len(s.cbuf) > 0 && s.mail != nil {
		s.mail.Write(s.cbuf)
	}
	s.endMail()
	s.endAuth(ts, "no reply seen")
	s.finish()
}

// finish writes the session's record.
func (s *smtpSession) finish() {
	if s.done {
		return
	}
	s.done = true
	if s.mail != nil {
		s.endMail()
	}
	s.endAuth(s.lastTS, "no reply seen")
	if s.dropped > 0 {
		s.rec.Commands = append(s.rec.Commands, fmt.Sprintf("… %d more lines", s.dropped))
	}
	s.c.Emit(types.Type_NC_SMTP, s.rec)
	s.cbuf, s.sbuf = nil, nil
}

// mailProducts are mail server products that greetings name, longest
// names first where one contains another. Names and vendors are those
// the Service observer gives the same products (service.go), so that
// both sightings make one Software record.
var mailProducts = []struct{ match, product, vendor string }{
	{"Microsoft ESMTP MAIL Service", "ESMTP MAIL Service", "Microsoft"},
	{"Microsoft Exchange", "Exchange Server", "Microsoft"},
	{"Python SMTP proxy", "Python SMTP proxy", "Python"},
	{"Python SMTP", "aiosmtpd", "Python"}, // aiosmtpd greets with "Python SMTP <its version>"
	{"Postfix", "Postfix", ""},
	{"Exim", "Exim", ""},
	{"Sendmail", "Sendmail", ""},
	{"qmail", "qmail", ""},
	{"OpenSMTPD", "OpenSMTPD", "OpenBSD"},
	{"SubEthaSMTP", "SubEthaSMTP", ""},
	{"Haraka", "Haraka", ""},
	{"hMailServer", "hMailServer", ""},
	{"MDaemon", "MDaemon", ""},
	{"Zimbra", "Zimbra", ""},
	{"Kerio", "Kerio Connect", "Kerio"},
	{"IceWarp", "IceWarp", ""},
	{"MailEnable", "MailEnable", ""},
	{"Lotus Domino", "Domino", "IBM"},
	{"CommuniGate Pro", "CommuniGate Pro", ""},
	{"Axigen", "Axigen", ""},
	{"Dovecot", "Dovecot", ""},
	{"Courier-IMAP", "Courier-IMAP", ""},
	{"Cyrus", "Cyrus IMAP", ""},
	{"Qpopper", "Qpopper", ""},
	{"gsmtp", "gsmtp", "Google"},
}

// mailSoftware finds a known product in a greeting, with the version that
// follows it ("ESMTP Exim 4.69 #1", "Sendmail 8.14.1/8.13.1",
// "…MAIL Service, Version: 6.0.3790.4675 ready", "Python SMTP proxy
// version 0.3") and a parenthesised note ("Postfix (Debian/GNU)").
func mailSoftware(text string) (product, vendor, version, notes string) {
	if len(text) > 1024 {
		text = text[:1024]
	}
	lower := strings.ToLower(text)
	for _, p := range mailProducts {
		i := wordIndex(lower, strings.ToLower(p.match))
		if i < 0 {
			continue
		}
		rest := strings.TrimLeft(text[i+len(p.match):], " ,:;")
		if strings.HasPrefix(rest, "(") {
			if end := strings.IndexByte(rest, ')'); end > 0 {
				notes = rest[1:end]
				rest = strings.TrimLeft(rest[end+1:], " ,:;")
			}
		}
		for _, w := range []string{"version", "ver.", "ver", "v"} {
			if r, ok := cutPrefixFold(rest, w); ok && (w == "v" || r == "" || r[0] == ' ' || r[0] == ':' || r[0] == '.') {
				if w != "v" || len(r) > 0 && r[0] >= '0' && r[0] <= '9' {
					rest = strings.TrimLeft(r, " :.")
					break
				}
			}
		}
		tok, _, _ := strings.Cut(rest, " ")
		tok, _, _ = strings.Cut(tok, "/")
		tok = strings.TrimRight(tok, ",;)")
		if isVersion(tok) {
			version = tok
		}
		return p.product, p.vendor, version, notes
	}
	return "", "", "", ""
}

// wordIndex finds word in s where it is not part of a longer word.
func wordIndex(s, word string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], word)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(word)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end])) {
			return i
		}
		off = i + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}
