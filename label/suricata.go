package label

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// SuricataConfig says how to run Suricata on a capture.
type SuricataConfig struct {
	Binary  string // default "suricata" from PATH
	Config  string // -suricata-config: a suricata.yaml; default: a minimal one we write
	Rules   string // -rules: a rule file; default: the config's own rule files
	LogDir  string // where eve.json goes
	Pcap    string
	Verbose bool
}

// ErrNoSuricata is returned when Suricata is not installed.
var ErrNoSuricata = errors.New("suricata not found in PATH: install it (Debian: apt install suricata, from bookworm-backports for 7.x) or give existing alerts with -alerts eve.json|fast.log")

// minimalConfig is what we pass when the user gives no config: alerts
// only, in eve.json with Community IDs (the join key) and in fast.log.
// The app-layer parsers Suricata enables by default stay on.
const minimalConfig = `%%YAML 1.1
---
default-log-dir: %s
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      community-id: true
      community-id-seed: 0
      types:
        - alert:
            metadata: yes
  - fast:
      enabled: yes
      filename: fast.log
%s`

// RunSuricata runs `suricata -r` on the capture and returns the path of
// the eve.json it wrote. With a user config the Community ID is switched
// on with --set on the eve-log output, if the config has one.
func RunSuricata(ctx context.Context, c SuricataConfig) (string, error) {
	bin := c.Binary
	if bin == "" {
		bin = "suricata"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", ErrNoSuricata
	}
	if err := os.MkdirAll(c.LogDir, 0o755); err != nil {
		return "", err
	}
	eve := filepath.Join(c.LogDir, "eve.json")
	os.Remove(eve) // Suricata appends
	os.Remove(filepath.Join(c.LogDir, "fast.log"))
	args := []string{"-r", c.Pcap, "-l", c.LogDir, "-k", "none"}
	cfg := c.Config
	if cfg == "" {
		cfg = filepath.Join(c.LogDir, "suricata-netcap.yaml")
		extra := ""
		for _, f := range [][2]string{{"classification-file", "classification.config"}, {"reference-config-file", "reference.config"}, {"threshold-file", "threshold.config"}} {
			if p := filepath.Join("/etc/suricata", f[1]); fileExists(p) {
				extra += f[0] + ": " + p + "\n"
			}
		}
		if err := os.WriteFile(cfg, fmt.Appendf(nil, minimalConfig, c.LogDir, extra), 0o644); err != nil {
			return "", err
		}
	} else {
		if _, err := os.Stat(cfg); err != nil {
			return "", fmt.Errorf("-suricata-config: %w", err)
		}
		if i, ok := eveOutputIndex(cfg); ok {
			args = append(args, "--set", fmt.Sprintf("outputs.%d.eve-log.community-id=true", i))
		}
	}
	args = append(args, "-c", cfg)
	if c.Rules != "" {
		if _, err := os.Stat(c.Rules); err != nil {
			return "", fmt.Errorf("-rules: %w", err)
		}
		args = append(args, "-S", c.Rules)
	} else if c.Config == "" {
		return "", errors.New("no rules: give a rule file with -rules FILE (or a suricata.yaml that names its rule files with -suricata-config)")
	}
	cmd := exec.CommandContext(ctx, path, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if c.Verbose {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	}
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("suricata %s: %w\n%s", strings.Join(args, " "), err, lastLines(out.String(), 20))
	}
	if _, err := os.Stat(eve); err != nil {
		return "", fmt.Errorf("suricata wrote no %s (is the eve-log output enabled in the config?)", eve)
	}
	return eve, nil
}

// eveOutputIndex finds the position of the eve-log output in a
// suricata.yaml's outputs list (for --set), reading only the structure
// Suricata's own config uses: "outputs:" then "  - name:" items.
func eveOutputIndex(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	in, idx := false, -1
	for line := range strings.SplitSeq(string(b), "\n") {
		t := strings.TrimRight(line, " \r")
		switch {
		case t == "outputs:":
			in = true
		case in && len(t) > 0 && t[0] != ' ' && t[0] != '#':
			return 0, false
		case in && strings.HasPrefix(strings.TrimLeft(t, " "), "- "):
			if lead := len(t) - len(strings.TrimLeft(t, " ")); lead <= 2 {
				idx++
				if strings.HasPrefix(strings.TrimSpace(strings.TrimLeft(t, " ")[2:]), "eve-log:") {
					return idx, true
				}
			}
		}
	}
	return 0, false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
