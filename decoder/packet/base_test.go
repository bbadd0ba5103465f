package packet_test

import (
	"strconv"
)

// div4 turns a length in bytes into 32-bit words (header length fields).
func div4(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil {
		return v
	}
	return strconv.Itoa(n / 4)
}
