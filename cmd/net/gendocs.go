package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newGenDocsCmd writes man pages, Markdown pages and shell completions
// (make docs). Hidden: it is for packagers and the repository's docs/.
func newGenDocsCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:    "gendocs DIR",
		Short:  "Write man pages (DIR/man), a Markdown page per subcommand (DIR) and shell completions (DIR/completions)",
		Args:   cobra.ExactArgs(1),
		Hidden: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			for _, d := range []string{dir, filepath.Join(dir, "man"), filepath.Join(dir, "completions")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return err
				}
			}
			root.DisableAutoGenTag = true // no date: regenerated docs only change when the commands do
			if err := doc.GenManTree(root, &doc.GenManHeader{Title: "NET", Section: "1", Source: "netcap", Manual: "netcap manual"}, filepath.Join(dir, "man")); err != nil {
				return err
			}
			if err := doc.GenMarkdownTree(root, dir); err != nil {
				return err
			}
			for name, gen := range map[string]func(string) error{
				"net.bash": root.GenBashCompletionFile,
				"_net":     root.GenZshCompletionFile,
				"net.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
				"net.ps1":  root.GenPowerShellCompletionFile,
			} {
				if err := gen(filepath.Join(dir, "completions", name)); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (Markdown), %s, %s\n", dir, filepath.Join(dir, "man"), filepath.Join(dir, "completions"))
			return nil
		},
	}
}
