package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	ncio "github.com/netcap-go/netcap/io"
	"github.com/netcap-go/netcap/types"
)

type utilOptions struct {
	read       string
	out        string
	check      bool
	repair     bool
	ts2utc     string
	utc2ts     string
	interfaces bool
	version    bool
	env        bool
	merge      bool
	split      time.Duration
}

func newUtilCmd(root *rootOptions) *cobra.Command {
	o := &utilOptions{}
	cmd := &cobra.Command{
		Use:   "util",
		Short: "Check and repair record files, convert timestamps, merge and split files, show the build",
		Example: `  net util -check -read traffic_ncap            # every record of every file; exit 1 on damage
  net util -check -repair -read TCP.ncap.gz       # also write the readable prefix to TCP.repaired.ncap.gz
  net util -ts2utc 1499255023.848884
  net util -utc2ts 2017-07-05T11:43:43.848884Z
  net util -merge -read a/TCP.ncap.gz,b/TCP.ncap.gz -out all/TCP.ncap.gz
  net util -split 1h -read TCP.ncap.gz -out hourly
  net util -version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runUtil(cmd.OutOrStdout(), o) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.read, "read", "r", "", "record file or directory, subdirectories too (-merge: comma-separated files)")
	f.StringVarP(&o.out, "out", "o", "", "output: the merged file (-merge) or a directory (-split)")
	f.BoolVar(&o.check, "check", false, "validate record files: header, compression, framing, every record decodes and belongs to the header's type")
	f.BoolVar(&o.repair, "repair", false, "with -check: write the readable prefix of a damaged file to <Type>.repaired.ncap.gz")
	f.StringVar(&o.ts2utc, "ts2utc", "", "convert seconds.fraction (Netcap's timestamps) to UTC")
	f.StringVar(&o.utc2ts, "utc2ts", "", "convert an RFC 3339 time to seconds.fraction")
	f.BoolVar(&o.interfaces, "interfaces", false, "list the network interfaces")
	f.BoolVar(&o.version, "version", false, "print version, commit, build date, Go version and build tags")
	f.BoolVar(&o.env, "env", false, "print the NC_ environment variables (flags set from the environment)")
	f.BoolVar(&o.merge, "merge", false, "merge record files of one type (-read a,b,…) into -out, by record time")
	f.DurationVar(&o.split, "split", 0, "split the record file -read into one file per interval of record time (e.g. 1h) in -out")
	return cmd
}

func runUtil(w io.Writer, o *utilOptions) error {
	switch {
	case o.ts2utc != "":
		ns, err := types.ParseUnixTime(o.ts2utc)
		if err != nil {
			return fmt.Errorf("util: -ts2utc %w", err)
		}
		fmt.Fprintln(w, types.FormatUTC(ns))
	case o.utc2ts != "":
		ns, err := types.ParseUTC(o.utc2ts)
		if err != nil {
			return fmt.Errorf("util: -utc2ts: %w", err)
		}
		fmt.Fprintln(w, types.FormatUnixTime(ns))
	case o.interfaces:
		return listInterfaces(w)
	case o.version:
		printVersion(w)
	case o.env:
		var vars []string
		for _, kv := range os.Environ() {
			if strings.HasPrefix(kv, "NC_") {
				vars = append(vars, kv)
			}
		}
		sort.Strings(vars)
		for _, kv := range vars {
			fmt.Fprintln(w, kv)
		}
	case o.check:
		return checkFiles(w, o)
	case o.merge:
		if o.read == "" || o.out == "" {
			return errors.New("util: -merge needs -read a,b,… and -out FILE")
		}
		n, err := ncio.MergeFiles(o.out, splitList(o.read))
		if err != nil {
			return fmt.Errorf("util: -merge: %w", err)
		}
		fmt.Fprintf(w, "%s: %d records\n", o.out, n)
	case o.split > 0:
		if o.read == "" || o.out == "" {
			return errors.New("util: -split needs -read FILE and -out DIR")
		}
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
		files, err := ncio.SplitFile(o.read, o.out, o.split)
		for _, f := range files {
			fmt.Fprintln(w, f)
		}
		if err != nil {
			return fmt.Errorf("util: -split: %w", err)
		}
	default:
		return errors.New("util: nothing to do: -check, -ts2utc, -utc2ts, -interfaces, -version, -env, -merge or -split")
	}
	return nil
}

func checkFiles(w io.Writer, o *utilOptions) error {
	files, _, err := recordFiles(o.read)
	if err != nil {
		return fmt.Errorf("util: %w", err)
	}
	damaged := 0
	for _, f := range files {
		if strings.Contains(filepath.Base(f), ".repaired.") {
			continue
		}
		res := ncio.CheckFile(f)
		if res.OK() {
			fmt.Fprintf(w, "ok       %-40s %-20s %d records\n", f, res.Type.Name(), res.Records)
			continue
		}
		damaged++
		fmt.Fprintf(w, "DAMAGED  %-40s %-20s %d good records, then %v\n", f, res.Type.Name(), res.Records, res.Err)
		if o.repair {
			dst := ncio.RepairedName(f)
			n, err := ncio.RepairFile(f, dst)
			if err != nil {
				fmt.Fprintf(w, "         repair failed: %v\n", err)
				continue
			}
			fmt.Fprintf(w, "         repaired: %s holds the %d readable records\n", dst, n)
		}
	}
	if damaged > 0 {
		return fmt.Errorf("util: %d of %d files damaged", damaged, len(files))
	}
	return nil
}

// Set by the Makefile (-ldflags -X).
var commit, buildDate string

func printVersion(w io.Writer) {
	commit, date, tags, modified := cmp.Or(commit, "unknown"), cmp.Or(buildDate, "unknown"), "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				date = s.Value // Go's own stamp wins when it is there
			case "vcs.modified":
				modified = s.Value == "true"
			case "-tags":
				tags = s.Value
			}
		}
	}
	if modified {
		commit += " (modified)"
	}
	if tags == "" {
		tags = "none (pure Go)"
	}
	fmt.Fprintf(w, "netcap %s\ncommit     %s\nbuild date %s\ngo         %s %s/%s\nbuild tags %s\n",
		types.Version, commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH, tags)
}
