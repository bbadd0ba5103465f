package service

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/netcap-go/netcap/decoder/dpi"
)

// What a server's first bytes say about its software: greetings of text
// protocols, the SSH version line, the HTTP Server header.

// svBannerSW is what a banner says about the server's software, as the
// wire has it (the records escape it).
type svBannerSW struct {
	Product, Vendor, Version string
	Service                  string // the protocol the greeting belongs to, if it tells
	Line                     string // the line it was read from
}

// svProducts are the greeting forms of common servers (FTP, SMTP,
// POP3, IMAP): a pattern whose first group is the version, and the
// product and vendor it names.
var svProducts = []struct {
	re              *regexp.Regexp
	product, vendor string
}{
	{regexp.MustCompile(`(?i)\bvsFTPd(?: ([0-9][0-9a-z.]*))?`), "vsFTPd", ""},
	{regexp.MustCompile(`(?i)\bProFTPD(?: ([0-9][0-9a-z.]*))?`), "ProFTPD", ""},
	{regexp.MustCompile(`(?i)\bPure-FTPd(?: ([0-9][0-9a-z.]*))?`), "Pure-FTPd", ""},
	{regexp.MustCompile(`(?i)\bFileZilla Server(?: version)? v?([0-9][0-9a-z.]*(?: beta)?)`), "FileZilla Server", ""},
	{regexp.MustCompile(`(?i)\bwu-([0-9][0-9a-z.()-]*)`), "wu-ftpd", ""},
	{regexp.MustCompile(`(?i)\bMicrosoft FTP Service(?: \(Version ([0-9][0-9.]*)\))?`), "FTP Service", "Microsoft"},
	{regexp.MustCompile(`(?i)\bSendmail(?: ([0-9][0-9a-z.]*))?`), "Sendmail", ""},
	{regexp.MustCompile(`(?i)\bExim(?: ([0-9][0-9a-z.]*))?`), "Exim", ""},
	{regexp.MustCompile(`(?i)\bPostfix(?: ([0-9][0-9a-z.]*))?`), "Postfix", ""},
	{regexp.MustCompile(`(?i)\bMicrosoft ESMTP MAIL Service(?:, Version: ([0-9][0-9.]*))?`), "ESMTP MAIL Service", "Microsoft"},
	{regexp.MustCompile(`(?i)\bDovecot(?: ([0-9][0-9a-z.]*))?`), "Dovecot", ""},
	{regexp.MustCompile(`(?i)\bCyrus (?:IMAP4?|POP3)(?: Murder)? v?([0-9][0-9a-z.-]*)`), "Cyrus IMAP", ""},
	{regexp.MustCompile(`(?i)\bCourier-IMAP(?: ([0-9][0-9a-z.]*))?`), "Courier-IMAP", ""},
	{regexp.MustCompile(`(?i)\bQpopper(?: \(version ([0-9][0-9a-z.]*)\))?`), "Qpopper", ""},
	{regexp.MustCompile(`(?i)\bMicrosoft Exchange(?: Server)?(?: [0-9]+)? (?:IMAP4|POP3)(?:rev1)? (?:service|server)(?: version ([0-9][0-9.]*))?`), "Exchange Server", "Microsoft"},
}

