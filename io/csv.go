package io

import (
	"bytes"
	"errors"
	"unicode"
	"unicode/utf8"

	"github.com/netcap-go/netcap/types"
)

// CSVEncoder appends CSV lines exactly as encoding/csv's Writer writes
// them (with \n line ends), from the columns of a types.TextRow: the
// Writer takes a string per column, which costs an allocation per column
// of every record.
type CSVEncoder struct {
	comma     rune
	commaText []byte
}

// ErrInvalidSeparator is the error for a separator that cannot separate
// CSV fields (a quote, a line end, NUL or an invalid character).
var ErrInvalidSeparator = errors.New("invalid CSV separator")

// NewCSVEncoder returns an encoder that separates fields by comma.
func NewCSVEncoder(comma rune) (*CSVEncoder, error) {
	if comma == 0 || comma == '"' || comma == '\r' || comma == '\n' || !utf8.ValidRune(comma) || comma == utf8.RuneError {
		return nil, ErrInvalidSeparator
	}
	return &CSVEncoder{comma: comma, commaText: utf8.AppendRune(nil, comma)}, nil
}

// AppendRow appends row's columns as one line to b.
func (e *CSVEncoder) AppendRow(b []byte, row *types.TextRow) []byte {
	if row.Sep == string(e.commaText) && e.plain(row) {
		b = append(b, row.Text...)
		return append(b, '\n')
	}
	for i := range row.Len() {
		if i > 0 {
			b = append(b, e.commaText...)
		}
		b = e.appendField(b, row.Column(i))
	}
	return append(b, '\n')
}

// plain reports whether no column of row, whose columns are separated by
// the encoder's separator, is quoted: then the row's text is the line.
// Most rows are; a search of the whole row for the bytes that make a
// field quoted leaves only the first byte of each column to look at.
func (e *CSVEncoder) plain(row *types.TextRow) bool {
	text := row.Text
	if bytes.IndexByte(text, '"') >= 0 || bytes.IndexByte(text, '\n') >= 0 || bytes.IndexByte(text, '\r') >= 0 ||
		bytes.Count(text, e.commaText) != row.Len()-1 {
		return false // a column holds one, or a separator
	}
	for i := range row.Len() {
		if c := row.Column(i); len(c) > 0 && mayStartQuoted[c[0]] && e.needsQuotes(c) {
			return false
		}
	}
	return true
}

// anyQuoted reports whether field holds a byte that makes it quoted.
func (e *CSVEncoder) anyQuoted(field []byte) bool {
	return bytes.IndexByte(field, '"') >= 0 || bytes.IndexByte(field, '\n') >= 0 || bytes.IndexByte(field, '\r') >= 0 ||
		bytes.Contains(field, e.commaText)
}

// mayStartQuoted holds the first bytes of the fields that may be quoted
// for how they start (a space character, \.).
var mayStartQuoted = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= utf8.RuneSelf || c == '\\' || asciiSpace[c]
	}
	return t
}()

// AppendStrings appends fields (a header line) as one line to b.
func (e *CSVEncoder) AppendStrings(b []byte, fields []string) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, e.commaText...)
		}
		b = e.appendField(b, []byte(f))
	}
	return append(b, '\n')
}

// appendField appends one field, quoted when encoding/csv quotes it.
func (e *CSVEncoder) appendField(b, field []byte) []byte {
	if e.needsQuotes(field) {
		return appendQuoted(b, field)
	}
	return append(b, field...)
}

// appendQuoted appends field in quotes, a quote inside doubled.
func appendQuoted(b, field []byte) []byte {
	b = append(b, '"')
	for _, c := range field {
		if c == '"' {
			b = append(b, '"')
		}
		b = append(b, c)
	}
	return append(b, '"')
}

// needsQuotes is encoding/csv's rule: a field holding the separator, a
// quote, CR or LF, starting with a space character, or the Postgres end
// of data marker \. is quoted; the empty field is not.
func (e *CSVEncoder) needsQuotes(field []byte) bool {
	if len(field) == 0 {
		return false
	}
	if e.anyQuoted(field) {
		return true
	}
	switch c := field[0]; {
	case c == '\\':
		return string(field) == `\.`
	case c < utf8.RuneSelf:
		return asciiSpace[c]
	}
	r, _ := utf8.DecodeRune(field)
	return unicode.IsSpace(r)
}

// asciiSpace holds the ASCII characters unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}
