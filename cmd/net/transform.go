package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/netcap-go/netcap/maltego"
)

func newTransformCmd(root *rootOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "transform NAME VALUE [k=v#k=v…] | -generate-config OUT.mtz [-binary PATH] [-workdir DIR]",
		Short: "Maltego local transforms over audit records",
		Long: `transform runs a Maltego local transform: Maltego calls
  net transform <name> <entity value> <k=v#k=v properties>
and reads the XML answer on stdout (nothing else is written there; errors
become Maltego exception messages). The entity's "path" property names a
record file or folder ("file://" allowed).

net transform -generate-config netcap.mtz writes the configuration archive
to import into Maltego (entities, transforms pointing at this binary, the
Netcap transform set). -list prints the transforms.`,
		DisableFlagParsing: true, // entity values may start with "-"
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTransform(cmd.OutOrStdout(), args)
		},
	}
	return cmd
}

func runTransform(stdout io.Writer, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("transform: give a transform name (net transform -list) or -generate-config OUT.mtz")
	}
	switch strings.TrimLeft(args[0], "-") {
	case "generate-config":
		return generateConfig(stdout, args[1:])
	case "list":
		for _, t := range maltego.Transforms() {
			fmt.Fprintf(stdout, "%-28s %-32s %s\n", t.Name, t.Input, t.Description)
		}
		return nil
	case "h", "help":
		fmt.Fprintln(stdout, "net transform NAME VALUE [k=v#k=v…] | -generate-config OUT.mtz [-binary PATH] [-workdir DIR] | -list")
		return nil
	}
	// From here on stdout belongs to Maltego: the answer is built in
	// memory and written at once, errors and panics become exceptions.
	var out bytes.Buffer
	func() {
		defer func() {
			if r := recover(); r != nil {
				out.Reset()
				maltego.WriteException(&out, fmt.Sprintf("transform %s failed: %v", args[0], r))
			}
		}()
		t, ok := maltego.Lookup(args[0])
		if !ok {
			maltego.WriteException(&out, "Unknown transform: "+args[0])
			return
		}
		bin, err := os.Executable()
		if err != nil {
			bin = os.Args[0]
		}
		res, err := t.Run(&maltego.Context{Args: maltego.ParseArgs(args[1:]), Binary: bin})
		if err != nil {
			maltego.WriteException(&out, t.Name+": "+err.Error())
			return
		}
		if err := res.Write(&out); err != nil {
			out.Reset()
			maltego.WriteException(&out, err.Error())
		}
	}()
	_, err := stdout.Write(out.Bytes())
	return err
}

func generateConfig(stdout io.Writer, args []string) error {
	var out, bin, workdir string
	for i := 0; i < len(args); i++ {
		a := strings.TrimLeft(args[i], "-")
		val := ""
		if k, v, ok := strings.Cut(a, "="); ok {
			a, val = k, v
		} else if i+1 < len(args) {
			val = args[i+1]
		}
		switch {
		case a == "binary" || a == "workdir":
			if !strings.Contains(args[i], "=") {
				i++
			}
			if a == "binary" {
				bin = val
			} else {
				workdir = val
			}
		case out == "" && !strings.HasPrefix(args[i], "-"):
			out = args[i]
		default:
			return fmt.Errorf("transform -generate-config: unexpected %q", args[i])
		}
	}
	if out == "" {
		out = "netcap.mtz"
	}
	if bin == "" {
		if b, err := os.Executable(); err == nil {
			bin = b
		} else {
			bin = "/usr/local/bin/net"
		}
	}
	if workdir == "" {
		workdir = os.TempDir()
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := maltego.GenerateConfig(f, bin, workdir); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	abs, _ := filepath.Abs(out)
	fmt.Fprintf(stdout, "wrote %s (%d entities, %d transforms running %s); import it in Maltego: Import | Import Config\n",
		abs, len(maltego.Entities()), len(maltego.Transforms()), bin)
	return nil
}
