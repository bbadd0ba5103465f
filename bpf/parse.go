package bpf

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// qual is the qualifier list of a primitive: proto, dir and type.
type qual struct {
	proto string // "" when absent
	dir   dirKind
	typ   string // "" (host), "host", "net", "port", "portrange", "proto", "gateway", "protochain"
}

type parser struct {
	c     *compiler
	toks  []token
	i     int
	last  *qual // qualifiers of the latest "qualifiers id" primitive
	depth int

	// Protocol checks implied by the accessors of the relation being
	// parsed (tcp[13] implies IPv4 TCP, first fragment).
	guards    []node
	guardKeys []string
}

// maxDepth bounds nesting (parentheses, not, arithmetic).
const maxDepth = 200

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// kw reports whether t is the keyword w (not escaped with a backslash).
func kw(t token, words ...string) bool {
	if t.kind != tWord || t.escaped {
		return false
	}
	for _, w := range words {
		if t.text == w {
			return true
		}
	}
	return false
}

func isAndTok(t token) bool { return t.kind == tAndAnd || kw(t, "and") }
func isOrTok(t token) bool  { return t.kind == tOrOr || kw(t, "or") }
func isNotTok(t token) bool { return t.kind == tBang || kw(t, "not") }

func describe(t token) string {
	if t.kind == tEOF {
		return "end of expression"
	}
	return strconv.Quote(t.text)
}

