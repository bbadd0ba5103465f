package main

import (
	"slices"
	"testing"
)

func TestNormalizeArgs(t *testing.T) {
	root := newRootCmd()
	cases := []struct{ in, want []string }{
		{[]string{"capture", "-read", "x.pcap", "-out", "o"}, []string{"capture", "--read", "x.pcap", "--out", "o"}},
		{[]string{"capture", "-compress=false", "-workers", "8"}, []string{"capture", "--compress=false", "--workers", "8"}},
		{[]string{"capture", "-r", "x.pcap", "--out", "o", "-q"}, []string{"capture", "-r", "x.pcap", "--out", "o", "-q"}},
		// A value is never rewritten, even when it looks like a flag.
		{[]string{"dump", "-read", "-", "-select", "-read"}, []string{"dump", "--read", "-", "--select", "-read"}},
		{[]string{"dump", "-sep", "-json", "-json"}, []string{"dump", "--sep", "-json", "--json"}},
		// Persistent flags of the root work on subcommands.
		{[]string{"dump", "-debug", "-json"}, []string{"dump", "--debug", "--json"}},
		// Unknown names are left for cobra to reject.
		{[]string{"dump", "-nope"}, []string{"dump", "-nope"}},
		{[]string{"capture", "--", "-read"}, []string{"capture", "--", "-read"}},
	}
	for _, c := range cases {
		if got := normalizeArgs(root, c.in); !slices.Equal(got, c.want) {
			t.Errorf("normalizeArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
