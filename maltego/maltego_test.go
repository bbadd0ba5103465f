package maltego

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// TestResponseXML: values with control bytes, invalid UTF-8, markup and
// CDATA terminators still give a well-formed message with the text kept.
func TestResponseXML(t *testing.T) {
	r := &Response{}
	e := r.Add(DNSName, "a<b>&c\x00\x01\xff")
	e.Prop("path", "/x/y & z").LinkLabel = "3"
	e.Display = "<p>]]> done</p>"
	r.Inform("ok %d", 1)
	var b bytes.Buffer
	if err := r.Write(&b); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Entities []struct {
			Type  string `xml:"Type,attr"`
			Value string `xml:"Value"`
		} `xml:"MaltegoTransformResponseMessage>Entities>Entity"`
	}
	dec := xml.NewDecoder(&b)
	dec.Strict = true
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(m.Entities) != 1 || !strings.HasPrefix(m.Entities[0].Value, "a<b>&c") {
		t.Errorf("%+v", m)
	}
	var ex bytes.Buffer
	WriteException(&ex, "bad \x00 thing")
	if err := xml.Unmarshal(ex.Bytes(), new(struct{})); err != nil || !strings.Contains(ex.String(), "MaltegoTransformExceptionMessage") {
		t.Errorf("exception: %v\n%s", err, ex.String())
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{"toDNSQuestions": "To DNS Questions", "toJA3Hashes": "To JA3 Hashes", "openConnectionInWireshark": "Open Connection In Wireshark"} {
		if got := titleOf(in); got != want {
			t.Errorf("%s: %q", in, got)
		}
	}
}

// FuzzParseArgs: any argument string parses, and any parsed value writes
// a well-formed message.
func FuzzParseArgs(f *testing.F) {
	f.Add("v", `path=file:///x\#y#a=b\=c`)
	f.Add("-1", "#==#\\")
	f.Fuzz(func(t *testing.T, value, props string) {
		a := ParseArgs([]string{value, props})
		r := &Response{}
		e := r.Add(IPAddr, a.Value+"x")
		for k, v := range a.Props {
			e.Prop("p"+k, v)
		}
		var b bytes.Buffer
		if err := r.Write(&b); err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(b.Bytes(), new(struct{})); err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
	})
}

// TestCleanKeepsBytes: what XML 1.0 cannot carry is written \xNN, not
// replaced; record strings (escaped already) and text pass unchanged.
func TestCleanKeepsBytes(t *testing.T) {
	for in, want := range map[string]string{
		`caf\xe9 a\\b`:         `caf\xe9 a\\b`,
		"two\r\n\tlines é":     "two\r\n\tlines é",
		"nul\x00 bad\xff":      `nul\x00 bad\xff`,
		"non\uFFFEchar\uFFFF":  `non\xef\xbf\xbechar\xef\xbf\xbf`,
		"c1\u0085 esc\x1b[31m": `c1\xc2\x85 esc\x1b[31m`,
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