func (p *parser) enter(pos int) {
	p.depth++
	if p.depth > maxDepth {
		p.c.fail(pos, "nested more than %d deep", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// parseExpr: term { (and|or) term }, and and or having equal precedence and
// associating to the left, as in pcap-filter.
func (p *parser) parseExpr() node {
	n := p.parseTerm()
	for {
		t := p.peek()
		switch {
		case isAndTok(t):
			p.next()
			n = and(n, p.parseTerm())
		case isOrTok(t):
			p.next()
			n = or(n, p.parseTerm())
		default:
			return n
		}
	}
}

// Keyword sets.
var (
	protoQualifiers = map[string]bool{
		"ether": true, "fddi": true, "tr": true, "wlan": true, "link": true,
		"ip": true, "ip6": true, "arp": true, "rarp": true,
		"tcp": true, "udp": true, "sctp": true, "icmp": true, "icmp6": true, "igmp": true,
		"igrp": true, "pim": true, "ah": true, "esp": true, "vrrp": true, "carp": true,
		"decnet": true, "lat": true, "sca": true, "moprc": true, "mopdl": true,
		"atalk": true, "aarp": true, "iso": true, "stp": true, "ipx": true, "netbeui": true,
		"radio": true, "ppp": true, "slip": true, "clnp": true, "esis": true, "isis": true,
	}
	etherAliases = map[string]bool{"ether": true, "fddi": true, "tr": true, "wlan": true, "link": true}
	typeWords    = map[string]bool{
		"host": true, "net": true, "port": true, "portrange": true,
		"gateway": true, "proto": true, "protochain": true,
	}
	unsupportedDirs = map[string]bool{
		"ra": true, "ta": true, "addr1": true, "addr2": true, "addr3": true, "addr4": true,
	}
	// Keywords of pcap-filter that this compiler does not implement.
	unsupportedWords = map[string]bool{
		"mpls": true, "pppoed": true, "pppoes": true, "geneve": true, "llc": true,
		"ifname": true, "on": true, "rnr": true, "rulenum": true, "reason": true,
		"rset": true, "ruleset": true, "srnr": true, "subrulenum": true, "action": true,
		"type": true, "subtype": true, "dir": true, "vpi": true, "vci": true, "lane": true,
		"oam": true, "oamf4": true, "oamf4s": true, "oamf4e": true, "metac": true,
		"bcc": true, "sc": true, "ilmic": true, "connectmsg": true, "metaconnect": true,
		"l1": true, "l2": true, "iih": true, "lsp": true, "snp": true, "csnp": true,
		"psnp": true, "hsls": true, "fisu": true, "lssu": true, "msu": true, "sio": true,
		"opc": true, "dpc": true, "sls": true, "hfisu": true, "hlssu": true, "hmsu": true,
		"hsio": true, "hopc": true, "hdpc": true, "hsls_": true,
	}
	// Protocols whose header can be indexed as proto[off:size].
	accessors = map[string]bool{
		"ether": true, "fddi": true, "tr": true, "wlan": true, "link": true,
		"ip": true, "ip6": true, "arp": true, "rarp": true, "tcp": true, "udp": true,
		"sctp": true, "icmp": true, "icmp6": true, "igmp": true, "igrp": true,
		"pim": true, "vrrp": true, "carp": true,
		"atalk": true, "decnet": true, "lat": true, "mopdl": true, "moprc": true,
		"ppp": true, "radio": true, "sca": true, "slip": true,
	}
)

// relationStart reports whether the term at the cursor may be an
// arithmetic comparison.
func (p *parser) relationStart() bool {
	t := p.peek()
	switch t.kind {
	case tLParen:
		return true
	case tArith:
		return t.text == "-"
	case tWord:
		if t.escaped {
			return false
		}
		if t.text == "len" {
			return true
		}
		if _, ok := arithNames[t.text]; ok {
			return true
		}
		if accessors[t.text] && p.peekAt(1).kind == tLBrack {
			return true
		}
		_, err := parseNumber(t.text)
		return err == nil
	}
	return false
}

// try runs f, turning a compile error into a return value and restoring
// the parser on failure.
func (p *parser) try(f func() node) (n node, err *Error) {
	saveI, saveLast, saveDepth := p.i, p.last, p.depth
	saveVlans, saveUsed := p.c.vlans, p.c.vlanUsed
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(compileError)
			if !ok {
				panic(r)
			}
			p.i, p.last, p.depth = saveI, saveLast, saveDepth
			p.c.vlans, p.c.vlanUsed = saveVlans, saveUsed
			n, err = nil, ce.err
		}
	}()
	return f(), nil
}

func (p *parser) parseTerm() node {
	t := p.peek()
	p.enter(t.pos)
	defer p.leave()
	if isNotTok(t) {
		p.next()
		return not(p.parseTerm())
	}
	if p.relationStart() {
		n, err := p.try(p.parseRelation)
		if err == nil {
			return n
		}
		if t.kind != tLParen && !(t.kind == tWord && isNumberWord(t.text)) {
			panic(compileError{err}) // len, proto[…], -…: only a comparison
		}
		// Not a comparison: a parenthesized expression, or a value that
		// takes the qualifiers of the previous primitive.
		n2, err2 := p.try(p.parseBoolTerm)
		if err2 == nil {
			return n2
		}
		if !err.noRelop && (err.Pos > err2.Pos || err.Pos == err2.Pos && !err2.Unsupported) {
			panic(compileError{err})
		}
		panic(compileError{err2})
	}
	return p.parseBoolTerm()
}

func (p *parser) parseBoolTerm() node {
	t := p.peek()
	switch t.kind {
	case tLParen:
		p.next()
		n := p.parseExpr()
		if c := p.next(); c.kind != tRParen {
			p.c.fail(c.pos, "expected ')' to close the '(' at column %d, got %s", t.pos+1, describe(c))
		}
		return n
	case tWord:
		return p.parsePrimitive()
	}
	p.c.fail(t.pos, "expected a primitive, got %s", describe(t))
	return nil
}

func (p *parser) parseRelation() node {
	start := p.peek().pos
	p.guards, p.guardKeys = nil, nil
	p.last = nil
	l := p.parseArith()
	t := p.peek()
	if t.kind != tRel {
		panic(compileError{&Error{Expr: p.c.expr, Pos: t.pos, noRelop: true,
			Msg: fmt.Sprintf("expected a comparison (=, !=, <, <=, >, >=), got %s", describe(t))}})
	}
	p.next()
	r := p.parseArith()
	rel := p.c.relation(start, l, t.text, r)
	return and(append(p.guards, rel)...)
}

func (p *parser) parsePrimitive() node {
	t := p.peek()
	c := p.c
	if t.escaped {
		return p.bareID()
	}
	w := t.text
	switch {
	case protoQualifiers[w]:
		p.next()
		n := p.peek()
		switch {
		case kw(n, "proto"):
			p.next()
			return p.qualified(qual{proto: w, typ: "proto"})
		case kw(n, "protochain"):
			c.unsupported(n.pos, "protochain")
		case kw(n, "broadcast", "multicast"):
			p.next()
			return p.cast(t, n)
		case kw(n, "src", "dst", "host", "net", "port", "portrange", "gateway") || kw(n, "ra", "ta", "addr1", "addr2", "addr3", "addr4"):
			q := qual{proto: w}
			p.parseQual(&q)
			return p.qualified(q)
		}
		return p.protoAlone(t)
	case w == "src" || w == "dst" || typeWords[w] || unsupportedDirs[w]:
		var q qual
		p.parseQual(&q)
		return p.qualified(q)
	case w == "vlan":
		p.next()
		p.last = nil
		if n := p.peek(); n.kind == tWord && !n.escaped {
			if v, err := parseNumber(n.text); err == nil {
				p.next()
				return c.vlan(t.pos, v, true)
			}
		}
		return c.vlan(t.pos, 0, false)
	case w == "less" || w == "greater":
		p.next()
		p.last = nil
		n := p.next()
		v, err := parseNumber(n.text)
		if n.kind != tWord || err != nil {
			c.fail(n.pos, "%s needs a length, got %s", w, describe(n))
		}
		if w == "less" {
			return not(gt(value{as: []insn{ldLen()}}, v))
		}
		return ge(value{as: []insn{ldLen()}}, v)
	case w == "broadcast" || w == "multicast":
		p.next()
		p.last = nil
		return p.cast(token{kind: tWord, text: "ether", pos: t.pos}, t)
	case w == "inbound" || w == "outbound":
		p.next()
		p.last = nil
		var v value
		switch c.link {
		case linkSLL:
			v = base{}.load(szH, 0)
		case linkSLL2:
			v = base{}.load(szB, 10)
		default:
			c.unsupported(t.pos, "%s on %s", w, c.linkName)
		}
		const packetOutgoing = 4
		if w == "inbound" {
			return not(eq(v, packetOutgoing))
		}
		return eq(v, packetOutgoing)
	case unsupportedWords[w]:
		c.unsupported(t.pos, "%q", w)
	case w == "and" || w == "or" || w == "not":
		c.fail(t.pos, "expected a primitive, got %q", w)
	}
	return p.bareID()
}

// parseQual reads [dir] [type] into q.
func (p *parser) parseQual(q *qual) {
	t := p.peek()
	if unsupportedDirs[t.text] && !t.escaped {
		p.c.unsupported(t.pos, "802.11 address qualifier %q", t.text)
	}
	if kw(t, "src", "dst") {
		p.next()
		q.dir = dirSrc
		other := "dst"
		if t.text == "dst" {
			q.dir, other = dirDst, "src"
		}
		if conj := p.peek(); (isAndTok(conj) || isOrTok(conj)) && kw(p.peekAt(1), other) {
			p.next()
			p.next()
			if isAndTok(conj) {
				q.dir = dirSrcAndDst
			} else {
				q.dir = dirSrcOrDst
			}
		}
	}
	if t := p.peek(); !t.escaped && typeWords[t.text] && t.kind == tWord {
		p.next()
		q.typ = t.text
	}
}

// bareID is a value without qualifiers: it takes those of the previous
// "qualifiers value" primitive ("host a or b", "port 53 or 80").
func (p *parser) bareID() node {
	t := p.peek()
	if p.last == nil {
		if t.escaped {
			p.c.fail(t.pos, "expected a primitive, got %s (no qualifier such as host or port before it)", describe(t))
		}
		if _, err := parseNumber(t.text); err == nil || strings.ContainsAny(t.text, ".:") {
			p.c.fail(t.pos, "%s has no qualifier (host, net, port, …) before it", describe(t))
		}
		p.c.fail(t.pos, "unknown keyword %s", describe(t))
	}
	return p.qualified(*p.last)
}

// protoAlone is a protocol keyword used as a primitive: "tcp", "ip6", …
func (p *parser) protoAlone(t token) node {
	c := p.c
	p.last = nil
	switch t.text {
	case "ip":
		return c.ip(t.pos)
	case "ip6":
		return c.ip6(t.pos)
	case "arp":
		return c.arp(t.pos)
	case "rarp":
		return c.rarp(t.pos)
	case "tcp":
		return c.anyProto(t.pos, protoTCP)
	case "udp":
		return c.anyProto(t.pos, protoUDP)
	case "sctp":
		return c.anyProto(t.pos, protoSCTP)
	case "ah":
		return c.anyProto(t.pos, protoAH)
	case "esp":
		return c.anyProto(t.pos, protoESP)
	case "pim":
		return c.anyProto(t.pos, protoPIM)
	case "icmp":
		return c.ipProto(t.pos, protoICMP)
	case "igmp":
		return c.ipProto(t.pos, protoIGMP)
	case "igrp":
		return c.ipProto(t.pos, protoIGRP)
	case "vrrp", "carp":
		return c.ipProto(t.pos, protoVRRP)
	case "icmp6":
		return c.ip6Proto(t.pos, protoICMPv6)
	case "ether", "fddi", "tr", "wlan", "link":
		c.fail(t.pos, "%q needs a qualifier (host, src, dst, proto, broadcast, multicast)", t.text)
	}
	c.unsupported(t.pos, "protocol %q", t.text)
	return nil
}

// cast is "[ether|ip|ip6] broadcast|multicast".
func (p *parser) cast(proto, what token) node {
	c := p.c
	p.last = nil
	switch {
	case etherAliases[proto.text]:
		if c.link != linkEthernet {
			c.fail(what.pos, "link-layer %s needs an Ethernet link, not %s", what.text, c.linkName)
		}
		if what.text == "broadcast" {
			return c.etherHost(what.pos, dirDst, [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		}
		return set(base{}.load(szB, 0), 1)
	case proto.text == "ip" && what.text == "multicast":
		return and(c.ip(proto.pos), ge(c.nh().load(szB, 16), 224))
	case proto.text == "ip6" && what.text == "multicast":
		return and(c.ip6(proto.pos), eq(c.nh().load(szB, 24), 0xff))
	case proto.text == "ip" && what.text == "broadcast":
		c.unsupported(what.pos, "ip broadcast (needs the interface netmask)")
	}
	c.fail(what.pos, "%s %s is not valid", proto.text, what.text)
	return nil
}

// qualified reads the value of a "qualifiers value" primitive and compiles it.
func (p *parser) qualified(q qual) node {
	c := p.c
	t := p.next()
	if t.kind != tWord {
		c.fail(t.pos, "expected a value (address, number or name), got %s", describe(t))
	}
	if kw(t, "and", "or", "not") {
		c.fail(t.pos, "expected a value (address, number or name), got %s", describe(t))
	}
	ql := q
	p.last = &ql
	switch q.typ {
	case "gateway":
		c.unsupported(t.pos, "gateway (needs host name resolution)")
	case "protochain":
		c.unsupported(t.pos, "protochain")
	case "proto":
		return p.protoPrim(q, t)
	case "port", "portrange":
		return p.portPrim(q, t)
	}
	return p.hostNet(q, t)
}

func (p *parser) protoPrim(q qual, t token) node {
	c := p.c
	switch {
	case etherAliases[q.proto]:
		v, err := parseNumber(t.text)
		if err != nil {
			var ok bool
			if v, ok = etherProtoNames[t.text]; !ok {
				if looksLikeName(t.text) {
					c.unsupported(t.pos, "EtherType name %q", t.text)
				}
				c.fail(t.pos, "bad EtherType %q: %v", t.text, err)
			}
		}
		return c.linkProto(t.pos, v)
	case q.proto == "" || q.proto == "ip" || q.proto == "ip6":
		v, err := parseNumber(t.text)
		if err != nil {
			var ok bool
			if v, ok = ipProtoNames[strings.ToLower(t.text)]; !ok {
				if looksLikeName(t.text) {
					c.fail(t.pos, "unknown protocol %q", t.text)
				}
				c.fail(t.pos, "bad protocol number %q: %v", t.text, err)
			}
		}
		switch q.proto {
		case "ip":
			return c.ipProto(t.pos, v)
		case "ip6":
			return c.ip6Proto(t.pos, v)
		}
		return c.anyProto(t.pos, v)
	case q.proto == "arp" || q.proto == "rarp":
		c.fail(t.pos, "%s does not encapsulate another protocol", q.proto)
	case protoQualifiers[q.proto] && !accessors[q.proto] || q.proto == "decnet" || q.proto == "lat" || q.proto == "atalk":
		c.unsupported(t.pos, "%s proto", q.proto)
	}
	c.fail(t.pos, "'%s proto' is not valid", q.proto)
	return nil
}

func isNumberWord(s string) bool {
	_, err := parseNumber(s)
	return err == nil || s != "" && s[0] >= '0' && s[0] <= '9'
}

func looksLikeName(s string) bool {
	return s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z')
}

// portPrim compiles port and portrange primitives.
func (p *parser) portPrim(q qual, t token) node {
	c := p.c
	switch q.proto {
	case "", "tcp", "udp", "sctp":
	default:
		c.fail(t.pos, "'%s' cannot qualify '%s'", q.proto, q.typ)
	}
	protos := []uint32{protoTCP, protoUDP, protoSCTP}
	switch q.proto {
	case "tcp":
		protos = []uint32{protoTCP}
	case "udp":
		protos = []uint32{protoUDP}
	case "sctp":
		protos = []uint32{protoSCTP}
	}
	if q.typ == "port" {
		if v, err := parseNumber(t.text); err == nil {
			if v > 65535 {
				c.fail(t.pos, "illegal port number %d > 65535", v)
			}
			return c.ports(t.pos, protos, q.dir, v, v)
		} else if !looksLikeName(t.text) {
			c.fail(t.pos, "bad port %q: %v", t.text, err)
		}
		return p.namedPort(q, t)
	}
	lo, hi, ok := p.portRange(q, t.text)
	if !ok {
		c.fail(t.pos, "bad port range %q (want PORT-PORT)", t.text)
	}
	if lo > 65535 || hi > 65535 {
		c.fail(t.pos, "illegal port number %d > 65535", max(lo, hi))
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return c.ports(t.pos, protos, q.dir, lo, hi)
}

// namedPort resolves a service name: a name defined for one transport
// only tests that transport, as libpcap does.
func (p *parser) namedPort(q qual, t token) node {
	c := p.c
	s, ok := lookupService(t.text)
	if !ok {
		c.fail(t.pos, "unknown port name %q", t.text)
	}
	num := map[string]int{"tcp": s.tcp, "udp": s.udp, "sctp": s.sctp}
	if q.proto != "" {
		v := num[q.proto]
		if v < 0 {
			c.fail(t.pos, "port %q is not defined for %s", t.text, q.proto)
		}
		return c.ports(t.pos, []uint32{protoForName(q.proto)}, q.dir, uint32(v), uint32(v))
	}
	// Group the transports by port number.
	byPort := map[int][]uint32{}
	var order []int
	for _, name := range []string{"tcp", "udp", "sctp"} {
		v := num[name]
		if v < 0 {
			continue
		}
		if _, seen := byPort[v]; !seen {
			order = append(order, v)
		}
		byPort[v] = append(byPort[v], protoForName(name))
	}
	if len(order) == 0 {
		c.fail(t.pos, "unknown port name %q", t.text)
	}
	var ns []node
	for _, v := range order {
		protos := byPort[v]
		if len(order) == 1 && len(protos) > 1 {
			// Ambiguous name with one number: only the number is checked.
			protos = []uint32{protoTCP, protoUDP, protoSCTP}
		}
		ns = append(ns, c.ports(t.pos, protos, q.dir, uint32(v), uint32(v)))
	}
	return or(ns...)
}

func protoForName(s string) uint32 {
	switch s {
	case "tcp":
		return protoTCP
	case "udp":
		return protoUDP
	}
	return protoSCTP
}

// portRange splits "lo-hi" (either side a number or a service name).
func (p *parser) portRange(q qual, s string) (lo, hi uint32, ok bool) {
	one := func(s string) (uint32, bool) {
		if v, err := parseNumber(s); err == nil {
			return v, true
		}
		if !looksLikeName(s) {
			return 0, false
		}
		sv, found := lookupService(s)
		if !found {
			return 0, false
		}
		for _, v := range []int{map[string]int{"tcp": sv.tcp, "udp": sv.udp, "sctp": sv.sctp}[q.proto], sv.tcp, sv.udp, sv.sctp} {
			if v >= 0 {
				return uint32(v), true
			}
		}
		return 0, false
	}
	if v, ok := one(s); ok {
		return v, v, true
	}
	for i := 1; i < len(s)-1; i++ {
		if s[i] != '-' {
			continue
		}
		a, okA := one(s[:i])
		b, okB := one(s[i+1:])
		if okA && okB {
			return a, b, true
		}
	}
	return 0, 0, false
}

// hostNet compiles host and net primitives (and bare values).
func (p *parser) hostNet(q qual, t token) node {
	c := p.c
	typ := q.typ
	if typ == "" {
		typ = "host"
	}
	// Optional "/len" or "mask M" for networks.
	var plen *uint32
	var maskTok *token
	if n := p.peek(); n.kind == tSlash {
		p.next()
		lt := p.next()
		v, err := parseNumber(lt.text)
		if lt.kind != tWord || err != nil {
			c.fail(lt.pos, "expected a prefix length after '/', got %s", describe(lt))
		}
		plen = &v
	} else if kw(n, "mask") {
		p.next()
		mt := p.next()
		if mt.kind != tWord {
			c.fail(mt.pos, "expected a netmask after 'mask', got %s", describe(mt))
		}
		maskTok = &mt
	}
	if (plen != nil || maskTok != nil) && typ != "net" {
		c.fail(t.pos, "a network (/len or mask) needs 'net', not '%s'", typ)
	}
	if etherAliases[q.proto] {
		if typ == "net" {
			c.fail(t.pos, "illegal link layer address %q with 'net'", t.text)
		}
		mac, ok := parseMAC(t.text)
		if !ok {
			if looksLikeName(t.text) && !strings.ContainsAny(t.text, ":") {
				c.unsupported(t.pos, "Ethernet host name %q (needs /etc/ethers)", t.text)
			}
			c.fail(t.pos, "bad MAC address %q", t.text)
		}
		return c.etherHost(t.pos, q.dir, mac)
	}
	switch q.proto {
	case "", "ip", "ip6", "arp", "rarp":
	case "decnet":
		c.unsupported(t.pos, "DECnet addresses")
	default:
		c.fail(t.pos, "'%s' cannot qualify '%s'", q.proto, typ)
	}
	if strings.Contains(t.text, ":") {
		a, err := netip.ParseAddr(t.text)
		if err != nil || !a.Is6() || a.Zone() != "" {
			if _, ok := parseMAC(t.text); ok {
				c.fail(t.pos, "Ethernet address %q needs 'ether'", t.text)
			}
			c.fail(t.pos, "bad IPv6 address %q", t.text)
		}
		if q.proto != "" && q.proto != "ip6" {
			c.fail(t.pos, "'%s' cannot qualify an IPv6 address", q.proto)
		}
		if maskTok != nil {
			c.fail(maskTok.pos, "'mask' works with IPv4 networks only; use /len")
		}
		bits := uint32(128)
		if plen != nil {
			if *plen > 128 {
				c.fail(t.pos, "prefix length %d greater than 128", *plen)
			}
			bits = *plen
		}
		addr := a.As16()
		var mask [16]byte
		for i := range mask {
			switch {
			case bits >= 8:
				mask[i], bits = 0xff, bits-8
			case bits > 0:
				mask[i], bits = byte(0xff<<(8-bits)), 0
			}
		}
		for i := range addr {
			if addr[i]&^mask[i] != 0 {
				c.fail(t.pos, "non-network bits set in %q", t.text)
			}
		}
		return c.hostV6(t.pos, q.dir, addr, mask)
	}
	addr, mask, ok := parseIPv4(t.text, typ == "net")
	if !ok {
		if looksLikeName(t.text) {
			c.unsupported(t.pos, "host name %q (needs name resolution)", t.text)
		}
		if _, isMAC := parseMAC(t.text); isMAC {
			c.fail(t.pos, "Ethernet address %q needs 'ether'", t.text)
		}
		c.fail(t.pos, "bad IPv4 address %q", t.text)
	}
	if q.proto == "ip6" {
		c.fail(t.pos, "'ip6' cannot qualify an IPv4 address")
	}
	if plen != nil {
		if *plen > 32 {
			c.fail(t.pos, "prefix length %d greater than 32", *plen)
		}
		mask = 0
		if *plen > 0 {
			mask = 0xffffffff << (32 - *plen)
		}
	}
	if maskTok != nil {
		m, _, ok := parseIPv4(maskTok.text, false)
		if !ok {
			c.fail(maskTok.pos, "bad netmask %q", maskTok.text)
		}
		mask = m
	}
	if addr&^mask != 0 {
		c.fail(t.pos, "non-network bits set in %q", t.text)
	}
	return c.hostV4(t.pos, q.proto, q.dir, addr, mask)
}

// parseNumber reads a C-style unsigned 32-bit number: decimal, 0x hex or
// 0 octal.
func parseNumber(s string) (uint32, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	base := 10
	digits := s
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, digits = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, digits = 8, s[1:]
	}
	for i := 0; i < len(digits); i++ {
		ch := digits[i]
		ok := ch >= '0' && ch <= '9'
		if base == 8 {
			ok = ch >= '0' && ch <= '7'
		}
		if base == 16 {
			ok = ok || ch >= 'a' && ch <= 'f' || ch >= 'A' && ch <= 'F'
		}
		if !ok {
			return 0, fmt.Errorf("%q is not a number", s)
		}
	}
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil {
		return 0, fmt.Errorf("number %s does not fit in 32 bits", s)
	}
	return uint32(v), nil
}

// parseIPv4 reads a number or a dotted address of one to four parts. The
// mask covers the parts given ("10.1" is 10.1.0.0 with mask 255.255.0.0);
// a lone number is a full address for a host, and a network number (its
// leading zero bytes dropped) for a net.
func parseIPv4(s string, isNet bool) (addr, mask uint32, ok bool) {
	if !strings.Contains(s, ".") {
		v, err := parseNumber(s)
		if err != nil {
			return 0, 0, false
		}
		mask = 0xffffffff
		if isNet {
			for v != 0 && v&0xff000000 == 0 {
				v <<= 8
				mask <<= 8
			}
		}
		return v, mask, true
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return 0, 0, false
	}
	for _, part := range parts {
		if part == "" || len(part) > 3 {
			return 0, 0, false
		}
		v, err := strconv.ParseUint(part, 10, 8)
		if err != nil {
			return 0, 0, false
		}
		addr = addr<<8 | uint32(v)
		mask = mask<<8 | 0xff
	}
	shift := 8 * uint32(4-len(parts))
	return addr << shift, mask << shift, true
}

// parseMAC reads xx:xx:xx:xx:xx:xx (':', '-' or '.' between one- or
// two-digit groups), xxxx.xxxx.xxxx or xxxxxxxxxxxx.
func parseMAC(s string) ([6]byte, bool) {
	var mac [6]byte
	hexv := func(s string) (uint64, bool) {
		if s == "" {
			return 0, false
		}
		v, err := strconv.ParseUint(s, 16, 64)
		return v, err == nil
	}
	groups := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '-' || r == '.' })
	if strings.HasPrefix(s, ":") || strings.HasSuffix(s, ":") || strings.Contains(s, "::") ||
		strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") ||
		strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
		return mac, false
	}
	switch {
	case len(groups) == 6:
		for i, g := range groups {
			v, ok := hexv(g)
			if !ok || len(g) > 2 {
				return mac, false
			}
			mac[i] = byte(v)
		}
		return mac, true
	case len(groups) == 3:
		for i, g := range groups {
			v, ok := hexv(g)
			if !ok || len(g) != 4 {
				return mac, false
			}
			mac[2*i], mac[2*i+1] = byte(v>>8), byte(v)
		}
		return mac, true
	case len(groups) == 1 && len(s) == 12:
		v, ok := hexv(s)
		if !ok {
			return mac, false
		}
		for i := range mac {
			mac[i] = byte(v >> (40 - 8*i))
		}
		return mac, true
	}
	return mac, false
}

