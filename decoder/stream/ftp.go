package stream

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/dpi"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// ftpProtocol reads FTP control connections (RFC 959, with EPRT and EPSV
// of RFC 2428): one FTP record per connection, written when it closes,
// with every command and every reply in order, the greeting (Banner), the
// last USER name, the files RETR, STOR, STOU and APPE name, and the data
// connections PORT, EPRT, PASV and EPSV negotiate, each with the code of
// the final reply that answered it. A multi-line reply is one reply: its
// first line's text is Text, its other lines More (the last one without
// its code), so Text is what tshark shows as ftp.response.arg. After an
// accepted AUTH (234) the rest is TLS: nothing more is read. The data
// connections' own bytes are not FTP and not read.
//
// Credentials are not written here: decoder/credentials harvests USER and
// PASS from every conversation whose server speaks in replies, FTP's
// included. Nor is the software the greeting names: reading greetings is
// the Service observer's (decoder/service).
type ftpProtocol struct{}

// FTP is the FTP protocol (ftpProtocol).
var FTP Protocol = ftpProtocol{}

func (ftpProtocol) Info() decoder.Info {
	return decoder.Info{Name: "FTP", Type: types.Type_NC_FTP, Group: decoder.GroupStream, Description: "FTP control connections: commands, replies, files, data connections"}
}

func (ftpProtocol) Ports() []uint16 { return []uint16{21} }

func (ftpProtocol) New(c *Conn) Session {
	return &ftpSession{c: c, rec: &types.FTP{
		Timestamp: c.Info.Start,
		ClientIP:  c.Info.Client.Addr.String(), ClientPort: int32(c.Info.Client.Port),
		ServerIP: c.Info.Server.Addr.String(), ServerPort: int32(c.Info.Server.Port),
	}}
}

// Detect: the server's first line is a reply (dpi.IsReplyLine, where the
// flow classifier's FTP rules start too) that does not greet as SMTP
// (smtpGreeting: SMTP greets with 220 as well), and it says FTP (its text,
// or a code only FTP sends) or the client's first line is an FTP command.
// Before the server's first line, a client command only FTP has decides;
// USER and PASS, which POP3 has too, decide on port 21 only. A greeting
// that names nothing, before the client spoke, is FTP on port 21: there
// the port breaks the tie with SMTP.
func (ftpProtocol) Detect(info *reassembly.ConnInfo, client, server []byte) Verdict {
	if greeting, ok := firstLine(server); ok {
		return ftpAfterGreeting(info, greeting, client, server)
	}
	if len(server) >= DetectBytes || len(server) > 0 && (server[0] < '1' || server[0] > '5') {
		return No // no reply line in sight
	}
	line, ok := firstLine(client)
	if !ok {
		return ftpWait(client, server)
	}
	if _, only := ftpCommand(line); only {
		return Yes
	}
	if !ftpUserPass(line) {
		return No
	}
	if ftpPort(info) {
		return Yes
	}
	return ftpWait(client, server) // POP3's or FTP's: the server's first line tells
}

// ftpAfterGreeting decides once the server's first line is there.
func ftpAfterGreeting(info *reassembly.ConnInfo, greeting, client, server []byte) Verdict {
	if !dpi.IsReplyLine(greeting) || smtpGreeting(greeting) && !containsFold(greeting, "FTP") {
		return No
	}
	if ftpGreeting(greeting) {
		return Yes
	}
	if line, ok := firstLine(client); ok {
		if known, _ := ftpCommand(line); known {
			return Yes
		}
		return No
	}
	if len(client) == 0 && ftpPort(info) {
		return Yes
	}
	return ftpWait(client, server)
}

// ftpWait waits for more bytes while neither side holds DetectBytes.
func ftpWait(client, server []byte) Verdict {
	if len(client) >= DetectBytes || len(server) >= DetectBytes {
		return No
	}
	return NeedMore
}

// ftpGreeting reports whether a server's first line, a reply, is FTP's: a
// greeting (120, 220, 421) that names FTP, or a code only FTP sends
// (entering passive mode, user logged in, password needed; as dpi counts
// them), seen first when the capture starts mid-session.
func ftpGreeting(line []byte) bool {
	code, _, text, _ := parseReplyLine(line)
	switch code {
	case 227, 229, 230, 331:
		return true
	case 120, 220, 421:
		return containsFold(text, "FTP")
	}
	return false
}

