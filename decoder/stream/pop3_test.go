package stream_test

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netcap-go/netcap/internal/streamtest"
	"github.com/netcap-go/netcap/internal/testutil"
	"github.com/netcap-go/netcap/internal/tsharktest"
	"github.com/netcap-go/netcap/types"
)

// pop3Captures are the public POP3 captures (the README's 4).
var pop3Captures = []string{
	"public/arkime/pop3-tag.pcap",
	"public/suricata-verify/pop3/input.pcap",
	"public/zeek/traces/pop3/pop3.pcap",
	"public/ndpi/pop3.pcap",
}

// ourPOP3 returns the POP3 records of a capture by flow.
func ourPOP3(t *testing.T, pcap string) map[string]*types.POP3 {
	out := map[string]*types.POP3{}
	for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_POP3) {
		r := m.(*types.POP3)
		out[mailHostPort(r.ClientIP, r.ClientPort)+"->"+mailHostPort(r.ServerIP, r.ServerPort)] = r
	}
	return out
}

// pop3Statuses returns the status lines of our Commands ("+OK …",
// "-ERR …"; not the "+ " challenges of AUTH) and the client lines.
func pop3Lines(commands []string) (client, status []string) {
	for _, e := range commands {
		if l, ok := strings.CutPrefix(e, "C: "); ok {
			client = append(client, l)
		} else if l, ok := strings.CutPrefix(e, "S: "); ok && (strings.HasPrefix(l, "+OK") || strings.HasPrefix(l, "-ERR")) {
			status = append(status, l)
		}
	}
	return
}

// TestPOP3AgainstTshark: for every POP3 connection, the client's lines are
// tshark's requests (pop.request.command and .parameter: tshark shows
// every client line as a request, the answers to AUTH challenges too) and
// our status lines its responses (pop.response.indicator and
// .description), in order.
func TestPOP3AgainstTshark(t *testing.T) {
	testutil.SharedDir(t) // the POP3 captures are public ones
	conns, reqs, resps := 0, 0, 0
	for _, rel := range pop3Captures {
		pcap, ok := mailCapture(t, rel)
		if !ok {
			continue
		}
		ours := ourPOP3(t, pcap)
		type view struct{ cmds, params, inds, descs []string }
		want := map[string]*view{}
		for _, p := range mailTshark(t, pcap, "pop.request.command or pop.response.indicator", "pop.request.command",
			"pop.request.parameter", "pop.response.indicator", "pop.response.description") {
			flow := p.flow(p.first("pop.response.indicator") == "")
			v := want[flow]
			if v == nil {
				v = &view{}
				want[flow] = v
			}
			v.cmds = append(v.cmds, p["pop.request.command"]...)
			v.params = append(v.params, p["pop.request.parameter"]...)
			v.inds = append(v.inds, p["pop.response.indicator"]...)
			v.descs = append(v.descs, p["pop.response.description"]...)
		}
		for flow, w := range want {
			r := ours[flow]
			if r == nil {
				t.Errorf("%s %s: no POP3 record", rel, flow)
				continue
			}
			conns++
			client, status := pop3Lines(r.Commands)
			var cmds, params, inds, descs []string
			for _, l := range client {
				c, p, _ := strings.Cut(l, " ")
				cmds = append(cmds, c)
				if p != "" {
					params = append(params, p)
				}
			}
			for _, l := range status {
				i, d, _ := strings.Cut(l, " ")
				inds = append(inds, i)
				if d != "" {
					descs = append(descs, d)
				}
			}
			if !slices.Equal(cmds, w.cmds) || !slices.Equal(params, w.params) || !slices.Equal(inds, w.inds) || !slices.Equal(descs, w.descs) {
				t.Errorf("%s %s:\n ours   %q %q %q %q\n tshark %q %q %q %q", rel, flow, cmds, params, inds, descs, w.cmds, w.params, w.inds, w.descs)
			}
			reqs += len(cmds)
			resps += len(inds)
		}
		for flow := range ours {
			if want[flow] == nil {
				t.Errorf("%s %s: a POP3 record tshark has no POP for", rel, flow)
			}
		}
	}
	t.Logf("%d connections: %d requests and %d responses equal to tshark's", conns, reqs, resps)
	if conns < 12 {
		t.Fatalf("compared %d connections", conns)
	}
}

