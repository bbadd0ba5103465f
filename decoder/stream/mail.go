package stream

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"mime"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/netcap-go/netcap/types"
)

// Mail messages (RFC 5322) with MIME parts (RFC 2045-2047, 2231), shared by
// SMTP (DATA and BDAT) and POP3 (RETR and TOP).
//
// A mailReader reads a message as it streams, line by line, without keeping
// it: the header section of each entity is kept (bounded), text parts are
// decoded into MailPart.Content (bounded), and every other leaf part
// (attachments, images, nested messages, text sent as an attachment) is
// decoded from base64 or quoted-printable straight into a File record
// (Conn.NewFile), which hashes it and writes it to -fileStorage. The whole
// message is hashed as it passes (Mail.Sha256, Mail.Size).
//
// MailPart.ID is the part's section number as IMAP numbers them (RFC 3501
// 6.4.5): "1" for the body of a single-part message, "1", "2", "2.1"…
// for the parts of a multipart one.

const (
	mailMaxLine         = 8192     // longer lines are cut into pieces
	mailMaxHeaderBytes  = 64 << 10 // header section of one entity
	mailMaxHeaderFields = 512
	mailMaxFieldValue   = 16 << 10
	mailMaxParts        = 256
	mailMaxDepth        = 16      // nested multiparts
	mailMaxText         = 1 << 20 // decoded text kept per message
	mailMaxAddresses    = 1024    // envelope recipients kept
)

// mailEnvelope is what the carrying protocol knows of a message.
type mailEnvelope struct {
	Origin     string // "SMTP" or "POP3"
	Timestamp  int64  // when the message started
	FromServer bool   // the message travelled from server to client (POP3)
	Host       string // the mail server's name (its greeting) or address
	MailFrom   string // SMTP MAIL FROM
	RcptTo     []string
}

// mailField is one header field: the name as written and the value with
// the folding line breaks removed (RFC 5322 2.2.3).
type mailField struct{ name, value string }

type mailHeader struct {
	fields []mailField
	size   int
}

// get returns the first field of a name (case-insensitive), trimmed.
func (h *mailHeader) get(name string) string {
	for _, f := range h.fields {
		if strings.EqualFold(f.name, name) {
			return strings.TrimSpace(f.value)
		}
	}
	return ""
}

// add reads a header line (without its line ending).
func (h *mailHeader) add(line []byte) {
	if h.size+len(line) > mailMaxHeaderBytes {
		return
	}
	h.size += len(line)
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		if n := len(h.fields); n > 0 && len(h.fields[n-1].value)+len(line) <= mailMaxFieldValue {
			h.fields[n-1].value += string(line)
		}
		return
	}
	name, value, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(h.fields) >= mailMaxHeaderFields {
		return // not a field (an mbox "From " line, garbage): skipped
	}
	name = bytes.TrimSpace(name)
	if len(name) == 0 {
		return
	}
	if len(value) > mailMaxFieldValue {
		value = value[:mailMaxFieldValue]
	}
	h.fields = append(h.fields, mailField{name: string(name), value: string(value)})
}

// mailPart is a leaf part being read.
type mailPart struct {
	rec      *types.MailPart
	file     *FileWriter
	text     bool
	charset  string
	enc      string // "base64", "quoted-printable" or "" (identity)
	b64      b64Stream
	content  []byte
	eol      []byte // line ending held back: it belongs to a boundary that may follow
	recorded bool
}

type mailState uint8

const (
	mailHeaderSection mailState = iota
	mailLeafBody                // the body of a leaf part
	mailSkip                    // preamble or epilogue of a multipart
)

// multipartLevel is an open multipart entity.
type multipartLevel struct {
	boundary string
	count    int  // parts started so far
	digest   bool // multipart/digest: parts default to message/rfc822
}