func ftpPort(info *reassembly.ConnInfo) bool { return info != nil && info.Server.Port == 21 }

func ftpUserPass(line []byte) bool {
	verb, _, _ := bytes.Cut(line, []byte(" "))
	return bytes.EqualFold(verb, []byte("USER")) || bytes.EqualFold(verb, []byte("PASS"))
}

// ftpCommands are FTP's commands (RFC 959, 775's X forms, 2228, 2389,
// 2428, 3659, and the CLNT of common clients); true marks those that
// neither POP3 nor SMTP has.
var ftpCommands = map[string]bool{
	"USER": false, "PASS": false, "QUIT": false, "RETR": false, "DELE": false, "LIST": false,
	"STAT": false, "HELP": false, "NOOP": false, "AUTH": false,
	"ACCT": true, "CWD": true, "CDUP": true, "SMNT": true, "REIN": true, "PORT": true, "PASV": true,
	"TYPE": true, "STRU": true, "MODE": true, "STOR": true, "STOU": true, "APPE": true, "ALLO": true,
	"REST": true, "RNFR": true, "RNTO": true, "ABOR": true, "RMD": true, "MKD": true, "PWD": true,
	"NLST": true, "SITE": true, "SYST": true, "PBSZ": true, "PROT": true, "CCC": true, "FEAT": true,
	"OPTS": true, "EPRT": true, "EPSV": true, "MDTM": true, "SIZE": true, "MLST": true, "MLSD": true,
	"XCWD": true, "XCUP": true, "XMKD": true, "XRMD": true, "XPWD": true, "CLNT": true, "LANG": true,
}

// ftpCommand reports whether a line starts with an FTP command, and
// whether only FTP has it: AUTH is FTP's with TLS or SSL (RFC 4217), a
// SASL mechanism's in SMTP and POP3.
func ftpCommand(line []byte) (known, only bool) {
	verb, arg, _ := bytes.Cut(line, []byte(" "))
	if len(verb) > 4 {
		return false, false
	}
	v := strings.ToUpper(string(verb))
	only, known = ftpCommands[v]
	if v == "AUTH" {
		switch strings.ToUpper(string(bytes.TrimSpace(arg))) {
		case "TLS", "SSL", "TLS-C", "TLS-P":
			only = true
		}
	}
	return known, only
}

const (
	ftpMaxLine    = 1024 // bytes kept of a line (CutLines counts longer ones)
	ftpMaxLines   = 4096 // command and reply lines listed, together (as SMTP's)
	ftpMaxPending = 64   // commands waiting for their final reply
)

// ftpPending is a command waiting for its final reply, with the entry
// that reply completes.
type ftpPending struct {
	verb string // upper case
	file *types.FTPFile
	data *types.FTPDataConn
}

type ftpSession struct {
	c       *Conn
	rec     *types.FTP
	buf     [2][]byte
	skip    [2]bool         // dropping the rest of a cut line, or what follows a gap
	lines   int             // command and reply lines listed
	reply   *types.FTPReply // the reply being read
	listed  bool            // it is listed: it began below ftpMaxLines
	text    string          // its first line's text, raw
	pending []ftpPending
	greeted bool // a final reply came: replies now answer commands
	stopped bool // TLS follows: nothing more to read
	written bool
}

func (s *ftpSession) Data(dir Direction, data []byte, ts int64) {
	if s.stopped || s.written {
		return
	}
	if s.rec.Timestamp == 0 {
		s.rec.Timestamp = ts
	}
	s.buf[dir] = append(s.buf[dir], data...)
	for !s.stopped {
		line, ok := nextLine(&s.buf[dir], &s.skip[dir], ftpMaxLine)
		if !ok {
			return
		}
		s.line(dir, line, s.skip[dir], ts)
	}
}

// line handles a complete line; cut says nextLine cut it.
func (s *ftpSession) line(dir Direction, line []byte, cut bool, ts int64) {
	if cut || len(line) > ftpMaxLine {
		s.rec.CutLines++
		line = line[:min(len(line), ftpMaxLine)]
	}
	if dir == ClientToServer {
		s.command(line, ts)
	} else {
		s.replyLine(line, ts)
	}
}

