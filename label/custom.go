package label

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// CustomFile is the YAML of -custom: known attacks as time windows and
// addresses, for labels no IDS rule gives (a red-team log, a scenario's
// schedule). Example:
//
//	location: Europe/Berlin        # zone of times without an offset (default UTC)
//	timeFormat: "2006-01-02 15:04:05"  # Go layout of start/end (default RFC 3339)
//	attacks:
//	  - name: SSH brute force      # the label
//	    category: credential-access
//	    severity: 1                # 1 is the most severe (default 1)
//	    start: "2026-11-26 11:52:00"
//	    end:   "2026-11-26 11:53:00"
//	    attackers: [10.0.0.5]      # with victims: a record between an attacker and a victim
//	    victims: [192.168.1.0/24]
//	    ips: [10.0.0.9]            # or: any record with this address on either side
//	    proto: TCP                 # optional
//
// Times may also be Unix seconds ("1499255023.848884").
type CustomFile struct {
	Location   string         `yaml:"location"`
	TimeFormat string         `yaml:"timeFormat"`
	Attacks    []CustomAttack `yaml:"attacks"`
}

// CustomAttack is one labelled window.
type CustomAttack struct {
	Name      string   `yaml:"name"`
	Category  string   `yaml:"category"`
	Severity  int      `yaml:"severity"`
	Start     string   `yaml:"start"`
	End       string   `yaml:"end"`
	IPs       []string `yaml:"ips"`
	Attackers []string `yaml:"attackers"`
	Victims   []string `yaml:"victims"`
	Proto     string   `yaml:"proto"`
	MITRE     string   `yaml:"mitre"`
}

// ReadCustom reads a -custom YAML file into alerts.
func ReadCustom(path string) ([]*Alert, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCustom(b)
}

// ParseCustom parses the YAML of a -custom file.
func ParseCustom(b []byte) ([]*Alert, error) {
	var cf CustomFile
	if err := yaml.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("custom labels: %w", err)
	}
	loc := time.UTC
	if cf.Location != "" {
		l, err := time.LoadLocation(cf.Location)
		if err != nil {
			return nil, fmt.Errorf("custom labels: location: %w", err)
		}
		loc = l
	}
	var out []*Alert
	for i, at := range cf.Attacks {
		where := fmt.Sprintf("custom labels: attack %d (%q)", i+1, at.Name)
		if at.Name == "" {
			return nil, fmt.Errorf("%s: no name", where)
		}
		start, err := parseCustomTime(at.Start, cf.TimeFormat, loc)
		if err != nil {
			return nil, fmt.Errorf("%s: start: %w", where, err)
		}
		end, err := parseCustomTime(at.End, cf.TimeFormat, loc)
		if err != nil {
			return nil, fmt.Errorf("%s: end: %w", where, err)
		}
		if end < start {
			return nil, fmt.Errorf("%s: end is before start", where)
		}
		a := &Alert{Start: start, End: end, Proto: strings.ToUpper(at.Proto), Signature: at.Name, Category: at.Category,
			Severity: at.Severity, Source: "custom", custom: true, index: i}
		if a.Severity == 0 {
			a.Severity = 1
		}
		if at.MITRE != "" && a.Category == "" {
			a.Category = at.MITRE
		}
		for _, l := range []struct {
			in  []string
			out *[]netip.Prefix
		}{{at.IPs, &a.ips}, {at.Attackers, &a.attackers}, {at.Victims, &a.victims}} {
			for _, s := range l.in {
				p, err := parsePrefix(s)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", where, err)
				}
				*l.out = append(*l.out, p)
			}
		}
		if len(a.ips) == 0 && (len(a.attackers) == 0) != (len(a.victims) == 0) {
			// attackers alone (or victims alone) label every record of those hosts
			a.ips = append(a.attackers, a.victims...)
			a.attackers, a.victims = nil, nil
		}
		if len(a.ips) == 0 && len(a.attackers) == 0 {
			return nil, fmt.Errorf("%s: needs ips, or attackers and victims", where)
		}
		out = append(out, a)
	}
	return out, nil
}

func parseCustomTime(s, layout string, loc *time.Location) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("missing")
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "-:eE+") {
		sec, frac, _ := strings.Cut(s, ".")
		n, err := strconv.ParseInt(sec, 10, 64)
		if err != nil {
			return 0, err
		}
		ns := int64(0)
		if frac != "" {
			ns, _ = strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		}
		return n*1e9 + ns, nil
	}
	if layout == "" {
		layout = time.RFC3339Nano
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return 0, err
	}
	return t.UnixNano(), nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func inAny(ps []netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// customMatches reports whether a custom label covers traffic between a
// and b (either direction).
func (al *Alert) customMatches(a, b netip.Addr) bool {
	if len(al.ips) > 0 && (inAny(al.ips, a) || inAny(al.ips, b)) {
		return true
	}
	if len(al.attackers) > 0 {
		return (inAny(al.attackers, a) && inAny(al.victims, b)) || (inAny(al.attackers, b) && inAny(al.victims, a))
	}
	return false
}
