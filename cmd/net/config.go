package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	ncio "github.com/netcap-go/netcap/io"
)

// Configuration as Netcap had it: every flag of a command can also come
// from the environment as NC_<FLAG> (upper case, "-" as "_", e.g.
// NC_READ, NC_CONN_TIMEOUT) and from a -config file of "name value"
// lines (# comments); a flag on the command line wins over the
// environment, which wins over the file. -gen-config prints such a file
// with the command's defaults.

// errDone ends a run successfully before the command's own work (after
// -gen-config printed the configuration).
var errDone = errors.New("done")

// EnvName is the environment variable of a flag.
func envName(flag string) string {
	return "NC_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// skipConfig are flags the configuration layer leaves alone.
var skipConfig = map[string]bool{"config": true, "gen-config": true, "help": true, "version": true}

// applyConfig fills the flags of cmd that were not given on the command
// line from the environment, then from the config file.
func applyConfig(cmd *cobra.Command, file string, getenv func(string) string) error {
	var fromFile map[string]string
	if file != "" {
		var err error
		if fromFile, err = readConfigFile(file); err != nil {
			return err
		}
		known := map[string]bool{}
		cmd.Flags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		for name := range fromFile {
			if !known[name] {
				return fmt.Errorf("-config %s: %q is no flag of net %s", file, name, cmd.Name())
			}
		}
	}
	var errs []error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || skipConfig[f.Name] {
			return
		}
		v, ok := getenv(envName(f.Name)), false
		if v != "" {
			ok = true
		} else if fv, in := fromFile[f.Name]; in {
			v, ok = fv, true
		}
		if !ok {
			return
		}
		if err := cmd.Flags().Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("-%s from %s or -config: %w", f.Name, envName(f.Name), err))
		}
	})
	return errors.Join(errs...)
}

func readConfigFile(path string) (map[string]string, error) {
	out := map[string]string{}
	err := ncio.EachLine(path, func(n int, line string) error {
		name, value, _ := strings.Cut(line, " ")
		name = strings.TrimLeft(strings.TrimSuffix(name, "="), "-")
		if k, v, ok := strings.Cut(name, "="); ok { // name=value
			name, value = k, v
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		if name == "" {
			return fmt.Errorf("%s:%d: want \"name value\"", path, n)
		}
		out[name] = value
		return nil
	})
	return out, err
}

// writeConfig prints the command's flags with their defaults as a config file.
func writeConfig(w io.Writer, cmd *cobra.Command) {
	fmt.Fprintf(w, "# net %s configuration: \"name value\" lines; every flag also as NC_<NAME> in the environment.\n", cmd.Name())
	fmt.Fprintln(w, "# Precedence: command line, then environment, then this file.")
	var flags []*pflag.Flag
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !skipConfig[f.Name] && !f.Hidden {
			flags = append(flags, f)
		}
	})
	sort.Slice(flags, func(i, j int) bool { return flags[i].Name < flags[j].Name })
	for _, f := range flags {
		fmt.Fprintf(w, "\n# %s\n%s %s\n", f.Usage, f.Name, defaultText(f))
	}
}

func defaultText(f *pflag.Flag) string {
	v := f.DefValue
	if f.Value.Type() == "stringSlice" {
		v = strings.Trim(v, "[]")
	}
	if v == "" || strings.ContainsAny(v, " #") {
		return `"` + v + `"`
	}
	return v
}
