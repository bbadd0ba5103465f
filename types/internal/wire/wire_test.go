package wire

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestValidUTF8: ValidUTF8 agrees with utf8.ValidString on ASCII strings
// of every length up to past the byte loop's, with a multi-byte character,
// a truncated one or an invalid byte at every position.
func TestValidUTF8(t *testing.T) {
	for n := range 70 {
		ascii := strings.Repeat("a", n)
		if !ValidUTF8(ascii) {
			t.Fatalf("%q refused", ascii)
		}
		for at := range n + 1 {
			for _, insert := range []string{"é", "\u2028", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80"} {
				s := ascii[:at] + insert + ascii[at:]
				if got, want := ValidUTF8(s), utf8.ValidString(s); got != want {
					t.Fatalf("%q: %v, want %v", s, got, want)
				}
			}
		}
	}
}