// mailReader reads one message.
type mailReader struct {
	c    *Conn
	env  mailEnvelope
	seq  int // the message's number in its connection
	sha  hash.Hash
	size int64

	line      []byte // bytes of an unfinished line
	cont      bool   // the next bytes continue a line that was cut
	state     mailState
	hdr       mailHeader
	top       bool // the entity being read is the message itself
	levels    []multipartLevel
	part      *mailPart
	parts     []*types.MailPart
	nparts    int
	textLeft  int
	hasFiles  bool
	topHeader mailHeader
	done      bool
}

// newMailReader starts a message; seq numbers the messages of a connection.
func newMailReader(c *Conn, env mailEnvelope, seq int) *mailReader {
	m := &mailReader{c: c, env: env, seq: seq, sha: sha256.New(), top: true}
	m.textLeft = min(mailMaxText, c.Options().MaxBodyBytes)
	return m
}

// Write adds bytes of the message (after dot-unstuffing).
func (m *mailReader) Write(p []byte) {
	if m.done {
		return
	}
	m.sha.Write(p)
	m.size += int64(len(p))
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		end := len(p)
		if i >= 0 {
			end = i + 1
		}
		if room := mailMaxLine - len(m.line); end > room {
			// Too long a line: it goes on in pieces.
			m.line = append(m.line, p[:room]...)
			p = p[room:]
			m.piece(m.line, nil)
			m.line = m.line[:0]
			continue
		}
		m.line = append(m.line, p[:end]...)
		p = p[end:]
		if i < 0 {
			return
		}
		content, eol := splitEOL(m.line)
		m.piece(content, eol)
		m.line = m.line[:0]
	}
}

// splitEOL separates a line from its ending (CRLF or LF).
func splitEOL(line []byte) (content, eol []byte) {
	n := len(line)
	switch {
	case n >= 2 && line[n-2] == '\r' && line[n-1] == '\n':
		return line[:n-2], line[n-2:]
	case n >= 1 && line[n-1] == '\n':
		return line[:n-1], line[n-1:]
	}
	return line, nil
}

// piece handles a line, or a piece of one when eol is nil (the line was
// cut: what follows continues it).
func (m *mailReader) piece(content, eol []byte) {
	atStart := !m.cont
	m.cont = eol == nil
	if atStart && m.state != mailHeaderSection && m.boundary(content) {
		return
	}
	switch m.state {
	case mailHeaderSection:
		if !atStart {
			return // the rest of an over-long header line
		}
		if len(content) == 0 && eol != nil {
			m.endHeader()
			return
		}
		m.hdr.add(content)
	case mailLeafBody:
		m.body(content, eol, atStart)
	}
}

// boundary checks a line against the open multiparts' delimiters,
// innermost first, and acts on a match.
func (m *mailReader) boundary(line []byte) bool {
	if len(m.levels) == 0 || !bytes.HasPrefix(line, []byte("--")) {
		return false
	}
	line = line[2:]
	for i := len(m.levels) - 1; i >= 0; i-- {
		b := m.levels[i].boundary
		if !bytes.HasPrefix(line, []byte(b)) {
			continue
		}
		rest := line[len(b):]
		closing := bytes.HasPrefix(rest, []byte("--"))
		if closing {
			rest = rest[2:]
		}
		if len(bytes.Trim(rest, " \t")) != 0 {
			continue
		}
		m.endPart(false)
		m.levels = m.levels[:i+1]
		if closing {
			m.levels = m.levels[:i]
			m.state = mailSkip
			return true
		}
		m.levels[i].count++
		m.hdr = mailHeader{}
		m.state = mailHeaderSection
		return true
	}
	return false
}

// sectionID numbers the entity starting now, IMAP style.
func (m *mailReader) sectionID() string {
	if len(m.levels) == 0 {
		return "1"
	}
	ids := make([]string, len(m.levels))
	for i, l := range m.levels {
		ids[i] = strconv.Itoa(l.count)
	}
	return strings.Join(ids, ".")
}

