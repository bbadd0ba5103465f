package bpf

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupported is wrapped by the errors Compile returns for valid
// pcap-filter syntax this compiler does not implement (host names, gateway,
// protochain, 802.11, …): a caller may then try libpcap.
var ErrUnsupported = errors.New("not supported by the pure-Go filter compiler")

// Error is a compile error: what went wrong and where (a byte offset into
// the expression, shown 1-based as a column).
type Error struct {
	Expr        string
	Pos         int
	Msg         string
	Unsupported bool // valid pcap-filter syntax that Compile does not implement

	noRelop bool // an arithmetic expression without comparison: maybe not one
}

func (e *Error) Error() string {
	if e.Unsupported {
		return fmt.Sprintf("bpf: column %d: %s (%v)", e.Pos+1, e.Msg, ErrUnsupported)
	}
	return fmt.Sprintf("bpf: column %d: %s", e.Pos+1, e.Msg)
}

// Unwrap makes errors.Is(err, ErrUnsupported) true for unsupported syntax.
func (e *Error) Unwrap() error {
	if e.Unsupported {
		return ErrUnsupported
	}
	return nil
}

type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // identifier, number, address: classified by the parser
	tLParen         // (
	tRParen         // )
	tLBrack         // [
	tRBrack         // ]
	tColon          // :
	tSlash          // / (net/len, or division)
	tAndAnd         // &&
	tOrOr           // ||
	tBang           // !
	tArith          // + - * % & | ^ << >>
	tRel            // = == != < <= > >=
)

type token struct {
	kind    tokKind
	text    string
	pos     int
	escaped bool // \word: never a keyword
}

// maxExprLen bounds the expression so that a hostile one cannot make the
// compiler work for long.
const maxExprLen = 1 << 16

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// lex splits expr into tokens. A word is a run of letters, digits, '_', '.',
// '-' and ':' that starts with a letter, a digit, "::" or a backslash. A run
// with a single ':' is cut there, so that ip[2:2] reads as 2 ':' 2, while
// MAC and IPv6 addresses (two colons or more) stay whole.
func lex(expr string) ([]token, error) {
	if len(expr) > maxExprLen {
		return nil, &Error{Expr: expr, Pos: maxExprLen, Msg: fmt.Sprintf("expression longer than %d bytes", maxExprLen)}
	}
	var toks []token
	i := 0
	for i < len(expr) {
		c := expr[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '\\' || isAlnum(c) || c == ':' && i+1 < len(expr) && expr[i+1] == ':':
			escaped := false
			if c == '\\' {
				escaped = true
				i++
				if i >= len(expr) || !isAlnum(expr[i]) {
					return nil, &Error{Expr: expr, Pos: start, Msg: "'\\' must be followed by a name"}
				}
			}
			j := i
			colons := 0
			for j < len(expr) && (isWordChar(expr[j]) || expr[j] == ':') {
				if expr[j] == ':' {
					colons++
				}
				j++
			}
			word := expr[i:j]
			if colons == 1 {
				word = word[:strings.IndexByte(word, ':')]
				j = i + len(word)
				if word == "" {
					return nil, &Error{Expr: expr, Pos: start, Msg: "unexpected ':'"}
				}
			}
			toks = append(toks, token{kind: tWord, text: word, pos: start, escaped: escaped})
			i = j
			continue
		}
		two := ""
		if i+1 < len(expr) {
			two = expr[i : i+2]
		}
		switch two {
		case "&&":
			toks = append(toks, token{kind: tAndAnd, text: two, pos: start})
			i += 2
			continue
		case "||":
			toks = append(toks, token{kind: tOrOr, text: two, pos: start})
			i += 2
			continue
		case "<<", ">>":
			toks = append(toks, token{kind: tArith, text: two, pos: start})
			i += 2
			continue
		case "==", "!=", "<=", ">=":
			toks = append(toks, token{kind: tRel, text: two, pos: start})
			i += 2
			continue
		}
		var k tokKind
		switch c {
		case '(':
			k = tLParen
		case ')':
			k = tRParen
		case '[':
			k = tLBrack
		case ']':
			k = tRBrack
		case ':':
			k = tColon
		case '/':
			k = tSlash
		case '!':
			k = tBang
		case '+', '-', '*', '%', '&', '|', '^':
			k = tArith
		case '=', '<', '>':
			k = tRel
		default:
			if c >= 0x20 && c < 0x7f {
				return nil, &Error{Expr: expr, Pos: start, Msg: fmt.Sprintf("unexpected character %q", c)}
			}
			return nil, &Error{Expr: expr, Pos: start, Msg: fmt.Sprintf("unexpected byte 0x%02x", c)}
		}
		toks = append(toks, token{kind: k, text: expr[i : i+1], pos: start})
		i++
	}
	toks = append(toks, token{kind: tEOF, pos: len(expr)})
	return toks, nil
}