// TestPOP3AgainstZeek: Zeek's pop3 test output (pop3_request and
// pop3_reply events of zeek's pop3.pcap, connections in order): the
// commands with their arguments and the replies with their text, each in
// order. Zeek
// does not report the client's answers to AUTH challenges, nor the
// server's "+ " challenges.
func TestPOP3AgainstZeek(t *testing.T) {
	dir := filepath.Join(testutil.SharedDir(t), "public", "zeek")
	b, err := os.ReadFile(filepath.Join(dir, "expected", "scripts.base.protocols.pop3.basic", "out"))
	if err != nil {
		t.Skip(err)
	}
	var uids []string
	events := map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.SplitN(l, ", ", 5)
		if len(f) != 5 {
			continue
		}
		if _, seen := events[f[0]]; !seen {
			uids = append(uids, f[0])
		}
		kind := "C: "
		if f[1] == "pop3_reply" {
			kind = "S: "
		}
		events[f[0]] = append(events[f[0]], kind+f[3]+" "+f[4])
	}
	var recs []*types.POP3
	for _, m := range streamtest.DecodeAll(t, filepath.Join(dir, "traces", "pop3", "pop3.pcap")).Records(types.Type_NC_POP3) {
		recs = append(recs, m.(*types.POP3))
	}
	slices.SortFunc(recs, func(a, b *types.POP3) int { return int(a.Timestamp - b.Timestamp) })
	if len(recs) != len(uids) {
		t.Fatalf("%d POP3 records, Zeek has %d connections", len(recs), len(uids))
	}
	n := 0
	for i, uid := range uids {
		var got []string
		afterChallenge := false
		for _, e := range recs[i].Commands {
			switch {
			case strings.HasPrefix(e, "S: + "), e == "S: +":
				afterChallenge = true
				continue
			case strings.HasPrefix(e, "C: ") && afterChallenge:
				afterChallenge = false
				continue
			}
			kind, line := e[:3], e[3:]
			if kind == "S: " {
				// Zeek: "OK"/"ERR" and the text.
				ind, text, _ := strings.Cut(line, " ")
				got = append(got, kind+strings.TrimLeft(ind, "+-")+" "+text)
				continue
			}
			cmd, arg, _ := strings.Cut(line, " ")
			got = append(got, kind+cmd+" "+arg)
		}
		// Zeek pairs each request with its reply; we keep the wire's order,
		// where a client may send several commands before the replies
		// (CAPA and QUIT in one segment): compare each side's sequence.
		side := func(ev []string, kind string) (out []string) {
			for _, e := range ev {
				if strings.HasPrefix(e, kind) {
					out = append(out, e)
				}
			}
			return
		}
		for _, kind := range []string{"C: ", "S: "} {
			if !slices.Equal(side(got, kind), side(events[uid], kind)) {
				t.Errorf("connection %d (%s):\n ours %q\n Zeek %q", i, uid, side(got, kind), side(events[uid], kind))
			}
		}
		n += len(got)
	}
	t.Logf("%d connections, %d events equal to Zeek's", len(uids), n)
}

