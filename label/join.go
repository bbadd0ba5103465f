package label

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// Mode says what a record matched by several alerts is labelled.
type Mode int

const (
	// Best labels a record with its most severe alert (lowest Suricata
	// severity; ties by signature ID, then signature).
	Best Mode = iota
	// Strict labels a record whose alerts disagree (different signatures)
	// "ambiguous".
	Strict
	// Collect joins every signature (and category) with " | ", most severe first.
	Collect
)

// Labels of records no alert matched, and of conflicts in Strict mode.
const (
	Normal    = "normal"
	Ambiguous = "ambiguous"
)

// Joiner decides the alerts of each record. The join, in order:
//
//  1. Flows. Records with a Community ID join alerts with the same
//     Community ID; records without one (or alerts without one, as from
//     fast.log) join on the 5-tuple (addresses and ports, either
//     direction). A flow instance is a Connection or Flow record: an alert
//     belongs to it when the alert's time lies in its first..last span
//     (± Window). Every record of the flow within that span gets the
//     flow's alerts — the whole attack flow is labelled, as flow-based
//     datasets are, not only the packet that fired the rule (Suricata
//     often fires on a later packet than the request it matched, e.g. the
//     ACK that lets it inspect the stream).
//  2. Alerts of a flow without a Connection/Flow record label the flow's
//     records within ± Window of the alert.
//  3. Per-packet header records without a flow (Ethernet, IPv4/IPv6, …)
//     share the timestamp of their packet with its TCP/UDP/… record: a
//     labelled packet labels them too (their addresses must be the
//     alert's).
//     Alerts that matched no flow record at all (e.g. no ports) label
//     records with the same address pair within ± Window.
//  4. Custom labels (-custom) match records by address and time window
//     directly, and the records of connections they cover within the window.
//
// Aggregates (DeviceProfile, IPProfile, Software, Service, …) belong to
// no flow and no single packet: they stay normal.
type Joiner struct {
	Window time.Duration
	Mode   Mode

	alerts  []*Alert // Suricata alerts
	custom  []*Alert
	byCID   map[string][]*Alert
	byTuple map[tupleKey][]*Alert
	byPair  map[pairKey][]*Alert
	inFlow  map[*Alert]bool

	instances map[string][]*instance // by flow key ("c:"+Community ID, "t:"+tuple)
	packets   map[int64][]*Alert     // labelled packet times
}

type instance struct {
	first, last int64
	alerts      []*Alert
}

type pairKey struct{ a, b netip.Addr }

type tupleKey struct {
	a, b   netip.Addr
	pa, pb uint16
}

func makePair(a, b netip.Addr) pairKey {
	if b.Less(a) {
		a, b = b, a
	}
	return pairKey{a, b}
}

func makeTuple(a netip.Addr, pa uint16, b netip.Addr, pb uint16) tupleKey {
	if c := b.Compare(a); c < 0 || (c == 0 && pb < pa) {
		a, b, pa, pb = b, a, pb, pa
	}
	return tupleKey{a, b, pa, pb}
}

func (t tupleKey) String() string {
	return "t:" + t.a.String() + "/" + strconv.Itoa(int(t.pa)) + "-" + t.b.String() + "/" + strconv.Itoa(int(t.pb))
}

// NewJoiner indexes alerts (Suricata and custom).
func NewJoiner(alerts []*Alert, window time.Duration, mode Mode) *Joiner {
	j := &Joiner{Window: window, Mode: mode,
		byCID: map[string][]*Alert{}, byTuple: map[tupleKey][]*Alert{}, byPair: map[pairKey][]*Alert{},
		inFlow: map[*Alert]bool{}, instances: map[string][]*instance{}, packets: map[int64][]*Alert{}}
	for _, a := range alerts {
		if a.custom {
			j.custom = append(j.custom, a)
			continue
		}
		j.alerts = append(j.alerts, a)
		if a.CommunityID != "" {
			j.byCID[a.CommunityID] = append(j.byCID[a.CommunityID], a)
		}
		if a.HasPorts {
			k := makeTuple(a.Src, a.SrcPort, a.Dst, a.DstPort)
			j.byTuple[k] = append(j.byTuple[k], a)
		}
		k := makePair(a.Src, a.Dst)
		j.byPair[k] = append(j.byPair[k], a)
	}
	return j
}

// view is what the join needs of one record.
type view struct {
	cid         string
	src, dst    netip.Addr
	sport       uint16
	dport       uint16
	hasPorts    bool
	first, last int64
	span        bool // first..last of a connection/flow, not one time
	packet      bool // a record of one packet's header (GoPacket decoders)
}

func (v *view) hasAddrs() bool { return v.src.IsValid() && v.dst.IsValid() }

