package io_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math/rand/v2"
	"testing"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

// TestCSVEncoderMatchesEncodingCSV: lines come out as encoding/csv's
// Writer writes them, for fields that need quoting (separators, quotes,
// line ends, leading spaces of any kind, the \. marker) and fields that
// do not, with one-byte, tab and multi-byte separators.
func TestCSVEncoderMatchesEncodingCSV(t *testing.T) {
	pieces := []string{"", "a", "1.5", ",", ";", "\t", "\"", "\r", "\n", " ", "\u00a0", "\u2003", "\u0085", "§", "é",
		`\.`, `\`, ".", "(2;4;05b4)", "x y", "\xff", "\xc2"}
	r := rand.New(rand.NewPCG(9, 10))
	field := func() string {
		if r.IntN(5) == 0 {
			return pieces[r.IntN(len(pieces))] // \. alone, or a separator alone
		}
		var s string
		for range r.IntN(4) {
			s += pieces[r.IntN(len(pieces))]
		}
		return s
	}
	for _, sep := range []rune{',', ';', '\t', ' ', '§', '\u2003'} {
		enc, err := ncio.NewCSVEncoder(sep)
		if err != nil {
			t.Fatal(err)
		}
		for range 3000 {
			fields := make([]string, r.IntN(5))
			row := types.TextRow{Sep: string(sep)}
			if r.IntN(4) == 0 {
				row.Sep = "|" // not the separator: encoded column by column
			}
			for i := range fields {
				fields[i] = field()
				row.AppendColumn(fields[i])
			}
			var want bytes.Buffer
			w := csv.NewWriter(&want)
			w.Comma = sep
			w.Write(fields)
			w.Flush()
			if got := enc.AppendRow(nil, &row); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("separator %q, fields %q:\n got %q\nwant %q", sep, fields, got, want.Bytes())
			}
			if got := enc.AppendStrings(nil, fields); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("AppendStrings, separator %q, fields %q:\n got %q\nwant %q", sep, fields, got, want.Bytes())
			}
		}
	}
	for _, sep := range []rune{0, '"', '\r', '\n', 0xfffd, -1} {
		if _, err := ncio.NewCSVEncoder(sep); !errors.Is(err, ncio.ErrInvalidSeparator) {
			t.Errorf("separator %q: %v", sep, err)
		}
	}
}
