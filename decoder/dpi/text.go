package dpi

import "bytes"

// Text protocols: HTTP, RTSP, SIP, SSDP, SSH, SMTP, POP3, IMAP, FTP, Redis.

// maxLine bounds how far a request line is searched for its end.
const maxLine = 8192

// Versions a request line ends with.
const (
	verNone = iota
	verHTTP
	verSIP
	verRTSP
)

// requestLine parses "METHOD SP target SP VERSION CRLF" at the start of p
// (ParseHTTPRequestLine) and returns the protocol named by the version
// token (verNone when p does not start with such a line) and the method.
func requestLine(p []byte) (int, []byte) {
	area := p[:min(len(p), maxLine)]
	lf := bytes.IndexByte(area, '\n')
	if lf < 0 {
		if sp := bytes.IndexByte(p, ' '); sp > 0 && isLongHTTPRequest(p, p[:sp]) {
			return verHTTP, p[:sp]
		}
		return verNone, nil
	}
	line := p[:lf]
	if lf > 0 && line[lf-1] == '\r' {
		line = line[:lf-1]
	}
	r, ok := ParseHTTPRequestLine(line)
	if !ok {
		return verNone, nil
	}
	switch string(r.Version) {
	case "": // HTTP/0.9 simple request: "GET /path"
		return verHTTP, r.Method
	case "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9":
		return verHTTP, r.Method
	case "SIP/2.0":
		return verSIP, r.Method
	case "RTSP/1.0", "RTSP/2.0":
		return verRTSP, r.Method
	}
	return verNone, nil
}

