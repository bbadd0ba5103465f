// Package tsharktest runs tshark, Wireshark's command-line dissector, for
// the tests that compare our records with it: every test that reads a
// capture with tshark goes through here. It holds
//
//   - Run, tshark with the caller's arguments and its output as is;
//   - Fields, tshark's -T fields output split into frames and occurrences
//     (ReadFields for goroutines, JSONFields for -T json -e);
//   - PDML, the -T pdml output as a tree, for fields that only make sense
//     together (the fields of one DNS record, one TLV, one AVP);
//   - Conversations, the -z conv table;
//   - Case and Compare: one record type's fields against tshark's, with
//     converters, checked as multisets and reported with frame numbers;
//   - Normalize and EpochNanos, which bring tshark's renderings to ours.
//
// Finding tshark (and skipping, or failing under NETCAP_CI, when it is
// missing) is internal/testutil's.
package tsharktest

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/testutil"
)

// Run runs tshark with args and returns what it writes to standard
// output. When tshark fails, the test fails with tshark's error output.
func Run(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := output(testutil.Tshark(t), args)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// output runs the tshark at path; its error names the arguments and holds
// what tshark wrote to standard error. The output is returned with the
// error too: tshark exits 2 on a capture that ends in a cut packet after
// printing the packets before it.
func output(path string, args []string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("tshark %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// readArgs are the arguments that make tshark read pcap without name
// resolution (addresses and ports stay numbers, as in our records) and
// keep the packets filter selects (all when filter is "").
func readArgs(pcap, filter string) []string {
	args := []string{"-r", pcap, "-n"}
	if filter != "" {
		args = append(args, "-Y", filter)
	}
	return args
}
