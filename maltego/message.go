// Package maltego speaks Maltego's local transform protocol: the
// arguments Maltego passes (entity value, then properties as
// k=v#k=v), the XML response on stdout (entities with properties,
// display information and link labels, UI messages, exceptions), netcap's
// entity types, the transforms over audit records, and the configuration
// archive (.mtz) a user imports.
//
// It reads record files (io) and captures (source); it must not import
// the capture engine (collector), the registry or the decoders.
package maltego

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/netcap-go/netcap/types"
)

// Message types of a UI message.
const (
	Fatal   = "FatalError"
	Partial = "PartialError"
	Inform  = "Inform"
	Debug   = "Debug"
)

// Entity is one entity of a response.
type Entity struct {
	Type      string
	Value     string
	Weight    int
	LinkLabel string            // shown on the link from the input entity
	Props     map[string]string // additional fields (e.g. path)
	Display   string            // HTML shown in the detail view
	IconURL   string
}

// Prop sets a property and returns the entity.
func (e *Entity) Prop(name, value string) *Entity {
	if e.Props == nil {
		e.Props = map[string]string{}
	}
	e.Props[name] = value
	return e
}

// Response is what a transform returns.
type Response struct {
	Entities []*Entity
	Messages []UIMessage
}

// UIMessage is shown in Maltego's transform output window.
type UIMessage struct {
	Type, Text string
}

// Add appends an entity and returns it.
func (r *Response) Add(typ, value string) *Entity {
	e := &Entity{Type: typ, Value: value, Weight: 100}
	r.Entities = append(r.Entities, e)
	return e
}

// Inform adds a UI message.
func (r *Response) Inform(format string, a ...any) {
	r.Messages = append(r.Messages, UIMessage{Inform, fmt.Sprintf(format, a...)})
}

// The XML shapes of Maltego's transform messages.
type xmlMessage struct {
	XMLName   xml.Name      `xml:"MaltegoMessage"`
	Response  *xmlResponse  `xml:"MaltegoTransformResponseMessage,omitempty"`
	Exception *xmlException `xml:"MaltegoTransformExceptionMessage,omitempty"`
}

type xmlResponse struct {
	Entities   []xmlEntity    `xml:"Entities>Entity"`
	UIMessages []xmlUIMessage `xml:"UIMessages>UIMessage"`
}

type xmlException struct {
	Exceptions []string `xml:"Exceptions>Exception"`
}

type xmlEntity struct {
	Type    string     `xml:"Type,attr"`
	Value   string     `xml:"Value"`
	Weight  int        `xml:"Weight"`
	Display *xmlLabels `xml:"DisplayInformation,omitempty"`
	Fields  []xmlField `xml:"AdditionalFields>Field,omitempty"`
	IconURL string     `xml:"IconURL,omitempty"`
}

type xmlLabels struct {
	Labels []xmlLabel `xml:"Label"`
}

type xmlLabel struct {
	Name string `xml:"Name,attr"`
	Type string `xml:"Type,attr"`
	Text string `xml:",cdata"`
}

type xmlField struct {
	Name         string `xml:"Name,attr"`
	DisplayName  string `xml:"DisplayName,attr"`
	MatchingRule string `xml:"MatchingRule,attr"`
	Value        string `xml:",chardata"`
}

type xmlUIMessage struct {
	Type string `xml:"MessageType,attr"`
	Text string `xml:",chardata"`
}

// LinkLabelField is the property that labels the link to an entity.
const LinkLabelField = "link#maltego.link.label"

// Write writes the response as Maltego's XML.
func (r *Response) Write(w io.Writer) error {
	out := xmlMessage{Response: &xmlResponse{}}
	for _, e := range r.Entities {
		x := xmlEntity{Type: e.Type, Value: clean(e.Value), Weight: e.Weight, IconURL: e.IconURL}
		names := make([]string, 0, len(e.Props))
		for k := range e.Props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			x.Fields = append(x.Fields, xmlField{Name: k, DisplayName: displayName(k), MatchingRule: "strict", Value: clean(e.Props[k])})
		}
		if e.LinkLabel != "" {
			x.Fields = append(x.Fields, xmlField{Name: LinkLabelField, DisplayName: "Label", MatchingRule: "loose", Value: clean(e.LinkLabel)})
		}
		if e.Display != "" {
			x.Display = &xmlLabels{Labels: []xmlLabel{{Name: "netcap", Type: "text/html", Text: clean(e.Display)}}}
		}
		out.Response.Entities = append(out.Response.Entities, x)
	}
	for _, m := range r.Messages {
		out.Response.UIMessages = append(out.Response.UIMessages, xmlUIMessage{Type: m.Type, Text: clean(m.Text)})
	}
	return writeXML(w, out)
}

// WriteException writes an exception message: Maltego shows it as the
// transform's error.
func WriteException(w io.Writer, msg string) error {
	return writeXML(w, xmlMessage{Exception: &xmlException{Exceptions: []string{clean(msg)}}})
}

func writeXML(w io.Writer, v any) error {
	b, err := xml.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	// Nothing may come before the XML ("Content is not allowed in prolog").
	if _, err := w.Write(b); err != nil {
		return err
	}
	_, err = w.Write([]byte("\n"))
	return err
}

// clean makes s fit XML 1.0, which cannot carry control characters
// (but TAB, CR and LF), bytes that are not UTF-8, U+FFFE and U+FFFF: they
// are written \xNN, as record strings escape them (types.EscapeControls),
// so nothing is lost; record strings are escaped already and pass as they
// are.
func clean(s string) string {
	s = types.EscapeControls(s, true)
	if strings.ContainsAny(s, "\uFFFE\uFFFF") {
		s = xmlNonCharacters.Replace(s)
	}
	return s
}

var xmlNonCharacters = strings.NewReplacer("\uFFFE", `\xef\xbf\xbe`, "\uFFFF", `\xef\xbf\xbf`)

func displayName(prop string) string {
	if prop == "" {
		return ""
	}
	return strings.ToUpper(prop[:1]) + prop[1:]
}

// Args are what Maltego passes to a local transform.
type Args struct {
	Value string
	Props map[string]string
}

// ParseArgs reads the entity value and the k=v#k=v properties (after the
// transform name). "#" and "=" inside values come escaped as "\#" and
// "\="; Maltego also passes "&amp;"-style entities for some characters.
func ParseArgs(args []string) Args {
	a := Args{Props: map[string]string{}}
	if len(args) > 0 {
		a.Value = args[0]
	}
	if len(args) < 2 {
		return a
	}
	for _, kv := range splitUnescaped(args[1], '#') {
		parts := splitUnescaped(kv, '=')
		if len(parts) == 0 || parts[0] == "" {
			continue
		}
		k := unescape(parts[0])
		v := ""
		if len(parts) > 1 {
			v = unescape(strings.Join(parts[1:], "="))
		}
		a.Props[k] = v
	}
	return a
}

// splitUnescaped splits s at sep not preceded by a backslash.
func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			continue
		}
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

var unescaper = strings.NewReplacer(`\#`, "#", `\=`, "=", `\\`, `\`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'")

func unescape(s string) string { return unescaper.Replace(s) }
