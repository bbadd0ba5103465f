package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	ncio "github.com/netcap-go/netcap/io"
)

// normalizeArgs lets Netcap users keep typing single-dash long flags
// (-read x.pcap, -compress=false): an argument "-name" becomes "--name"
// when the command being run has a long flag of that name. Shorthands
// (-r) and GNU style (--read) pass unchanged, and so do flag values.
func normalizeArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		cmd = root
	}
	lookup := func(name string) *pflag.Flag {
		if f := cmd.Flags().Lookup(name); f != nil {
			return f
		}
		if f := cmd.InheritedFlags().Lookup(name); f != nil {
			return f
		}
		return root.PersistentFlags().Lookup(name)
	}
	out := make([]string, 0, len(args))
	valueNext := false
	for i, a := range args {
		if valueNext {
			out = append(out, a)
			valueNext = false
			continue
		}
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		switch {
		case strings.HasPrefix(a, "--"):
			name, _, hasValue := strings.Cut(a[2:], "=")
			if f := lookup(name); f != nil && !hasValue && f.NoOptDefVal == "" {
				valueNext = true
			}
		case len(a) > 2 && a[0] == '-':
			name, _, hasValue := strings.Cut(a[1:], "=")
			if len(name) > 1 {
				if f := lookup(name); f != nil {
					a = "-" + a
					if !hasValue && f.NoOptDefVal == "" {
						valueNext = true
					}
				}
			}
		case len(a) == 2 && a[0] == '-':
			if f := cmd.Flags().ShorthandLookup(a[1:]); f != nil && f.NoOptDefVal == "" {
				valueNext = true
			}
		}
		out = append(out, a)
	}
	return out
}

// compressionFlag turns -compress and -compression into a Compression.
func compressionFlag(compress bool, name string) (ncio.Compression, error) {
	if !compress {
		return ncio.None, nil
	}
	return ncio.ParseCompression(name)
}