func (s *ftpSession) command(line []byte, ts int64) {
	if len(line) == 0 {
		return
	}
	r := s.rec
	if r.TimestampFirst == 0 {
		r.TimestampFirst = ts
	}
	r.TimestampLast = ts
	// A command past the bound is counted, not read: files and data
	// connections are those of the commands listed.
	if s.lines >= ftpMaxLines {
		r.DroppedCommands++
		return
	}
	s.lines++
	// tshark's request argument starts after the spaces that follow the verb.
	verb, arg, _ := strings.Cut(string(line), " ")
	arg = strings.TrimLeft(arg, " ")
	r.Commands = append(r.Commands, &types.FTPCommand{Timestamp: ts, Verb: types.WireString(verb), Argument: types.WireString(arg)})
	if len(s.pending) >= ftpMaxPending {
		s.pending = s.pending[1:]
	}
	s.pending = append(s.pending, s.act(strings.ToUpper(verb), arg, ts))
}

// act records what a command says (user, file, data connection) and
// returns it waiting for its reply.
func (s *ftpSession) act(verb, arg string, ts int64) ftpPending {
	p := ftpPending{verb: verb}
	switch verb {
	case "USER":
		s.rec.User = types.WireString(arg)
	case "RETR", "STOR", "STOU", "APPE":
		p.file = &types.FTPFile{Timestamp: ts, Command: verb, Name: types.WireString(arg)}
		s.rec.Files = append(s.rec.Files, p.file)
	case "PORT", "EPRT":
		parse := ftpHostPort
		if verb == "EPRT" {
			parse = ftpEPRT
		}
		if ap, ok := parse(arg); ok {
			p.data = s.dataConn(verb, ap, ts, 0)
		}
	}
	return p
}

func (s *ftpSession) dataConn(verb string, ap netip.AddrPort, ts int64, code int32) *types.FTPDataConn {
	d := &types.FTPDataConn{Timestamp: ts, Command: verb, IP: ap.Addr().Unmap().String(), Port: int32(ap.Port()), Code: code}
	s.rec.DataConns = append(s.rec.DataConns, d)
	return d
}

// replyLine reads a reply line: one that starts a reply, or one of a
// multi-line reply. Other lines are not replies (tshark shows them as a
// response's text alone) and are skipped.
func (s *ftpSession) replyLine(line []byte, ts int64) {
	if s.reply != nil {
		s.moreLine(line, ts)
		return
	}
	if !dpi.IsReplyLine(line) {
		return
	}
	code, more, text, _ := parseReplyLine(line)
	s.reply = &types.FTPReply{Timestamp: ts, Code: int32(code), Text: types.WireString(string(text))}
	s.text = string(text)
	// A reply past the bound is still read: it answers a command.
	if s.listed = s.lines < ftpMaxLines; s.listed {
		s.lines++
	}
	if !more {
		s.endReply(ts)
	}
}

// moreLine reads a line of a multi-line reply: it ends with a line that
// starts with the reply's code and a space (RFC 959 4.2); the lines
// before are text, kept as sent.
func (s *ftpSession) moreLine(line []byte, ts int64) {
	code := strconv.Itoa(int(s.reply.Code))
	last := bytes.HasPrefix(line, []byte(code)) && (len(line) == 3 || line[3] == ' ')
	if last {
		line = line[min(len(line), 4):]
	}
	switch {
	case s.listed && s.lines < ftpMaxLines:
		s.lines++
		s.reply.More = append(s.reply.More, types.WireString(string(line)))
	case s.listed:
		s.rec.CutLines++
	}
	if last {
		s.endReply(ts)
	}
}

func (s *ftpSession) endReply(ts int64) {
	r := s.reply
	s.reply = nil
	if s.listed {
		s.rec.Replies = append(s.rec.Replies, r)
	} else {
		s.rec.DroppedReplies++
	}
	s.answer(r, ts)
}

// answer pairs a final reply with the oldest command waiting (preliminary
// 1xx replies announce a transfer, RFC 959 4.2); the replies up to the
// first final one of a connection seen from its start greet.
func (s *ftpSession) answer(r *types.FTPReply, ts int64) {
	if !s.greeted && !s.c.Info.MidStream {
		s.rec.Banner = strings.Join(append([]string{r.Text}, r.More...), " ")
		s.greeted = r.Code >= 200
		return
	}
	s.greeted = true
	if r.Code < 200 || len(s.pending) == 0 {
		return
	}
	p := s.pending[0]
	s.pending = s.pending[1:]
	switch {
	case p.file != nil:
		p.file.Code = r.Code
	case p.data != nil:
		p.data.Code = r.Code
	case p.verb == "PASV" && r.Code == 227, p.verb == "EPSV" && r.Code == 229:
		if ap, ok := ftpPassive(p.verb, s.text, s.c.Info.Server.Addr); ok {
			s.dataConn(p.verb, ap, ts, r.Code)
		}
	case p.verb == "AUTH" && r.Code == 234:
		s.rec.IsEncrypted = true
		s.stopped, s.buf, s.pending = true, [2][]byte{}, nil
	}
}