// TestPOP3AgainstSuricata: suricata-verify's pop3 test counts 56 POP3
// transactions (the greeting and 55 commands with their responses), 49 of
// them successful TOPs, USER with its argument and the greeting's text;
// each TOP's response is a Mail.
func TestPOP3AgainstSuricata(t *testing.T) {
	pcap, ok := mailCapture(t, "public/suricata-verify/pop3/input.pcap")
	if !ok {
		t.Skip("capture absent")
	}
	recs := ourPOP3(t, pcap)
	if len(recs) != 1 {
		t.Fatalf("%d POP3 records, want 1", len(recs))
	}
	for _, r := range recs {
		client, status := pop3Lines(r.Commands)
		tops := 0
		for i, c := range client {
			if strings.HasPrefix(c, "TOP ") && i+1 < len(status) && strings.HasPrefix(status[i+1], "+OK") {
				tops++
			}
		}
		if len(status) != 56 || tops != 49 || len(r.MailIDs) != 49 {
			t.Errorf("%d transactions, %d TOPs, %d Mails; Suricata: 56, 49 TOPs", len(status), tops, len(r.MailIDs))
		}
		if status[0] != "+OK POP server ready H mieueus020 1Mw7UO-1j88qA02mS-00sOH0" || client[0] != "USER moises.nunez@ingenierianumar.com" ||
			status[1] != `+OK password required for user "moises.nunez@ingenierianumar.com"` {
			t.Errorf("greeting %q, first command %q, its reply %q", status[0], client[0], status[1])
		}
	}
}

// TestPOP3MailHeadersAgainstTshark: the header fields tshark's IMF shows
// of the messages retrieved (RETR) and of the heads listed (TOP).
func TestPOP3MailHeadersAgainstTshark(t *testing.T) {
	testutil.SharedDir(t) // the POP3 captures are public ones
	msgs, fields := 0, 0
	for _, rel := range pop3Captures {
		pcap, ok := mailCapture(t, rel)
		if !ok {
			continue
		}
		ids := map[string][]string{}
		for flow, r := range ourPOP3(t, pcap) {
			ids[flow] = r.MailIDs
		}
		m, f := checkMailHeaders(t, "pop3:"+rel, pcap, ids)
		msgs += m
		fields += f
	}
	t.Logf("%d message heads, %d header fields equal to tshark's IMF", msgs, fields)
	if msgs < 50 {
		t.Fatalf("compared %d messages", msgs)
	}
}

// TestPOP3MailSizesAgainstLIST: a POP3 server's scan listing (LIST) gives
// each message's exact size in octets (RFC 1939 5): every message we read
// from a RETR has the size the server listed for it. The listings and
// the RETR commands are read from tshark's PDML.
func TestPOP3MailSizesAgainstLIST(t *testing.T) {
	testutil.SharedDir(t) // the POP3 captures are public ones
	n := 0
	for _, rel := range pop3Captures {
		pcap, ok := mailCapture(t, rel)
		if !ok {
			continue
		}
		sizes := map[string]map[string]int{} // flow → message number → size
		wantSizes := map[string][]int{}      // flow → sizes of the messages RETR got
		last := map[string]string{}          // flow → the last command
		for _, p := range tsharktest.PDML(t, pcap, "pop") {
			get := map[string][]*tsharktest.Node{}
			for _, f := range p.Nodes() {
				get[f.Name] = append(get[f.Name], f)
			}
			src := map[string]string{}
			for _, k := range []string{"ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport"} {
				if v := get[k]; len(v) > 0 {
					src[k] = v[0].Show
				}
			}
			pkt := mailTsharkPacket{}
			for k, v := range src {
				pkt[k] = []string{v}
			}
			if cmds := get["pop.request.command"]; len(cmds) > 0 {
				flow := pkt.flow(true)
				params := get["pop.request.parameter"]
				for i, c := range cmds {
					cmd := strings.ToUpper(c.Show)
					param := ""
					if len(cmds) == 1 && len(params) == 1 {
						param = params[0].Show
					} else if i < len(params) {
						param = params[i].Show
					}
					last[flow] = cmd + " " + param
				}
				continue
			}
			flow := pkt.flow(false)
			ind := get["pop.response.indicator"]
			if len(ind) == 0 || ind[0].Show != "+OK" {
				continue
			}
			cmd, param, _ := strings.Cut(last[flow], " ")
			switch {
			case cmd == "LIST" && param == "":
				for _, d := range get["pop.response.data"] {
					b, _ := hex.DecodeString(d.Value)
					num, size, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
					if s, err := strconv.Atoi(size); ok && err == nil {
						if sizes[flow] == nil {
							sizes[flow] = map[string]int{}
						}
						sizes[flow][num] = s
					}
				}
			case cmd == "RETR":
				s, ok := sizes[flow][param]
				if !ok {
					t.Fatalf("%s %s: RETR %s of a message no LIST listed", rel, flow, param)
				}
				wantSizes[flow] = append(wantSizes[flow], s)
			}
		}
		mails := ourMails(t, pcap)
		recs := ourPOP3(t, pcap)
		for flow, want := range wantSizes {
			r := recs[flow]
			if r == nil {
				t.Errorf("%s %s: no POP3 record", rel, flow)
				continue
			}
			// Our Mails are the RETR and TOP responses, in order.
			var got []int
			client, _ := pop3Lines(r.Commands)
			ids := r.MailIDs
			for _, c := range client {
				c = strings.ToUpper(c)
				if !strings.HasPrefix(c, "RETR ") && !strings.HasPrefix(c, "TOP ") || len(ids) == 0 {
					continue
				}
				if strings.HasPrefix(c, "RETR ") {
					got = append(got, int(mails[ids[0]].Size))
				}
				ids = ids[1:]
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: message sizes %v, LIST says %v", rel, flow, got, want)
			}
			n += len(got)
		}
	}
	t.Logf("%d retrieved messages of the size their server listed", n)
	if n < 5 {
		t.Fatalf("compared %d messages", n)
	}
}