func (v *view) keyed() bool { return v.cid != "" || (v.hasPorts && v.hasAddrs()) }

// flowKey is how instances are found for v: its Community ID, else its tuple.
func (v *view) flowKeys() []string {
	var ks []string
	if v.cid != "" {
		ks = append(ks, "c:"+v.cid)
	}
	if v.hasPorts && v.hasAddrs() {
		ks = append(ks, makeTuple(v.src, v.sport, v.dst, v.dport).String())
	}
	return ks
}

// candidates are the Suricata alerts of v's flow: same Community ID, or
// same tuple when one side has no Community ID.
func (j *Joiner) candidates(v *view) []*Alert {
	var out []*Alert
	tuple := v.hasPorts && v.hasAddrs()
	var tk tupleKey
	if tuple {
		tk = makeTuple(v.src, v.sport, v.dst, v.dport)
	}
	if v.cid != "" {
		out = append(out, j.byCID[v.cid]...)
		if tuple {
			for _, a := range j.byTuple[tk] {
				if a.CommunityID == "" {
					out = append(out, a)
				}
			}
		}
	} else if tuple {
		out = append(out, j.byTuple[tk]...)
	}
	return out
}

func overlaps(a0, a1, b0, b1 int64) bool { return a0 <= b1 && b0 <= a1 }

// AddInstance registers a Connection/Flow record as a flow instance with
// the alerts that fall in its span. Call it for every such record before
// Match.
func (j *Joiner) addInstance(v *view) {
	w := int64(j.Window)
	inst := &instance{first: v.first, last: v.last}
	for _, a := range j.candidates(v) {
		if overlaps(a.Start, a.End, v.first-w, v.last+w) {
			inst.alerts = append(inst.alerts, a)
			j.inFlow[a] = true
		}
	}
	if v.hasAddrs() {
		for _, a := range j.custom {
			if overlaps(a.Start, a.End, v.first, v.last) && a.customMatches(v.src, v.dst) {
				inst.alerts = append(inst.alerts, a)
			}
		}
	}
	if len(inst.alerts) == 0 {
		return
	}
	for _, k := range v.flowKeys() {
		j.instances[k] = append(j.instances[k], inst)
	}
}

// matchKeyed returns the alerts of a record with a flow (steps 1, 2, 4).
func (j *Joiner) matchKeyed(v *view, set []*Alert) []*Alert {
	w := int64(j.Window)
	seen := map[*instance]bool{}
	for _, k := range v.flowKeys() {
		for _, inst := range j.instances[k] {
			if seen[inst] || !overlaps(v.first, v.last, inst.first-w, inst.last+w) {
				continue
			}
			seen[inst] = true
			for _, a := range inst.alerts {
				if !a.custom || overlaps(v.first, v.last, a.Start, a.End) {
					set = append(set, a)
				}
			}
		}
	}
	for _, a := range j.candidates(v) {
		if !j.inFlow[a] && overlaps(v.first, v.last, a.Start-w, a.End+w) {
			set = append(set, a)
		}
	}
	return j.matchCustom(v, set)
}

func (j *Joiner) matchCustom(v *view, set []*Alert) []*Alert {
	if !v.hasAddrs() {
		return set
	}
	for _, a := range j.custom {
		if overlaps(v.first, v.last, a.Start, a.End) && a.customMatches(v.src, v.dst) {
			set = append(set, a)
		}
	}
	return set
}

// matchUnkeyed returns the alerts of a record without a flow (step 3).
func (j *Joiner) matchUnkeyed(v *view, set []*Alert) []*Alert {
	if v.packet {
		for _, a := range j.packets[v.first] {
			if !v.hasAddrs() || addrsMatch(a, v) {
				set = append(set, a)
			}
		}
	}
	if !v.hasAddrs() {
		return set
	}
	w := int64(j.Window)
	for _, a := range j.byPair[makePair(v.src, v.dst)] {
		if a.matched == 0 && overlaps(v.first, v.last, a.Start-w, a.End+w) {
			set = append(set, a)
		}
	}
	return j.matchCustom(v, set)
}

func addrsMatch(a *Alert, v *view) bool {
	if a.custom {
		return a.customMatches(v.src, v.dst)
	}
	return (a.Src == v.src && a.Dst == v.dst) || (a.Src == v.dst && a.Dst == v.src)
}

// notePacket remembers a labelled record's packet time for step 3.
func (j *Joiner) notePacket(v *view, set []*Alert) {
	if !v.packet || len(set) == 0 {
		return
	}
	cur := j.packets[v.first]
	for _, a := range set {
		if !slices.Contains(cur, a) {
			cur = append(cur, a)
		}
	}
	j.packets[v.first] = cur
}