// endHeader acts on a complete header section: the message's own fields,
// then a multipart opens or a leaf part starts.
func (m *mailReader) endHeader() {
	h := m.hdr
	m.hdr = mailHeader{}
	if m.top {
		m.top = false
		m.topHeader = h
	}
	ct := h.get("Content-Type")
	mediaType, params := parseMediaType(ct)
	if mediaType == "" {
		mediaType = "text/plain"
		if n := len(m.levels); n > 0 && m.levels[n-1].digest {
			mediaType = "message/rfc822"
		}
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if b := params["boundary"]; b != "" && len(m.levels) < mailMaxDepth && len(b) <= 200 {
			m.levels = append(m.levels, multipartLevel{boundary: b, digest: mediaType == "multipart/digest"})
			m.state = mailSkip
			return
		}
	}
	m.startPart(h, mediaType, params)
}

// startPart starts a leaf part with header h.
func (m *mailReader) startPart(h mailHeader, mediaType string, params map[string]string) {
	m.state = mailLeafBody
	p := &mailPart{enc: strings.ToLower(h.get("Content-Transfer-Encoding"))}
	switch p.enc {
	case "base64", "quoted-printable":
	default:
		p.enc = ""
	}
	disp, dparams := parseMediaType(h.get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeWords(name)
	p.text = strings.HasPrefix(mediaType, "text/") && disp != "attachment" && name == ""
	p.charset = params["charset"]
	m.nparts++
	if m.nparts <= mailMaxParts {
		p.recorded = true
		p.rec = &types.MailPart{ID: m.sectionID(), Header: map[string]string{}, Filename: types.WireString(name)}
		for _, f := range h.fields {
			if len(m.levels) == 0 && !strings.HasPrefix(strings.ToLower(f.name), "content-") {
				continue // the message's own fields are in the Mail record
			}
			k, v := types.WireString(f.name), types.WireString(strings.TrimSpace(f.value))
			if old, ok := p.rec.Header[k]; ok {
				v = old + `\x0a` + v // escaped: a field's values, line by line
			}
			p.rec.Header[k] = v
		}
		if !p.text {
			m.hasFiles = true
			p.file = m.c.NewFile(FileMeta{
				Name: name, Source: m.env.Origin, ContentType: mediaType, Host: m.env.Host,
				Timestamp: m.env.Timestamp, FromServer: m.env.FromServer,
			})
		}
	}
	m.part = p
}

// body adds a line (or a piece of one) of the current leaf part.
func (m *mailReader) body(content, eol []byte, atStart bool) {
	p := m.part
	if p == nil {
		return
	}
	switch p.enc {
	case "base64":
		var buf [mailMaxLine]byte
		out := p.b64.decode(buf[:0], content)
		m.emit(p, out)
	case "quoted-printable":
		if atStart && p.eol != nil {
			m.emit(p, p.eol)
			p.eol = nil
		}
		out, soft := decodeQPLine(content, eol == nil)
		m.emit(p, out)
		if eol != nil && !soft {
			p.eol = []byte("\r\n")
		}
	default:
		if atStart && p.eol != nil {
			m.emit(p, p.eol)
			p.eol = nil
		}
		m.emit(p, content)
		if eol != nil {
			p.eol = append(p.eol[:0], eol...)
		}
	}
}

// emit hands decoded bytes to the part's file or text.
func (m *mailReader) emit(p *mailPart, b []byte) {
	if len(b) == 0 || !p.recorded {
		return
	}
	if p.file != nil {
		p.file.Write(b)
		return
	}
	if p.text && m.textLeft > 0 {
		n := min(len(b), m.textLeft)
		p.content = append(p.content, b[:n]...)
		m.textLeft -= n
	}
}

// endPart ends the current leaf part; atEnd says the message ended (its
// last line ending is then content, not a boundary's).
func (m *mailReader) endPart(atEnd bool) {
	p := m.part
	if p == nil {
		return
	}
	m.part = nil
	if p.enc == "base64" {
		m.emit(p, p.b64.flush())
	}
	if atEnd && p.eol != nil {
		m.emit(p, p.eol)
	}
	if !p.recorded {
		return
	}
	if p.file != nil {
		p.file.Close()
	}
	if p.text {
		p.rec.Content = mailBodyText(p.charset, p.content)
	}
	m.parts = append(m.parts, p.rec)
}

// finish ends the message and writes its Mail record (also for a message
// cut short by the connection's end or a gap). It returns the Mail's ID.
func (m *mailReader) finish() string {
	if m.done {
		return ""
	}
	if len(m.line) > 0 {
		content, eol := splitEOL(m.line)
		m.piece(content, eol)
		m.line = nil
	}
	if m.state == mailHeaderSection && m.top {
		// Only headers (TOP n 0, or a message cut short).
		m.top = false
		m.topHeader = m.hdr
	}
	m.endPart(true)
	m.done = true
	h := &m.topHeader
	sum := m.sha.Sum(nil)
	idSum := sha256.Sum256(fmt.Appendf(nil, "%s|%d|%d", m.c.Ident, m.env.Timestamp, m.seq))
	info := m.c.Info
	rec := &types.Mail{
		Timestamp:       m.env.Timestamp,
		ReturnPath:      mailText(h.get("Return-Path")),
		From:            mailText(h.get("From")),
		To:              mailText(h.get("To")),
		CC:              mailText(h.get("Cc")),
		Subject:         mailText(h.get("Subject")),
		Date:            mailText(h.get("Date")),
		MessageID:       mailText(h.get("Message-ID")),
		References:      mailText(h.get("References")),
		InReplyTo:       mailText(h.get("In-Reply-To")),
		ContentLanguage: mailText(h.get("Content-Language")),
		XOriginatingIP:  mailText(h.get("X-Originating-IP")),
		ContentType:     mailText(h.get("Content-Type")),
		EnvelopeTo:      mailText(h.get("Envelope-To")),
		DeliveryDate:    mailText(h.get("Delivery-Date")),
		HasAttachments:  m.hasFiles,
		Body:            m.parts,
		ClientIP:        info.Client.Addr.String(),
		ServerIP:        info.Server.Addr.String(),
		ID:              hex.EncodeToString(idSum[:16]),
		Origin:          m.env.Origin,
		Sha256:          hex.EncodeToString(sum),
		Size:            m.size,
	}
	// The SMTP envelope stands in for fields a relay adds at delivery.
	if rec.ReturnPath == "" && m.env.MailFrom != "" {
		rec.ReturnPath = types.WireString("<" + m.env.MailFrom + ">")
	}
	if rec.EnvelopeTo == "" && len(m.env.RcptTo) > 0 {
		rec.EnvelopeTo = types.WireString(strings.Join(m.env.RcptTo, ", "))
	}
	m.c.Emit(types.Type_NC_Mail, rec)
	m.software(h)
	return rec.ID
}

// software reports the mail client named by X-Mailer or User-Agent.
func (m *mailReader) software(h *mailHeader) {
	for _, f := range []string{"X-Mailer", "User-Agent"} {
		v := h.get(f)
		product, version, notes := splitProductVersion(v)
		if product == "" {
			continue
		}
		m.c.Run().ObserveSoftware(SoftwareObservation{
			Timestamp: m.env.Timestamp, Product: product, Version: version, Notes: notes,
			SourceName: "Mail " + f, SourceData: v, Service: m.env.Origin, Flow: m.c.Ident,
		})
	}
}

// splitProductVersion reads "Product 1.2 (comment)", "Product/1.2",
// "Product v1.2 url" or "Product (1.2)": the words before the first one
// that is a version, and that version.
func splitProductVersion(s string) (product, version, notes string) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 512 {
		return "", "", ""
	}
	if p, v, ok := strings.Cut(s, "/"); ok && !strings.ContainsAny(p, " \t") && p != "" {
		v, notes, _ = strings.Cut(v, " ")
		if isVersion(v) {
			return p, v, strings.TrimSpace(notes)
		}
	}
	words := strings.Fields(s)
	for i, w := range words {
		v := strings.Trim(w, "()[],;")
		v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
		if i > 0 && isVersion(v) {
			return strings.Join(words[:i], " "), v, strings.Join(words[i+1:], " ")
		}
	}
	return s, "", ""
}

