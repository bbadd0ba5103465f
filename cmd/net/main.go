// Command net turns network packets into typed audit records and reads
// them back. One file per subcommand, each flag wiring only: it turns
// options into the packages' configurations and prints what they return;
// the logic lives in the packages.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the command line and returns the exit status.
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(normalizeArgs(root, args))
	if err := root.Execute(); err != nil {
		if errors.Is(err, errDone) {
			return 0
		}
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.err != nil {
				fmt.Fprintf(os.Stderr, "net: %v\n", ee.err)
			}
			return ee.code
		}
		fmt.Fprintf(os.Stderr, "net: %v\n", err)
		return 1
	}
	return 0
}
