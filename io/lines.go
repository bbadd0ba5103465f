package io

import (
	"bufio"
	"os"
	"strings"
)

// EachLine calls fn with every line of a small settings file (a -config
// file, a key or user list), trimmed, skipping blank lines and "#"
// comments; n is the line number, for messages. fn's error stops the read.
func EachLine(path string, fn func(n int, line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if err := fn(n, l); err != nil {
			return err
		}
	}
	return sc.Err()
}
