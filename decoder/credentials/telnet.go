package credentials

import (
	"strings"

	"github.com/netcap-go/netcap/decoder/stream"
)

// Telnet (RFC 854) logins: the lines a client types after the server's
// login and password prompts.

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

func (h *hvSession) telnetData(dir stream.Direction, data []byte, ts int64) {
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
	if dir == stream.ServerToClient {
		t.checkPrompt()
	}
}

// telnetByte takes one data byte of a direction.
func (h *hvSession) telnetByte(dir stream.Direction, b byte, ts int64) {
	t := &h.telnet
	sd := &t.side[dir]
	cr := sd.cr
	sd.cr = b == '\r'
	if dir == stream.ServerToClient {
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
