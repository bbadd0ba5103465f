package maltego

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"strings"
	"unicode"
)

// The configuration archive (.mtz) Maltego imports: the entity category,
// the entities, every transform as a local transform (definition +
// settings: command, parameters, working directory), a transform set and
// the local server entry that lists them.

type xmlEntityDef struct {
	XMLName           xml.Name `xml:"MaltegoEntity"`
	ID                string   `xml:"id,attr"`
	DisplayName       string   `xml:"displayName,attr"`
	DisplayNamePlural string   `xml:"displayNamePlural,attr"`
	Description       string   `xml:"description,attr"`
	Category          string   `xml:"category,attr"`
	SmallIcon         string   `xml:"smallIconResource,attr"`
	LargeIcon         string   `xml:"largeIconResource,attr"`
	AllowedRoot       bool     `xml:"allowedRoot,attr"`
	ConversionOrder   int      `xml:"conversionOrder,attr"`
	Visible           bool     `xml:"visible,attr"`
	BaseEntities      []string `xml:"BaseEntities>BaseEntity,omitempty"`
	Properties        struct {
		Value        string        `xml:"value,attr"`
		DisplayValue string        `xml:"displayValue,attr"`
		Groups       struct{}      `xml:"Groups"`
		Fields       []xmlFieldDef `xml:"Fields>Field"`
	} `xml:"Properties"`
}

type xmlFieldDef struct {
	Name        string `xml:"name,attr"`
	Type        string `xml:"type,attr"`
	Nullable    bool   `xml:"nullable,attr"`
	Hidden      bool   `xml:"hidden,attr"`
	Readonly    bool   `xml:"readonly,attr"`
	Description string `xml:"description,attr"`
	DisplayName string `xml:"displayName,attr"`
	SampleValue string `xml:"SampleValue"`
}

type xmlTransformDef struct {
	XMLName            xml.Name               `xml:"MaltegoTransform"`
	Name               string                 `xml:"name,attr"`
	DisplayName        string                 `xml:"displayName,attr"`
	Abstract           bool                   `xml:"abstract,attr"`
	Template           bool                   `xml:"template,attr"`
	Visibility         string                 `xml:"visibility,attr"`
	Description        string                 `xml:"description,attr"`
	Author             string                 `xml:"author,attr"`
	RequireDisplayInfo bool                   `xml:"requireDisplayInfo,attr"`
	Adapter            string                 `xml:"TransformAdapter"`
	Properties         []xmlTransformProperty `xml:"Properties>Fields>Property"`
	Input              []xmlConstraint        `xml:"InputConstraints>Entity"`
	Output             []xmlConstraint        `xml:"OutputEntities>Entity,omitempty"`
	DefaultSets        []xmlSetRef            `xml:"defaultSets>Set"`
	StealthLevel       int                    `xml:"StealthLevel"`
}

type xmlTransformProperty struct {
	Name         string `xml:"name,attr"`
	Type         string `xml:"type,attr"`
	Nullable     bool   `xml:"nullable,attr"`
	Hidden       bool   `xml:"hidden,attr"`
	Readonly     bool   `xml:"readonly,attr"`
	Description  string `xml:"description,attr"`
	Popup        bool   `xml:"popup,attr"`
	Abstract     bool   `xml:"abstract,attr"`
	Visibility   string `xml:"visibility,attr"`
	Auth         bool   `xml:"auth,attr"`
	DisplayName  string `xml:"displayName,attr"`
	DefaultValue string `xml:"DefaultValue,omitempty"`
	SampleValue  string `xml:"SampleValue"`
}

type xmlConstraint struct {
	Type string `xml:"type,attr"`
	Min  int    `xml:"min,attr"`
	Max  int    `xml:"max,attr"`
}

type xmlSetRef struct {
	Name string `xml:"name,attr"`
}

type xmlTransformSettings struct {
	XMLName            xml.Name              `xml:"TransformSettings"`
	Enabled            bool                  `xml:"enabled,attr"`
	DisclaimerAccepted bool                  `xml:"disclaimerAccepted,attr"`
	ShowHelp           bool                  `xml:"showHelp,attr"`
	RunWithAll         bool                  `xml:"runWithAll,attr"`
	Favorite           bool                  `xml:"favorite,attr"`
	Properties         []xmlSettingsProperty `xml:"Properties>Property"`
}

type xmlSettingsProperty struct {
	Name  string `xml:"name,attr"`
	Type  string `xml:"type,attr"`
	Popup bool   `xml:"popup,attr"`
	Value string `xml:",chardata"`
}

type xmlTransformSet struct {
	XMLName     xml.Name    `xml:"TransformSet"`
	Name        string      `xml:"name,attr"`
	Description string      `xml:"description,attr"`
	Transforms  []xmlSetRef `xml:"Transforms>Transform"`
}

type xmlServer struct {
	XMLName     xml.Name `xml:"MaltegoServer"`
	Name        string   `xml:"name,attr"`
	Enabled     bool     `xml:"enabled,attr"`
	Description string   `xml:"description,attr"`
	URL         string   `xml:"url,attr"`
	LastSync    string   `xml:"LastSync"`
	Protocol    struct {
		Version string `xml:"version,attr"`
	} `xml:"Protocol"`
	Authentication struct {
		Type string `xml:"type,attr"`
	} `xml:"Authentication"`
	Transforms []xmlSetRef `xml:"Transforms>Transform"`
	Seeds      struct{}    `xml:"Seeds"`
}

