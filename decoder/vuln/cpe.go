package vuln

import (
	"cmp"
	"slices"
	"strings"

	"github.com/netcap-go/netcap/types"
)

// CPE names (NIST IR 7695): which CVE entries name a software product
// and cover its version.

// vulnCPEAliases names the CPE product and vendors of software whose
// usual name (as banners and headers give it) is not its CPE product name,
// or whose CPE vendor is known, by the normalised name (lower case, spaces
// as underscores). For these the CPE's vendor must be one of the vendors.
var vulnCPEAliases = map[string]struct {
	product string
	vendors []string
}{
	"apache":           {"http_server", []string{"apache"}},
	"apache_httpd":     {"http_server", []string{"apache"}},
	"httpd":            {"http_server", []string{"apache"}},
	"microsoft-iis":    {"internet_information_services", []string{"microsoft"}},
	"iis":              {"internet_information_services", []string{"microsoft"}},
	"ftp_service":      {"internet_information_services", []string{"microsoft"}},
	"openssh":          {"openssh", []string{"openbsd"}},
	"pure-ftpd":        {"pure-ftpd", []string{"pureftpd"}},
	"filezilla_server": {"filezilla_server", []string{"filezilla-project"}},
	"cyrus_imap":       {"cyrus_imap_server", []string{"cmu"}},
	"exchange_server":  {"exchange_server", []string{"microsoft"}},
	"dropbear":         {"dropbear_ssh", []string{"dropbear_ssh_project"}},
	"nginx":            {"nginx", []string{"f5", "nginx"}},
	"exim":             {"exim", []string{"exim"}},
	"postfix":          {"postfix", []string{"postfix"}},
	"sendmail":         {"sendmail", []string{"sendmail"}},
	"dovecot":          {"dovecot", []string{"dovecot"}},
	"proftpd":          {"proftpd", []string{"proftpd"}},
	"vsftpd":           {"vsftpd", []string{"vsftpd_project", "beasts"}},
}

func vulnNormName(s string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_")
}

// vulnCPE is the vendor and product part of a CPE 2.3 name.
type vulnCPE struct {
	part, vendor, product, version, update string
}

// vulnParseCPE reads "cpe:2.3:part:vendor:product:version:update:…" (colons
// inside a component are escaped with a backslash).
func vulnParseCPE(s string) (vulnCPE, bool) {
	var f []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case s[i] == ':':
			f = append(f, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	f = append(f, cur.String())
	if len(f) < 7 || f[0] != "cpe" || f[1] != "2.3" {
		return vulnCPE{}, false
	}
	return vulnCPE{part: f[2], vendor: strings.ToLower(f[3]), product: strings.ToLower(f[4]), version: strings.ToLower(f[5]), update: strings.ToLower(f[6])}, true
}

// vulnCPEMatch is one CPE match entry of a CVE configuration.
type vulnCPEMatch struct {
	Vulnerable            bool   `json:"vulnerable"`
	URI11                 string `json:"cpe23Uri"` // 1.1 feeds
	Criteria              string `json:"criteria"` // 2.0 API
	VersionStartIncluding string `json:"versionStartIncluding"`
	VersionStartExcluding string `json:"versionStartExcluding"`
	VersionEndIncluding   string `json:"versionEndIncluding"`
	VersionEndExcluding   string `json:"versionEndExcluding"`
}

func (m *vulnCPEMatch) uri() string { return cmp.Or(m.Criteria, m.URI11) }

// spec describes the versions the entry covers, for Versions.
func (m *vulnCPEMatch) spec(c vulnCPE) string {
	var parts []string
	if m.VersionStartIncluding != "" {
		parts = append(parts, ">= "+m.VersionStartIncluding)
	}
	if m.VersionStartExcluding != "" {
		parts = append(parts, "> "+m.VersionStartExcluding)
	}
	if m.VersionEndIncluding != "" {
		parts = append(parts, "<= "+m.VersionEndIncluding)
	}
	if m.VersionEndExcluding != "" {
		parts = append(parts, "< "+m.VersionEndExcluding)
	}
	if len(parts) > 0 {
		return strings.Join(parts, ", ")
	}
	if c.update != "*" && c.update != "-" && c.update != "" {
		return c.version + " " + c.update
	}
	return c.version
}

// covers reports whether the entry names the software and its version.
func (m *vulnCPEMatch) covers(sw *types.Software) bool {
	c, ok := vulnParseCPE(m.uri())
	if !ok || !m.Vulnerable || !vulnCPENames(c, sw) {
		return false
	}
	v := sw.Version
	ranged := m.VersionStartIncluding != "" || m.VersionStartExcluding != "" || m.VersionEndIncluding != "" || m.VersionEndExcluding != ""
	switch {
	case ranged:
		return (m.VersionStartIncluding == "" || vulnCompareVersions(v, m.VersionStartIncluding) >= 0) &&
			(m.VersionStartExcluding == "" || vulnCompareVersions(v, m.VersionStartExcluding) > 0) &&
			(m.VersionEndIncluding == "" || vulnCompareVersions(v, m.VersionEndIncluding) <= 0) &&
			(m.VersionEndExcluding == "" || vulnCompareVersions(v, m.VersionEndExcluding) < 0)
	case c.version == "*":
		return true
	case c.version == "-" || c.version == "":
		return false
	}
	// "9.2p1" is version 9.2, update p1 in NVD's OpenSSH entries: the
	// software's version splits the same way when the CPE has an update
	// or its version alone does not match.
	if vulnCompareVersions(v, c.version) == 0 && (c.update == "*" || c.update == "-" || c.update == "") {
		return true
	}
	base, upd := vulnSplitUpdate(v)
	if vulnCompareVersions(base, c.version) != 0 {
		return false
	}
	switch c.update {
	case "*":
		return true
	case "-", "":
		return upd == ""
	}
	return strings.EqualFold(upd, c.update)
}

// vulnCPENames reports whether a CPE names the software's product (and
// vendor, when known).
func vulnCPENames(c vulnCPE, sw *types.Software) bool {
	p, v := vulnNormName(sw.Product), vulnNormName(sw.Vendor)
	if a, ok := vulnCPEAliases[p]; ok {
		return a.product == c.product && (slices.Contains(a.vendors, c.vendor) || v != "" && v == c.vendor)
	}
	return p == c.product && (v == "" || v == c.vendor)
}