// isLongHTTPRequest accepts a request whose line does not end in this payload
// (a URL longer than a segment): a method in common use (IsHTTPMethod), an
// origin-form or absolute target, and at least 200 bytes of URL characters.
func isLongHTTPRequest(p, method []byte) bool {
	if !IsHTTPMethod(method) {
		return false
	}
	t := p[len(method)+1:]
	if len(t) < 200 || !(t[0] == '/' || hasPrefix(t, "http://") || hasPrefix(t, "https://")) {
		return false
	}
	for _, c := range t[:200] {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// statusLine reports whether p starts with "<version> DDD" followed by a space
// or the end of the line.
func statusLine(p []byte, version string) bool {
	n := len(version)
	if !hasPrefix(p, version) || len(p) < n+4 {
		return false
	}
	if !isDigit(p[n]) || !isDigit(p[n+1]) || !isDigit(p[n+2]) {
		return false
	}
	return len(p) == n+3 || p[n+3] == ' ' || p[n+3] == '\r' || p[n+3] == '\n'
}

// isHTTPResponse reports an HTTP/1.x status line.
func isHTTPResponse(p []byte) bool { return MatchHTTPStatusLine(p) == Matched }

// firstLine returns p up to its first CR or LF, at most 512 bytes.
func firstLine(p []byte) []byte {
	if len(p) > 512 {
		p = p[:512]
	}
	for i, c := range p {
		if c == '\r' || c == '\n' {
			return p[:i]
		}
	}
	return p
}

// isCommand reports whether p starts with the command cmd (upper case, any
// case in p) followed by a space, CR or LF.
func isCommand(p []byte, cmd string) bool {
	if !hasPrefixFold(p, cmd) || len(p) == len(cmd) {
		return false
	}
	c := p[len(cmd)]
	return c == ' ' || c == '\r' || c == '\n'
}

// isBareCommand reports whether p is the command cmd alone on its line.
func isBareCommand(p []byte, cmd string) bool {
	if !hasPrefixFold(p, cmd) || len(p) == len(cmd) {
		return false
	}
	c := p[len(cmd)]
	return c == '\r' || c == '\n'
}

// Mail and file-transfer ports used to break ties between protocols whose
// content matches equally.
func smtpPort(pp ports) bool {
	return pp.has(25) || pp.has(465) || pp.has(587) || pp.has(2525)
}
func ftpPort(pp ports) bool  { return pp.has(21) || pp.has(990) }
func pop3Port(pp ports) bool { return pp.has(110) || pp.has(995) }

func detectTextTCP(pp ports, p []byte) string {
	switch p[0] {
	case 'H':
		if isHTTPResponse(p) {
			return nameHTTP
		}
	case 'S':
		if MatchSSHBanner(p) == Matched {
			return nameSSH
		}
		if statusLine(p, "SIP/2.0 ") {
			return nameSIP
		}
	case 'R':
		if statusLine(p, "RTSP/1.0 ") {
			return nameRTSP
		}
	case '+':
		return detectPlus(pp, p)
	case '*':
		if hasPrefix(p, "* OK") || hasPrefix(p, "* PREAUTH ") || hasPrefix(p, "* BYE ") {
			return nameIMAP
		}
		if isRESPCommand(p) {
			return nameRedis
		}
		return ""
	}
	if isDigit(p[0]) {
		if n := detectReply(pp, p); n != "" {
			return n
		}
	}
	if isUpper(p[0]) {
		switch v, _ := requestLine(p); v {
		case verHTTP:
			return nameHTTP
		case verSIP:
			return nameSIP
		case verRTSP:
			return nameRTSP
		}
	}
	if n := detectCommand(pp, p); n != "" {
		return n
	}
	if isIMAPCommand(p) {
		return nameIMAP
	}
	return ""
}

func detectTextUDP(p []byte) string {
	switch p[0] {
	case 'S':
		if statusLine(p, "SIP/2.0 ") {
			return nameSIP
		}
	case 'H':
		if isHTTPResponse(p) {
			return nameSSDP
		}
	}
	if !isUpper(p[0]) {
		return ""
	}
	switch v, method := requestLine(p); v {
	case verSIP:
		return nameSIP
	case verHTTP:
		// HTTP over UDP is SSDP (UPnP discovery); other methods are not.
		if string(method) == "M-SEARCH" || string(method) == "NOTIFY" {
			return nameSSDP
		}
	}
	return ""
}

// detectPlus handles lines starting with '+': the POP3 "+OK text" reply, and
// a bare "+OK" that POP3 and Redis both send.
func detectPlus(pp ports, p []byte) string {
	if MatchPOP3Status(p) != Matched || p[0] != '+' || len(p) < 5 {
		return ""
	}
	if p[3] == ' ' && isPrint(p[4]) {
		return namePOP3
	}
	if p[3] == '\r' && p[4] == '\n' {
		switch {
		case pop3Port(pp):
			return namePOP3
		case pp.has(6379):
			return nameRedis
		}
	}
	return ""
}

// detectReply handles numeric replies: SMTP and FTP banners and a few replies
// only one of them uses.
func detectReply(pp ports, p []byte) string {
	line := firstLine(p)
	if !IsReplyLine(line) {
		return ""
	}
	text := line[min(len(line), 4):]
	switch int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0') {
	case 220:
		mail := containsFold(line, "SMTP") || containsFold(line, "MAIL") ||
			containsFold(line, "POSTFIX") || containsFold(line, "EXIM")
		ftp := containsFold(line, "FTP")
		switch {
		case mail && !ftp:
			return nameSMTP
		case ftp && !mail:
			return nameFTP
		case smtpPort(pp):
			return nameSMTP
		case ftpPort(pp):
			return nameFTP
		}
	case 250:
		// The multi-line EHLO reply lists ESMTP extensions.
		if len(line) > 3 && line[3] == '-' && (containsFold(p, "PIPELINING") || containsFold(p, "8BITMIME") ||
			containsFold(p, "STARTTLS") || containsFold(p, "ENHANCEDSTATUSCODES") ||
			containsFold(p, "\n250-SIZE") || containsFold(p, "\n250 SIZE") ||
			containsFold(p, "\n250-AUTH") || containsFold(p, "\n250 AUTH")) {
			return nameSMTP
		}
	case 331, 230:
		// "User name okay, need password" and "User logged in" are FTP's.
		return nameFTP
	case 227:
		if hasPrefix(text, "Entering Passive Mode") {
			return nameFTP
		}
	case 229:
		if hasPrefix(text, "Entering Extended Passive Mode") {
			return nameFTP
		}
	}
	return ""
}

// detectCommand handles client commands of SMTP, POP3, FTP and Redis.
func detectCommand(pp ports, p []byte) string {
	if MatchSMTPCommand(p) == Matched {
		return nameSMTP
	}
	switch upper(p[0]) {
	case 'E':
		if isCommand(p, "EPSV") {
			return nameFTP
		}
	case 'M':
		if isCommand(p, "MLSD") {
			return nameFTP
		}
	case 'S':
		if isBareCommand(p, "STARTTLS") {
			return nameSMTP
		}
		if isBareCommand(p, "STLS") {
			return namePOP3
		}
		if isBareCommand(p, "SYST") {
			return nameFTP
		}
	case 'C':
		if isBareCommand(p, "CAPA") {
			return namePOP3
		}
		if isCommand(p, "CWD") {
			return nameFTP
		}
	case 'U':
		if isCommand(p, "UIDL") {
			return namePOP3
		}
		if isCommand(p, "USER") {
			return userPassTie(pp)
		}
	case 'A':
		if isCommand(p, "APOP") {
			return namePOP3
		}
		if isCommand(p, "AUTH") {
			return detectAuth(pp, p[5:])
		}
	case 'P':
		if isCommand(p, "PASS") {
			return userPassTie(pp)
		}
		if isBareCommand(p, "PASV") || isBareCommand(p, "PWD") {
			return nameFTP
		}
		if isBareCommand(p, "PING") {
			return nameRedis
		}
	case 'F':
		if isBareCommand(p, "FEAT") {
			return nameFTP
		}
	case 'T':
		if hasPrefixFold(p, "TOP ") && len(p) > 4 && isDigit(p[4]) {
			return namePOP3
		}
	}
	return ""
}

// userPassTie decides USER and PASS, which POP3 and FTP share, by port.
func userPassTie(pp ports) string {
	switch {
	case ftpPort(pp):
		return nameFTP
	case pop3Port(pp):
		return namePOP3
	}
	return ""
}

// detectAuth decides "AUTH <arg>": FTP's AUTH TLS/SSL, or a SASL mechanism
// that SMTP and POP3 share (decided by port).
func detectAuth(pp ports, arg []byte) string {
	if isCommand(arg, "TLS") || isCommand(arg, "SSL") || isCommand(arg, "TLS-C") || isCommand(arg, "TLS-P") {
		return nameFTP
	}
	sasl := false
	for _, m := range [...]string{"LOGIN", "PLAIN", "CRAM-MD5", "DIGEST-MD5", "NTLM", "XOAUTH2", "OAUTHBEARER", "GSSAPI", "EXTERNAL", "SCRAM-SHA-1", "SCRAM-SHA-256"} {
		if isCommand(arg, m) {
			sasl = true
			break
		}
	}
	if !sasl {
		return ""
	}
	switch {
	case smtpPort(pp):
		return nameSMTP
	case pop3Port(pp):
		return namePOP3
	}
	return ""
}

// imapCommands are IMAP commands a client sends early in a session.
var imapCommands = [...]string{
	"CAPABILITY", "LOGIN", "AUTHENTICATE", "STARTTLS", "SELECT", "EXAMINE",
	"LIST", "LSUB", "STATUS", "FETCH", "UID", "NOOP", "LOGOUT", "ID",
	"ENABLE", "NAMESPACE", "IDLE", "APPEND", "CREATE", "SEARCH", "XLIST",
	"GETQUOTAROOT", "COMPRESS",
}

// isIMAPCommand accepts a tagged IMAP command: "<tag> <command>" followed by
// a space or the end of the line; the tag is 1..20 letters, digits or ".-_".
func isIMAPCommand(p []byte) bool {
	i := 0
	for i < len(p) && i < 21 && (isAlnum(p[i]) || p[i] == '.' || p[i] == '-' || p[i] == '_') {
		i++
	}
	if i == 0 || i > 20 || i >= len(p) || p[i] != ' ' {
		return false
	}
	// "AUTH LOGIN" is SMTP's or POP3's, not an IMAP tag.
	if equalFold(p[:i], "AUTH") {
		return false
	}
	rest := p[i+1:]
	for _, c := range imapCommands {
		if isCommand(rest, c) {
			return true
		}
	}
	return false
}

// redisCommands are Redis commands a client commonly sends first.
var redisCommands = [...]string{
	"PING", "AUTH", "HELLO", "INFO", "SELECT", "CONFIG", "CLIENT", "COMMAND",
	"GET", "SET", "SETEX", "SETNX", "MGET", "MSET", "DEL", "EXISTS", "EXPIRE",
	"TTL", "TYPE", "KEYS", "SCAN", "INCR", "DECR", "INCRBY", "APPEND",
	"LPUSH", "RPUSH", "LPOP", "RPOP", "LRANGE", "LLEN", "BLPOP", "BRPOP",
	"SADD", "SREM", "SMEMBERS", "SISMEMBER", "HSET", "HGET", "HMSET", "HMGET",
	"HGETALL", "HDEL", "ZADD", "ZRANGE", "ZREM", "ZSCORE", "SUBSCRIBE",
	"PSUBSCRIBE", "PUBLISH", "MULTI", "EXEC", "EVAL", "EVALSHA", "SCRIPT",
	"FLUSHDB", "FLUSHALL", "DBSIZE", "ECHO", "QUIT", "XADD", "XREAD",
	"SLAVEOF", "REPLICAOF", "SYNC", "PSYNC", "SAVE", "BGSAVE", "MONITOR",
}

// isRESPCommand accepts a RESP array "*N\r\n$M\r\n<command>\r\n" whose first
// bulk string is a known Redis command of length M.
func isRESPCommand(p []byte) bool {
	i := 1
	n := 0
	for i < len(p) && i < 5 && isDigit(p[i]) {
		n = n*10 + int(p[i]-'0')
		i++
	}
	if i == 1 || n == 0 || !hasPrefix(p[i:], "\r\n$") {
		return false
	}
	i += 3
	j := i
	m := 0
	for j < len(p) && j < i+3 && isDigit(p[j]) {
		m = m*10 + int(p[j]-'0')
		j++
	}
	if j == i || !hasPrefix(p[j:], "\r\n") {
		return false
	}
	j += 2
	if len(p) < j+m+2 || string(p[j+m:j+m+2]) != "\r\n" {
		return false
	}
	cmd := p[j : j+m]
	for _, c := range redisCommands {
		if equalFold(cmd, c) {
			return true
		}
	}
	return false
}