type xmlCategory struct {
	XMLName xml.Name `xml:"EntityCategory"`
	Name    string   `xml:"name,attr"`
}

// Category is the entity palette group of netcap's entities.
const Category = "Netcap"

// SetName is the transform set.
const SetName = "Netcap"

// TransformID is the Maltego name of a transform.
func TransformID(name string) string { return "netcap." + name }

// titleOf turns toDNSQuestions into "To DNS Questions".
func titleOf(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		if i == 0 {
			b.WriteRune(unicode.ToUpper(r))
			continue
		}
		// a new word starts at an upper-case letter after a lower-case one,
		// or at the last upper-case letter of a run followed by lower case
		if unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && (unicode.IsUpper(rs[i-1]) || unicode.IsDigit(rs[i-1]))) {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// GenerateConfig writes the .mtz archive: binary is the net executable
// Maltego runs, workdir its working directory.
func GenerateConfig(w io.Writer, binary, workdir string) error {
	z := zip.NewWriter(w)
	put := func(name string, v any) error {
		f, err := z.Create(name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(f)
		enc.Indent("", "  ")
		return enc.Encode(v)
	}
	if err := put("EntityCategories/netcap.category", xmlCategory{Name: Category}); err != nil {
		return err
	}
	for _, e := range Entities() {
		d := xmlEntityDef{ID: e.ID, DisplayName: e.DisplayName, DisplayNamePlural: e.Plural, Description: e.Description,
			Category: Category, SmallIcon: e.Icon, LargeIcon: e.Icon, AllowedRoot: true, ConversionOrder: 2147483647, Visible: true}
		if e.Parent != "" {
			d.BaseEntities = []string{e.Parent}
		}
		main := "properties." + e.Property
		d.Properties.Value, d.Properties.DisplayValue = main, main
		d.Properties.Fields = []xmlFieldDef{
			{Name: main, Type: "string", Nullable: true, DisplayName: e.DisplayName, SampleValue: "-"},
			{Name: "path", Type: "string", Nullable: true, DisplayName: "Path", Description: "netcap record file or folder"},
		}
		if err := put("Entities/"+e.ID+".entity", d); err != nil {
			return err
		}
	}
	var refs []xmlSetRef
	for _, t := range Transforms() {
		id := TransformID(t.Name)
		refs = append(refs, xmlSetRef{Name: id})
		def := xmlTransformDef{Name: id, DisplayName: titleOf(t.Name) + " [Netcap]", Visibility: "public", Description: t.Description,
			Author: "netcap", Adapter: "com.paterva.maltego.transform.protocol.v2api.LocalTransformAdapterV2",
			Input: []xmlConstraint{{Type: t.Input, Min: 1, Max: 1}}, DefaultSets: []xmlSetRef{{Name: SetName}}}
		if t.Output != "" && !strings.Contains(t.Output, "*") {
			def.Output = []xmlConstraint{{Type: t.Output, Min: 1, Max: 1}}
		}
		prop := func(name, typ, display, desc, def string, nullable bool) xmlTransformProperty {
			return xmlTransformProperty{Name: name, Type: typ, Nullable: nullable, Description: desc, Visibility: "public", DisplayName: display, DefaultValue: def}
		}
		def.Properties = []xmlTransformProperty{
			prop("transform.local.command", "string", "Command line", "The command to execute for this transform", "", false),
			prop("transform.local.parameters", "string", "Command parameters", "The parameters to pass to the transform command", "", true),
			prop("transform.local.working-directory", "string", "Working directory", "The working directory used when invoking the executable", "/", true),
			prop("transform.local.debug", "boolean", "Show debug info", "When this is set, the transform's text output will be printed to the output window", "false", true),
		}
		if err := put("TransformRepositories/Local/"+id+".transform", def); err != nil {
			return err
		}
		settings := xmlTransformSettings{Enabled: true, ShowHelp: true, RunWithAll: true, Properties: []xmlSettingsProperty{
			{Name: "transform.local.command", Type: "string", Value: binary},
			{Name: "transform.local.parameters", Type: "string", Value: "transform " + t.Name},
			{Name: "transform.local.working-directory", Type: "string", Value: workdir},
			{Name: "transform.local.debug", Type: "boolean", Value: "false"},
		}}
		if err := put("TransformRepositories/Local/"+id+".transformsettings", settings); err != nil {
			return err
		}
	}
	if err := put("TransformSets/"+SetName+".set", xmlTransformSet{Name: SetName, Description: "netcap: transforms over audit records", Transforms: refs}); err != nil {
		return err
	}
	srv := xmlServer{Name: "Local", Enabled: true, Description: "Local transforms hosted on this machine", URL: "http://localhost", LastSync: "2026-01-01 00:00:00 UTC", Transforms: refs}
	srv.Protocol.Version = "0.0"
	srv.Authentication.Type = "none"
	if err := put("Servers/Local.tas", srv); err != nil {
		return err
	}
	return z.Close()
}