// isVersion: a digit, then digits, letters, dots, dashes or underscores,
// with at least one dot or all digits.
func isVersion(v string) bool {
	if v == "" || v[0] < '0' || v[0] > '9' || len(v) > 64 {
		return false
	}
	for _, r := range v {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '.' || r == '-' || r == '_' || r == '+') {
			return false
		}
	}
	return true
}

// mailText makes a header value a record string: encoded words decoded,
// escaped.
func mailText(s string) string { return types.WireString(strings.TrimSpace(decodeWords(s))) }

// parseMediaType reads a Content-Type or Content-Disposition value: the
// lower-cased type and its parameters (RFC 2231 continuations and charsets
// decoded). Values the standard parser rejects are read leniently.
func parseMediaType(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", map[string]string{}
	}
	if mt, params, err := mime.ParseMediaType(v); err == nil {
		return mt, params
	}
	mt, rest, _ := strings.Cut(v, ";")
	params := map[string]string{}
	for len(rest) > 0 {
		rest = strings.TrimLeft(rest, " \t;")
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		k = strings.ToLower(strings.TrimSpace(k))
		after = strings.TrimLeft(after, " \t")
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				val, rest = after[1:], ""
			} else {
				val, rest = after[1:1+end], after[2+end:]
			}
		} else {
			end := strings.IndexAny(after, "; \t")
			if end < 0 {
				val, rest = after, ""
			} else {
				val, rest = after[:end], after[end:]
			}
		}
		if _, dup := params[k]; !dup && k != "" {
			params[k] = val
		}
	}
	return strings.ToLower(strings.TrimSpace(mt)), params
}