// svGeneric is "Name 1.2.3", "Name/1.2" or "Name v1.2" in a greeting
// line whose product table has nothing; svStopWords are not names.
var (
	svGeneric   = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9_.-]*[A-Za-z])[ /]v?([0-9]+\.[0-9]+(?:\.[0-9]+)*[a-z0-9]*)\b`)
	svIPv4      = regexp.MustCompile(`^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$`)
	svStopWords = map[string]bool{
		"version": true, "ver": true, "release": true, "rev": true, "build": true, "server": true, "service": true,
		"ftp": true, "ftpd": true, "smtp": true, "esmtp": true, "lmtp": true, "imap": true, "imap4": true, "imap4rev1": true,
		"pop": true, "pop3": true, "http": true, "https": true, "ssh": true, "rtsp": true, "sip": true, "ready": true,
		"mail": true, "host": true, "at": true, "on": true, "port": true, "from": true, "for": true, "to": true, "protocol": true,
	}
)

// svBannerSoftware reads the product and version a server's first bytes
// name. proto is the detected protocol ("" if none).
func svBannerSoftware(proto string, banner []byte) svBannerSW {
	if proto == "SSH" || dpi.MatchSSHBanner(banner) == dpi.Matched {
		// The version line, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10" (a
		// server may send other lines first).
		for _, line := range strings.Split(string(banner), "\n") {
			if dpi.MatchSSHBanner([]byte(line)) != dpi.Matched {
				continue
			}
			sw, _, _ := strings.Cut(strings.TrimRight(line, "\r"), " ")
			_, sw, _ = strings.Cut(sw[len("SSH-"):], "-") // after the protocol version
			product, version, _ := strings.Cut(sw, "_")
			return svBannerSW{Product: product, Version: version, Service: "SSH", Line: line}
		}
		return svBannerSW{Service: "SSH"}
	}
	if proto == "HTTP" || dpi.MatchHTTPStatusLine(banner) == dpi.Matched {
		sw := svHTTPServer(banner)
		sw.Service = "HTTP"
		return sw
	}
	lines := strings.SplitN(string(banner), "\n", 5)
	if len(lines) == 5 || !strings.Contains(string(banner), "\n") && len(banner) >= svBannerBytes {
		lines = lines[:len(lines)-1] // the last one may be cut
	}
	for _, line := range lines {
		line = strings.TrimRight(line, "\r")
		if !svPrintableLine(line) || !svGreeting(line) {
			return svBannerSW{}
		}
		svc := svGreetingService(line)
		for _, p := range svProducts {
			if m := p.re.FindStringSubmatch(line); m != nil {
				return svBannerSW{Product: p.product, Vendor: p.vendor, Version: strings.TrimRight(m[1], "."), Service: svc, Line: line}
			}
		}
		for _, m := range svGeneric.FindAllStringSubmatch(line, -1) {
			if !svStopWords[strings.ToLower(m[1])] && !svIPv4.MatchString(m[2]) && !strings.Contains(m[1], ".") {
				return svBannerSW{Product: m[1], Version: m[2], Service: svc, Line: line}
			}
		}
	}
	return svBannerSW{}
}

// svGreeting reports whether a line has the form of a text protocol's
// greeting: a three-digit reply code (FTP, SMTP, NNTP, …), "+OK" (POP3),
// "* OK" or "* PREAUTH" (IMAP). Other first bytes (a response body seen
// mid-stream, binary protocols) name no product.
func svGreeting(line string) bool {
	return dpi.IsReplyLine([]byte(line)) || strings.HasPrefix(line, "+OK") || strings.HasPrefix(line, "* OK") || strings.HasPrefix(line, "* PREAUTH")
}

// svGreetingService tells the protocol of a greeting line by its form.
func svGreetingService(line string) string {
	up := strings.ToUpper(line)
	switch {
	case strings.HasPrefix(up, "220") && strings.Contains(up, "SMTP"):
		return "SMTP"
	case strings.HasPrefix(up, "220") && strings.Contains(up, "FTP"):
		return "FTP"
	case strings.HasPrefix(up, "+OK"):
		return "POP3"
	case strings.HasPrefix(up, "* OK"), strings.HasPrefix(up, "* PREAUTH"):
		return "IMAP"
	}
	return ""
}

// svPrintableLine reports whether a line is text (printable ASCII or UTF-8,
// tabs), as greetings are.
func svPrintableLine(s string) bool {
	if len(s) < 3 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}

// svHTTPServer reads "Server: product/version (comment)" from the head
// of an HTTP response.
func svHTTPServer(b []byte) svBannerSW {
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "Server") {
			continue
		}
		value = strings.TrimSpace(value)
		first, _, _ := strings.Cut(value, " ")
		product, version, _ := strings.Cut(first, "/")
		return svBannerSW{Product: product, Version: version, Line: line}
	}
	return svBannerSW{}
}
