package types

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Wire values (names, headers, banners, options: anything a decoder reads
// from a packet or a stream) reach record strings escaped, because proto3
// strings must be valid UTF-8 and a record must not lose a byte:
//
//   - a byte that is not part of valid UTF-8 becomes \xNN (two lower-case
//     hex digits), one escape per byte;
//   - a control character becomes \xNN per byte of its UTF-8 form: C0
//     (0x00-0x1f, TAB, CR and LF included), DEL (0x7f) and C1 (U+0080 to
//     U+009F, e.g. U+0085 "next line" becomes \xc2\x85);
//   - a backslash becomes \\;
//   - everything else (printable ASCII and every other valid UTF-8
//     character, U+FFFD too) stays as it is.
//
// UnescapeWire reverses it. Fields that hold a multi-line text
// (TextFields) keep TAB, CR and LF (WireText); text output (CSV, TSV,
// tables) escapes those too, so that a cell is always one line.

// WireString returns the wire value s escaped for a record string. It
// returns s itself, allocating nothing, when nothing needs escaping.
func WireString(s string) string { return escape(s, 0) }

// WireBytes is WireString for bytes.
func WireBytes(b []byte) string { return escape(string(b), 0) }

// WireText is WireString keeping TAB, CR and LF, for the fields that hold a
// multi-line text (TextFields).
func WireText(s string) string { return escape(s, keepLines) }

// EscapeControls escapes control characters and invalid UTF-8 as \xNN but
// leaves backslashes, for output that must be one line (keepLines false:
// CSV, TSV and table cells) or free of controls (XML) and takes strings
// that records hold, which are escaped already: such a string comes out
// unchanged, and UnescapeWire still gives the wire bytes.
func EscapeControls(s string, lines bool) string {
	m := keepBackslash
	if lines {
		m |= keepLines
	}
	return escape(s, m)
}

// TextFields are the string fields that hold a multi-line text and so keep
// TAB, CR and LF unescaped (WireText): a mail part's decoded text.
var TextFields = map[protoreflect.FullName]bool{
	"types.MailPart.Content": true,
}

type escapeMode uint8

const (
	keepLines     escapeMode = 1 << iota // TAB, CR and LF stay
	keepBackslash                        // the input is escaped already
)

// escape implements WireString and its variants: a scan for the first
// byte that needs escaping, then a copy that escapes from there on.
func escape(s string, m escapeMode) string {
	i := cleanPrefix(s, m)
	if i == len(s) {
		return s
	}
	return string(appendEscapedFrom(make([]byte, 0, len(s)+len(s)/2+8), s, i, m))
}

// appendControlsEscaped appends EscapeControls(s, false) to b, without
// the string EscapeControls would allocate for a string it changes.
func appendControlsEscaped(b []byte, s string) []byte {
	return appendEscapedFrom(b, s, cleanPrefix(s, keepBackslash), keepBackslash)
}

// appendEscapedFrom appends s escaped to b, given that its first i bytes
// need no escaping.
func appendEscapedFrom(b []byte, s string, i int, m escapeMode) []byte {
	b = append(b, s[:i]...)
	for i < len(s) {
		n := clean(s[i:], m)
		switch {
		case n > 0:
			b = append(b, s[i:i+n]...)
			i += n
			continue
		case s[i] == '\\':
			b = append(b, '\\', '\\')
			i++
			continue
		}
		// A control character escapes every byte of its UTF-8 form.
		_, size := utf8.DecodeRuneInString(s[i:])
		for _, c := range []byte(s[i : i+size]) {
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i += size
	}
	return b
}

// cleanPrefix returns the length of the longest prefix of s that needs no
// escaping.
func cleanPrefix(s string, m escapeMode) int {
	i := 0
	for i < len(s) {
		// The ASCII loop is the hot path: most wire text is ASCII.
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiClean(c, m) {
				return i
			}
			i++
			continue
		}
		n := clean(s[i:], m)
		if n == 0 {
			return i
		}
		i += n
	}
	return i
}

// clean returns the length of the character s starts with when it stays
// as it is, 0 when it needs escaping.
func clean(s string, m escapeMode) int {
	if c := s[0]; c < utf8.RuneSelf {
		if asciiClean(c, m) {
			return 1
		}
		return 0
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 || r < 0xa0 {
		return 0 // invalid, or a C1 control
	}
	return n
}

func asciiClean(c byte, m escapeMode) bool { return asciiNeeds[c]&^m == 0 }

// asciiNeeds holds, per ASCII byte, the modes that keep it unescaped:
// none for printable characters, never (a bit no mode has) for controls.
var asciiNeeds = func() (t [utf8.RuneSelf]escapeMode) {
	const never = 0x80
	for c := range t {
		switch {
		case c == '\\':
			t[c] = keepBackslash
		case c == '\t' || c == '\n' || c == '\r':
			t[c] = keepLines
		case c < 0x20 || c == 0x7f:
			t[c] = never
		}
	}
	return t
}()

// ErrBadEscape reports a backslash that starts neither \\ nor \xNN.
var ErrBadEscape = errors.New(`bad escape: a backslash starts \\ or \xNN`)

// UnescapeWire returns the wire bytes a record string stands for (the
// inverse of WireString, WireBytes and WireText).
func UnescapeWire(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x' && isHex(s[i+2]) && isHex(s[i+3]):
			out = append(out, unhex(s[i+2])<<4|unhex(s[i+3]))
			i += 3
		default:
			return out, fmt.Errorf("at byte %d: %w", i, ErrBadEscape)
		}
	}
	return out, nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// CheckStrings returns an error naming the first string of m (in any
// nested message, list or map, keys too) that is not in escaped form: not
// valid UTF-8, a control character, or a backslash that starts no escape.
// Decoder tests run it on every record they get.
func CheckStrings(m proto.Message) error {
	return checkMessage(m.ProtoReflect())
}

func checkMessage(r protoreflect.Message) error {
	var err error
	r.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		err = checkField(fd, v)
		return err == nil
	})
	return err
}

func checkField(fd protoreflect.FieldDescriptor, v protoreflect.Value) error {
	switch {
	case fd.IsMap():
		var err error
		v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
			if err = checkValue(fd.MapKey(), k.Value()); err == nil {
				err = checkValue(fd.MapValue(), mv)
			}
			return err == nil
		})
		return err
	case fd.IsList():
		l := v.List()
		for i := range l.Len() {
			if err := checkValue(fd, l.Get(i)); err != nil {
				return err
			}
		}
		return nil
	}
	return checkValue(fd, v)
}

func checkValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) error {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return checkMessage(v.Message())
	case protoreflect.StringKind:
		s := v.String()
		m := escapeMode(0)
		if TextFields[fd.FullName()] {
			m = keepLines
		}
		if escape(s, m|keepBackslash) != s {
			return fmt.Errorf("%s holds %q: not escaped", fd.FullName(), s)
		}
		if _, err := UnescapeWire(s); err != nil {
			return fmt.Errorf("%s holds %q: %w", fd.FullName(), s, err)
		}
	}
	return nil
}