// b64Stream decodes base64 across lines, skipping characters outside the
// alphabet; padding ends a quantum (a later one may follow).
type b64Stream struct {
	q [4]byte
	n int
}

var b64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

func (s *b64Stream) decode(dst, src []byte) []byte {
	for _, c := range src {
		if c == '=' {
			dst = append(dst, s.flush()...)
			continue
		}
		v := b64Values[c]
		if v == 0xff {
			continue
		}
		s.q[s.n] = v
		s.n++
		if s.n == 4 {
			dst = append(dst, s.q[0]<<2|s.q[1]>>4, s.q[1]<<4|s.q[2]>>2, s.q[2]<<6|s.q[3])
			s.n = 0
		}
	}
	return dst
}

// flush ends a quantum cut short (by padding or the end of the part).
func (s *b64Stream) flush() []byte {
	n := s.n
	s.n = 0
	switch n {
	case 2:
		return []byte{s.q[0]<<2 | s.q[1]>>4}
	case 3:
		return []byte{s.q[0]<<2 | s.q[1]>>4, s.q[1]<<4 | s.q[2]>>2}
	}
	return nil
}

// decodeQPLine decodes a quoted-printable line (RFC 2045 6.7) without its
// ending; soft says it ended with "=" (no line break). A piece of a cut
// line keeps its trailing white space.
func decodeQPLine(line []byte, piece bool) (out []byte, soft bool) {
	if !piece {
		line = bytes.TrimRight(line, " \t")
		if n := len(line); n > 0 && line[n-1] == '=' {
			line, soft = line[:n-1], true
		}
	}
	out = make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '=' && i+2 < len(line) {
			if h, ok := unhex2(line[i+1], line[i+2]); ok {
				out = append(out, h)
				i += 2
				continue
			}
		}
		out = append(out, c)
	}
	return out, soft
}

