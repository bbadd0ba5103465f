package tsharktest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Conversation is a row of tshark's conversation table (-z conv,tcp or
// -z conv,udp).
type Conversation struct {
	A, B string // the endpoints as tshark writes them: "addr:port"
	// Frames and Bytes are the table's columns: B to A ("<-"), A to B
	// ("->") and in all. tshark writes a byte count exactly ("8512 bytes")
	// below 10 kB and rounded ("334 kB") from there; see ExactBytes.
	Frames [3]int64
	Bytes  [3]string
}

// conversationRow matches a row: the endpoints, then frames and bytes
// three times ("228 334 kB").
var conversationRow = regexp.MustCompile(`^(\S+)\s+<->\s+(\S+)\s+(\d+) (\S+ \S+)\s+(\d+) (\S+ \S+)\s+(\d+) (\S+ \S+)`)

// Conversations runs tshark -q -z conv,transport on pcap ("tcp", "udp",
// "ip" ...) and returns the table's rows.
func Conversations(t testing.TB, pcap, transport string) []Conversation {
	t.Helper()
	return parseConversations(string(Run(t, append(readArgs(pcap, ""), "-q", "-z", "conv,"+transport)...)))
}

func parseConversations(out string) []Conversation {
	var convs []Conversation
	for line := range strings.SplitSeq(out, "\n") {
		m := conversationRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c := Conversation{A: m[1], B: m[2]}
		for i := range 3 {
			c.Frames[i], _ = strconv.ParseInt(m[3+2*i], 10, 64)
			c.Bytes[i] = m[4+2*i]
		}
		convs = append(convs, c)
	}
	return convs
}

// ExactBytes returns a byte count of the table and whether tshark wrote
// it exactly ("8512 bytes", not "334 kB").
func ExactBytes(s string) (int64, bool) {
	n, unit, _ := strings.Cut(s, " ")
	if unit != "bytes" {
		return 0, false
	}
	v, err := strconv.ParseInt(n, 10, 64)
	return v, err == nil
}
