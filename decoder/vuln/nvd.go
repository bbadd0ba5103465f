package vuln

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/netcap-go/netcap/types"
)

// The NVD CVE feed, in its two JSON formats, read one CVE at a time.

// vulnCVE is what a CVE of either feed format says that records need.
type vulnCVE struct {
	id, description, severity, v2score, accessVector string
	matches                                          []vulnCPEMatch
}

// Feed 1.1: {"CVE_Items": [{"cve": {...}, "configurations": {...}, "impact": {...}}]}.
type vulnItem11 struct {
	CVE struct {
		Meta struct {
			ID string `json:"ID"`
		} `json:"CVE_data_meta"`
		Description struct {
			Data []vulnLangValue `json:"description_data"`
		} `json:"description"`
	} `json:"cve"`
	Configurations struct {
		Nodes []vulnNode11 `json:"nodes"`
	} `json:"configurations"`
	Impact struct {
		V3 struct {
			CVSS struct {
				Severity     string `json:"baseSeverity"`
				AttackVector string `json:"attackVector"`
			} `json:"cvssV3"`
		} `json:"baseMetricV3"`
		V2 struct {
			CVSS struct {
				Score        json.Number `json:"baseScore"`
				AccessVector string      `json:"accessVector"`
			} `json:"cvssV2"`
			Severity string `json:"severity"`
		} `json:"baseMetricV2"`
	} `json:"impact"`
}

type vulnNode11 struct {
	Children []vulnNode11   `json:"children"`
	Matches  []vulnCPEMatch `json:"cpe_match"`
}

type vulnLangValue struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

func (n *vulnNode11) collect(out []vulnCPEMatch, depth int) []vulnCPEMatch {
	out = append(out, n.Matches...)
	if depth < 8 {
		for i := range n.Children {
			out = n.Children[i].collect(out, depth+1)
		}
	}
	return out
}

func (it *vulnItem11) cve() vulnCVE {
	c := vulnCVE{id: it.CVE.Meta.ID, description: vulnEnglish(it.CVE.Description.Data)}
	c.severity = cmp.Or(it.Impact.V3.CVSS.Severity, it.Impact.V2.Severity)
	c.v2score = it.Impact.V2.CVSS.Score.String()
	c.accessVector = cmp.Or(it.Impact.V2.CVSS.AccessVector, it.Impact.V3.CVSS.AttackVector)
	for i := range it.Configurations.Nodes {
		c.matches = it.Configurations.Nodes[i].collect(c.matches, 0)
	}
	return c
}

// API 2.0: {"vulnerabilities": [{"cve": {...}}]}.
type vulnItem20 struct {
	CVE struct {
		ID           string          `json:"id"`
		Descriptions []vulnLangValue `json:"descriptions"`
		Metrics      struct {
			V31 []vulnMetric20 `json:"cvssMetricV31"`
			V30 []vulnMetric20 `json:"cvssMetricV30"`
			V2  []vulnMetric20 `json:"cvssMetricV2"`
		} `json:"metrics"`
		Configurations []struct {
			Nodes []struct {
				Matches []vulnCPEMatch `json:"cpeMatch"`
			} `json:"nodes"`
		} `json:"configurations"`
	} `json:"cve"`
}

type vulnMetric20 struct {
	Data struct {
		Score        json.Number `json:"baseScore"`
		Severity     string      `json:"baseSeverity"` // v3
		AttackVector string      `json:"attackVector"` // v3
		AccessVector string      `json:"accessVector"` // v2
	} `json:"cvssData"`
	Severity string `json:"baseSeverity"` // v2
}

func (it *vulnItem20) cve() vulnCVE {
	m := &it.CVE.Metrics
	c := vulnCVE{id: it.CVE.ID, description: vulnEnglish(it.CVE.Descriptions)}
	for _, v3 := range [][]vulnMetric20{m.V31, m.V30} {
		if len(v3) > 0 {
			c.severity = cmp.Or(c.severity, v3[0].Data.Severity)
			c.accessVector = cmp.Or(c.accessVector, v3[0].Data.AttackVector)
		}
	}
	if len(m.V2) > 0 {
		c.severity = cmp.Or(c.severity, m.V2[0].Severity)
		c.v2score = m.V2[0].Data.Score.String()
		if m.V2[0].Data.AccessVector != "" {
			c.accessVector = m.V2[0].Data.AccessVector
		}
	}
	for _, conf := range it.CVE.Configurations {
		for _, n := range conf.Nodes {
			c.matches = append(c.matches, n.Matches...)
		}
	}
	return c
}

func vulnEnglish(d []vulnLangValue) string {
	for _, x := range d {
		if x.Lang == "en" {
			return x.Value
		}
	}
	if len(d) > 0 {
		return d[0].Value
	}
	return ""
}

// vulnReadNVD streams the CVEs of a feed to fn, one at a time.
func vulnReadNVD(r io.Reader, fn func(vulnCVE)) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if key != "CVE_Items" && key != "vulnerabilities" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		found = true
		if tok, err := dec.Token(); err != nil {
			return err
		} else if d, ok := tok.(json.Delim); !ok || d != '[' {
			return fmt.Errorf("%s is not a list", key)
		}
		for dec.More() {
			if key == "CVE_Items" {
				var it vulnItem11
				if err := dec.Decode(&it); err != nil {
					return err
				}
				fn(it.cve())
			} else {
				var it vulnItem20
				if err := dec.Decode(&it); err != nil {
					return err
				}
				fn(it.cve())
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	if !found {
		return errors.New(`no "CVE_Items" (NVD 1.1 feed) or "vulnerabilities" (NVD API 2.0) list`)
	}
	return nil
}

// vulnMatchNVD returns, per software (by index), the vulnerabilities the feed
// lists for it, sorted by CVE ID.
func vulnMatchNVD(r io.Reader, sws []*types.Software) ([][]*types.Vulnerability, error) {
	out := make([][]*types.Vulnerability, len(sws))
	err := vulnReadNVD(r, func(c vulnCVE) {
		for i, sw := range sws {
			if sw.Version == "" {
				continue
			}
			var versions, uris []string
			for j := range c.matches {
				m := &c.matches[j]
				if !m.covers(sw) {
					continue
				}
				cn, _ := vulnParseCPE(m.uri())
				if s := m.spec(cn); !slices.Contains(versions, s) {
					versions = append(versions, s)
				}
				uris = append(uris, m.uri())
			}
			if len(versions) == 0 {
				continue
			}
			out[i] = append(out[i], &types.Vulnerability{
				Timestamp: sw.Timestamp, ID: types.WireString(c.id), Description: types.WireString(c.description),
				Severity: types.WireString(c.severity), V2Score: types.WireString(c.v2score), AccessVector: types.WireString(c.accessVector),
				Versions: vulnWireStrings(versions), Notes: types.WireString("matched " + strings.Join(uris, " ")), Software: sw,
			})
		}
	})
	vulnSortByID(out)
	return out, err
}

func vulnWireStrings(s []string) []string {
	for i := range s {
		s[i] = types.WireString(s[i])
	}
	return s
}