// arithLevels are the binary operators of filter arithmetic, lowest
// precedence first: | then &, << >>, + -, * / % (unary minus and '^' are
// below, see arithUnary).
var arithLevels = []map[string]uint16{
	{"|": aluOR},
	{"&": aluAND},
	{"<<": aluLSH, ">>": aluRSH},
	{"+": aluADD, "-": aluSUB},
	{"*": aluMUL, "/": aluDIV, "%": aluMOD},
}

// parseArith parses an arithmetic expression; '^' takes the whole
// expression on its right, as libpcap's grammar does.
func (p *parser) parseArith() *aexpr {
	p.enter(p.peek().pos)
	defer p.leave()
	return p.arithLevel(0)
}

// arithLevel parses a left-associative chain of the operators of level i.
func (p *parser) arithLevel(i int) *aexpr {
	if i == len(arithLevels) {
		return p.arithUnary()
	}
	l := p.arithLevel(i + 1)
	for {
		t := p.peek()
		if t.kind != tArith && t.kind != tSlash {
			return l
		}
		op, ok := arithLevels[i][t.text]
		if !ok {
			return l
		}
		p.next()
		l = p.c.binary(t.pos, op, l, p.arithLevel(i+1))
	}
}

func (p *parser) arithUnary() *aexpr {
	if t := p.peek(); t.kind == tArith && t.text == "-" {
		p.next()
		p.enter(t.pos)
		defer p.leave()
		return negate(p.arithUnary())
	}
	v := p.arithPrimary()
	if t := p.peek(); t.kind == tArith && t.text == "^" {
		p.next()
		v = p.c.binary(t.pos, aluXOR, v, p.parseArith())
	}
	return v
}