// Decision is a record's label.
type Decision struct {
	Label      string
	Category   string
	Severity   int64
	AlertCount int64
}

// decide turns matched alerts into a label per the mode, and counts the
// alerts as matched.
func (j *Joiner) decide(set []*Alert) Decision {
	if len(set) == 0 {
		return Decision{Label: Normal}
	}
	slices.SortFunc(set, func(a, b *Alert) int {
		return cmp.Or(cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.SignatureID, b.SignatureID),
			strings.Compare(a.Signature, b.Signature), cmp.Compare(a.Start, b.Start), cmp.Compare(a.index, b.index),
			boolCmp(a.custom, b.custom))
	})
	set = slices.Compact(set)
	for _, a := range set {
		a.matched++
	}
	d := Decision{Label: set[0].Signature, Category: set[0].Category, Severity: int64(set[0].Severity), AlertCount: int64(len(set))}
	var sigs, cats []string
	for _, a := range set {
		if !slices.Contains(sigs, a.Signature) {
			sigs = append(sigs, a.Signature)
		}
		if a.Category != "" && !slices.Contains(cats, a.Category) {
			cats = append(cats, a.Category)
		}
	}
	switch j.Mode {
	case Strict:
		if len(sigs) > 1 {
			d.Label = Ambiguous
			d.Category = strings.Join(cats, " | ")
		}
	case Collect:
		d.Label = strings.Join(sigs, " | ")
		d.Category = strings.Join(cats, " | ")
	}
	return d
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// fields locates the join's fields in a record type.
type fields struct {
	cid                protoreflect.FieldDescriptor
	srcIP, dstIP       protoreflect.FieldDescriptor
	srcPort, dstPort   protoreflect.FieldDescriptor
	ts, first, last    protoreflect.FieldDescriptor
	spanOK, keyedShape bool
	packet             bool
}

func fieldsOf(md protoreflect.MessageDescriptor) *fields {
	fd := func(names ...string) protoreflect.FieldDescriptor {
		for _, n := range names {
			if f := md.Fields().ByName(protoreflect.Name(n)); f != nil && !f.IsList() && !f.IsMap() {
				return f
			}
		}
		return nil
	}
	f := &fields{
		cid:   fd("CommunityID"),
		srcIP: fd("SrcIP", "ClientIP"), dstIP: fd("DstIP", "ServerIP"),
		srcPort: fd("SrcPort", "ClientPort"), dstPort: fd("DstPort", "ServerPort"),
		ts: fd("Timestamp"), first: fd("TimestampFirst"), last: fd("TimestampLast"),
	}
	f.spanOK = f.ts == nil && f.first != nil && f.last != nil
	f.keyedShape = f.cid != nil || (f.srcIP != nil && f.dstIP != nil && f.srcPort != nil && f.dstPort != nil)
	return f
}

// flowSpan reports whether the type defines flow instances (Connection, Flow).
func (f *fields) flowSpan() bool { return f.spanOK && f.keyedShape }

func (f *fields) view(m protoreflect.Message) (view, bool) {
	v := view{packet: f.packet}
	switch {
	case f.ts != nil:
		v.first = m.Get(f.ts).Int()
		v.last = v.first
	case f.spanOK:
		v.first, v.last, v.span = m.Get(f.first).Int(), m.Get(f.last).Int(), true
		if v.last < v.first {
			v.last = v.first
		}
	default:
		return v, false // no time: an aggregate
	}
	if f.cid != nil {
		v.cid = m.Get(f.cid).String()
	}
	if f.srcIP != nil && f.dstIP != nil {
		v.src, _ = netip.ParseAddr(m.Get(f.srcIP).String())
		v.dst, _ = netip.ParseAddr(m.Get(f.dstIP).String())
		v.src, v.dst = v.src.Unmap(), v.dst.Unmap()
	}
	if f.srcPort != nil && f.dstPort != nil {
		sp, ok1 := portOf(m.Get(f.srcPort), f.srcPort)
		dp, ok2 := portOf(m.Get(f.dstPort), f.dstPort)
		v.sport, v.dport, v.hasPorts = sp, dp, ok1 && ok2
	}
	return v, true
}

func portOf(v protoreflect.Value, fd protoreflect.FieldDescriptor) (uint16, bool) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		p, err := strconv.ParseUint(v.String(), 10, 16)
		return uint16(p), err == nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Int64Kind, protoreflect.Sint64Kind:
		p := v.Int()
		return uint16(p), p >= 0 && p <= 65535
	case protoreflect.Uint32Kind, protoreflect.Uint64Kind:
		p := v.Uint()
		return uint16(p), p <= 65535
	}
	return 0, false
}