func (s *ftpSession) Gap(dir Direction, _ int64) {
	// The line the hole is in is lost up to its end; so is a reply's end.
	s.buf[dir], s.skip[dir] = s.buf[dir][:0], true
	if dir == ServerToClient && s.reply != nil {
		s.endReply(s.reply.Timestamp)
	}
}

func (s *ftpSession) Close(ts int64) {
	if s.written {
		return
	}
	// A last line without its end is still a line, as tshark shows it.
	for dir := range s.buf {
		if b := s.buf[dir]; len(b) > 0 && !s.skip[dir] && !s.stopped {
			s.line(Direction(dir), bytes.TrimSuffix(b, []byte("\r")), false, ts)
		}
	}
	if s.reply != nil {
		s.endReply(ts)
	}
	s.written, s.buf, s.pending = true, [2][]byte{}, nil
	s.c.Emit(types.Type_NC_FTP, s.rec)
}

// ftpHostPort finds "h1,h2,h3,h4,p1,p2" in PORT's argument or a 227
// reply (RFC 959 4.1.2) as tshark does, for RFC 1123 4.1.2.6 has clients
// scan for it: at each number, the six numbers from there, or the next.
func ftpHostPort(s string) (netip.AddrPort, bool) {
	for {
		i := strings.IndexAny(s, "0123456789")
		if i < 0 {
			return netip.AddrPort{}, false
		}
		s = s[i:]
		if ap, ok := ftpSixNumbers(s); ok {
			return ap, true
		}
		s = strings.TrimLeft(s, "0123456789")
	}
}

// ftpSixNumbers reads six numbers from 0 to 255 separated by commas at the
// start of s.
func ftpSixNumbers(s string) (netip.AddrPort, bool) {
	var b [6]byte
	for i := range b {
		n := len(s) - len(strings.TrimLeft(s, "0123456789"))
		v, err := strconv.ParseUint(s[:n], 10, 8)
		if err != nil || i < 5 && (n == len(s) || s[n] != ',') {
			return netip.AddrPort{}, false
		}
		b[i], s = byte(v), s[min(n+1, len(s)):]
	}
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[:4])), uint16(b[4])<<8|uint16(b[5])), true
}

// ftpEPRT reads EPRT's argument, "|af|address|port|" with any printable
// delimiter (RFC 2428 2).
func ftpEPRT(s string) (netip.AddrPort, bool) {
	if len(s) < 1 {
		return netip.AddrPort{}, false
	}
	f := strings.Split(s, s[:1])
	if len(f) != 5 || f[0] != "" || f[4] != "" {
		return netip.AddrPort{}, false
	}
	addr, err := netip.ParseAddr(f[2])
	port, perr := strconv.ParseUint(f[3], 10, 16)
	if err != nil || perr != nil || addr.Zone() != "" {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(addr, uint16(port)), true
}

// ftpPassive reads the address of a reply to PASV (227) or EPSV (229).
func ftpPassive(verb, text string, server netip.Addr) (netip.AddrPort, bool) {
	if verb == "PASV" {
		return ftpHostPort(text)
	}
	return ftpEPSV(text, server)
}

// ftpEPSV reads the port of a 229 reply, "(|||port|)" with any delimiter
// (RFC 2428 3); the address is the server's.
func ftpEPSV(text string, server netip.Addr) (netip.AddrPort, bool) {
	_, in, _ := strings.Cut(text, "(")
	in, _, found := strings.Cut(in, ")")
	if !found || len(in) < 5 {
		return netip.AddrPort{}, false
	}
	f := strings.Split(in, in[:1])
	if len(f) != 5 || f[1]+f[2]+f[4] != "" {
		return netip.AddrPort{}, false
	}
	port, err := strconv.ParseUint(f[3], 10, 16)
	return netip.AddrPortFrom(server, uint16(port)), err == nil
}