func (p *parser) arithPrimary() *aexpr {
	c := p.c
	t := p.next()
	switch t.kind {
	case tLParen:
		e := p.parseArith()
		if r := p.next(); r.kind != tRParen {
			c.fail(r.pos, "expected ')' to close the '(' at column %d, got %s", t.pos+1, describe(r))
		}
		return e
	case tWord:
		if t.escaped {
			break
		}
		if v, err := parseNumber(t.text); err == nil {
			return aconst(v)
		} else if t.text != "" && t.text[0] >= '0' && t.text[0] <= '9' {
			c.fail(t.pos, "%v", err)
		}
		if t.text == "len" {
			return &aexpr{kind: aLen}
		}
		if v, ok := arithNames[t.text]; ok {
			return aconst(v)
		}
		if accessors[t.text] && p.peek().kind == tLBrack {
			return p.accessor(t)
		}
	}
	c.fail(t.pos, "expected a number, len or proto[offset], got %s", describe(t))
	return nil
}

// accessor reads proto[expr] or proto[expr:size].
func (p *parser) accessor(t token) *aexpr {
	c := p.c
	p.next() // [
	idx := p.parseArith()
	size := uint16(szB)
	if p.peek().kind == tColon {
		p.next()
		st := p.next()
		v, err := parseNumber(st.text)
		if st.kind != tWord || err != nil {
			c.fail(st.pos, "expected a size (1, 2 or 4), got %s", describe(st))
		}
		switch v {
		case 1:
			size = szB
		case 2:
			size = szH
		case 4:
			size = szW
		default:
			c.fail(st.pos, "data size must be 1, 2 or 4, not %d", v)
		}
	}
	if r := p.next(); r.kind != tRBrack {
		c.fail(r.pos, "expected ']', got %s", describe(r))
	}
	var b base
	var guard node = nTrue
	switch t.text {
	case "ether", "fddi", "tr", "wlan", "link":
	case "ip":
		b, guard = c.nh(), c.ip(t.pos)
	case "ip6":
		b, guard = c.nh(), c.ip6(t.pos)
	case "arp":
		b, guard = c.nh(), c.arp(t.pos)
	case "rarp":
		b, guard = c.nh(), c.rarp(t.pos)
	case "tcp", "udp", "sctp", "icmp", "igmp", "igrp", "pim", "vrrp", "carp":
		proto := map[string]uint32{"tcp": protoTCP, "udp": protoUDP, "sctp": protoSCTP, "icmp": protoICMP,
			"igmp": protoIGMP, "igrp": protoIGRP, "pim": protoPIM, "vrrp": protoVRRP, "carp": protoVRRP}[t.text]
		b, guard = c.transport(), and(c.ipProto(t.pos, proto), c.notFragment())
	case "icmp6":
		nh := c.nh()
		b, guard = nh.plus(40), and(c.ip6(t.pos), eq(nh.load(szB, 6), protoICMPv6))
	default:
		c.unsupported(t.pos, "%s[…]", t.text)
	}
	if idx.kind == aConst && uint64(b.off)+uint64(idx.k) >= extBase {
		c.fail(t.pos, "offset %d too large", idx.k)
	}
	e := &aexpr{kind: aLoad, size: size, base: b, idx: idx}
	if gk := fmt.Sprintf("%s/%d", t.text, c.vlans); !isConst(guard, true) && !slices.Contains(p.guardKeys, gk) {
		p.guards = append(p.guards, guard)
		p.guardKeys = append(p.guardKeys, gk)
	}
	return e
}
