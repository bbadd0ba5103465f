// Package testutil finds test inputs: the repository's testdata, the shared
// captures next to the repository (../shared/pcaps, present on the team's
// machines and in CI, absent in a user's clone), and tshark; and holds
// sample records for benchmarks.
package testutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	rootOnce sync.Once
	root     string
)

// RepoRoot returns the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				root = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return
			}
			dir = parent
		}
	})
	if root == "" {
		t.Fatal("cannot find the repository root (go.mod)")
	}
	return root
}

// Testdata returns the path of a file under the repository's testdata/.
func Testdata(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "testdata", rel)
}

func sharedDir(t testing.TB) string {
	if dir := os.Getenv("NETCAP_SHARED_PCAPS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(t), "..", "shared", "pcaps")
}

// SharedIfPresent returns the path of a shared capture and whether it
// exists, without skipping: for tests that add shared captures to their own.
func SharedIfPresent(t testing.TB, rel string) (string, bool) {
	t.Helper()
	p := filepath.Join(sharedDir(t), rel)
	_, err := os.Stat(p)
	return p, err == nil
}

// SharedDir returns the shared captures directory: $NETCAP_SHARED_PCAPS, or
// ../shared/pcaps next to the repository. It skips the test when absent.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := sharedDir(t)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("shared captures not found at %s (set NETCAP_SHARED_PCAPS): skipping the comparison on public captures", dir)
	}
	return dir
}

// Shared returns the path of a capture under the shared directory, e.g.
// "public/tcpdump/vxlan.pcap"; it skips the test when it is absent.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(SharedDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared capture %s not found: skipping", p)
	}
	return p
}

// Tshark returns the path of tshark (see Tool).
func Tshark(t testing.TB) string {
	t.Helper()
	return Tool(t, "tshark", "tshark")
}

// Tool returns the path of an external program a test compares with. When
// it is missing the test is skipped, unless NETCAP_CI is set (.ci/run sets
// it, after installing everything), where it fails.
func Tool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("NETCAP_CI") != "" {
			t.Fatalf("%s is required (NETCAP_CI is set) but not installed: apt-get install %s", name, debianPackage)
		}
		t.Skipf("%s not installed: skipping (make deps installs it)", name)
	}
	return p
}