func unhex2(a, b byte) (byte, bool) {
	x, ok1 := unhex(a)
	y, ok2 := unhex(b)
	return x<<4 | y, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeWords decodes the RFC 2047 encoded words of a header value
// ("=?charset?B|Q?text?="); white space between two encoded words goes.
// Words that do not decode, or of charsets not known here, stay as they
// are; where the rest no longer has the form of an encoded word, it stays
// as it is (as with Go's mime.WordDecoder).
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var b strings.Builder
	afterWord := false // the last thing written was a decoded word
	for {
		start := strings.Index(s, "=?")
		if start < 0 {
			break
		}
		text, n, ok := decodeWord(s[start:])
		if n < 0 {
			break
		}
		if !ok {
			b.WriteString(s[:start+n])
			s = s[start+n:]
			afterWord = false
			continue
		}
		if between := s[:start]; !afterWord || strings.Trim(between, " \t\r\n") != "" {
			b.WriteString(between)
		}
		b.WriteString(text)
		s = s[start+n:]
		afterWord = true
	}
	b.WriteString(s)
	return b.String()
}

// decodeWord decodes the encoded word at the start of s: its text, its
// length, whether it decoded. The length is -1 when s does not have the
// form "=?charset?X?text?=".
func decodeWord(s string) (string, int, bool) {
	rest := s[2:]
	q1 := strings.IndexByte(rest, '?')
	if q1 < 0 || len(rest) < q1+4 || rest[q1+2] != '?' {
		return "", -1, false
	}
	charset, enc := rest[:q1], rest[q1+1]
	if i := strings.IndexByte(charset, '*'); i >= 0 {
		charset = charset[:i] // RFC 2231 language
	}
	body := rest[q1+3:]
	endText := strings.Index(body, "?=")
	if endText < 0 {
		return "", -1, false
	}
	n := 2 + q1 + 3 + endText + 2
	text := body[:endText]
	var raw []byte
	switch enc {
	case 'B', 'b':
		d, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return "", n, false
		}
		raw = d
	case 'Q', 'q':
		raw = make([]byte, 0, len(text))
		for i := 0; i < len(text); i++ {
			switch c := text[i]; {
			case c == '_':
				raw = append(raw, ' ')
			case c < ' ' && c != '\t' && c != '\r' && c != '\n' || c > '~':
				return "", n, false // not encoded-text (RFC 2047 5)
			case c == '=':
				if i+2 >= len(text) {
					return "", n, false
				}
				h, ok := unhex2(text[i+1], text[i+2])
				if !ok {
					return "", n, false
				}
				raw = append(raw, h)
				i += 2
			default:
				raw = append(raw, c)
			}
		}
	default:
		return "", n, false
	}
	if charset == "" {
		return "", n, false
	}
	out, ok := convertCharset(charset, raw)
	if !ok {
		return "", n, false
	}
	return out, n, true
}

// mailBodyText converts text of a declared charset to UTF-8 and escapes it
// as a multi-line text (types.WireText): bytes of unknown charsets, and
// bytes that are not the UTF-8 they claim to be, become \xNN.
func mailBodyText(charset string, b []byte) string {
	if s, ok := convertCharset(charset, b); ok {
		return types.WireText(s)
	}
	return types.WireText(string(b))
}

// cp1252 maps Windows-1252's 0x80-0x9F (0 where undefined).
var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// latin9 lists where ISO-8859-15 differs from ISO-8859-1.
var latin9 = map[byte]rune{0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178}

// convertCharset converts from the charsets that need no tables beyond
// these (UTF-8, ASCII, Latin-1, Latin-9, Windows-1252); false for others.
func convertCharset(charset string, b []byte) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968":
		return string(b), true // bytes outside ASCII: UTF-8 or escaped
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return singleByte(b, nil, nil), true
	case "iso-8859-15", "iso8859-15", "latin-9", "latin9":
		return singleByte(b, latin9, nil), true
	case "windows-1252", "cp1252", "x-cp1252":
		return singleByte(b, nil, &cp1252), true
	}
	return "", false
}

func singleByte(b []byte, diff map[byte]rune, c1 *[32]rune) string {
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		r := rune(c)
		if d, ok := diff[c]; ok {
			r = d
		} else if c1 != nil && c >= 0x80 && c < 0xA0 && c1[c-0x80] != 0 {
			r = c1[c-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

// decodeBase64 decodes base64 with or without padding.
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}