// TestPOP3Credentials: the logins of the POP3 captures, as tshark shows
// them: USER and PASS parameters, and the PLAIN answer after AUTH PLAIN
// (the client line tshark shows as a request; base64-decoded here, RFC
// 4616), with the server's verdict (the +OK or -ERR that follows).
func TestPOP3Credentials(t *testing.T) {
	testutil.SharedDir(t) // the POP3 captures are public ones
	n := 0
	for _, rel := range pop3Captures {
		pcap, ok := mailCapture(t, rel)
		if !ok {
			continue
		}
		var want []string
		user, pass, authPlain := map[string]string{}, map[string]string{}, map[string]bool{}
		for _, p := range mailTshark(t, pcap, "pop.request.command or pop.response.indicator", "pop.request.command",
			"pop.request.parameter", "pop.response.indicator") {
			if ind := p.first("pop.response.indicator"); ind != "" {
				flow := p.flow(false)
				if pass[flow] != "" {
					verdict := map[string]string{"+OK": "accepted (+OK)", "-ERR": "rejected (-ERR)"}[ind]
					want = append(want, flow+" "+user[flow]+" "+pass[flow]+" "+verdict)
					pass[flow] = ""
				}
				continue
			}
			flow := p.flow(true)
			for i, c := range p["pop.request.command"] {
				param := ""
				if ps := p["pop.request.parameter"]; i < len(ps) {
					param = ps[i]
				}
				switch {
				case strings.EqualFold(c, "USER"):
					user[flow] = param
				case strings.EqualFold(c, "PASS"):
					pass[flow] = param
				case strings.EqualFold(c, "AUTH") && strings.EqualFold(param, "PLAIN"):
					authPlain[flow] = true
				case authPlain[flow]:
					authPlain[flow] = false
					b, _ := base64.StdEncoding.DecodeString(c)
					if f := strings.Split(string(b), "\x00"); len(f) == 3 {
						user[flow], pass[flow] = f[1], f[2]
					}
				}
			}
		}
		var got []string
		for _, m := range streamtest.DecodeAll(t, pcap).Records(types.Type_NC_Credentials) {
			c := m.(*types.Credentials)
			if c.Service != "POP3" {
				t.Errorf("%s: %s credentials", rel, c.Service)
			}
			_, verdict, _ := strings.Cut(c.Notes, ": ")
			got = append(got, c.Flow+" "+c.User+" "+c.Password+" "+verdict)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: credentials\n ours   %q\n tshark %q", rel, got, want)
		}
		n += len(got)
	}
	t.Logf("%d POP3 logins equal to tshark's", n)
	if n < 6 {
		t.Fatalf("found %d logins", n)
	}
}
