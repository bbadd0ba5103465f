package maltego

import (
	"slices"
	"strings"

	"github.com/netcap-go/netcap/types"
)

// EntityType describes one netcap entity for the configuration archive.
type EntityType struct {
	ID          string // netcap.IPAddr
	DisplayName string
	Plural      string
	Description string
	// Property is the entity's main property (its value); Maltego names
	// it properties.<lower id suffix>.
	Property string
	Icon     string // a Maltego built-in icon name
	Parent   string // a Maltego entity it extends (maltego.IPv4Address …), optional
}

// Entity type IDs.
const (
	PCAP           = "netcap.PCAP"
	IPAddr         = "netcap.IPAddr"
	Device         = "netcap.Device"
	Service        = "netcap.Service"
	Credentials    = "netcap.Credentials"
	Login          = "netcap.Login"
	File           = "netcap.File"
	ContentType    = "netcap.ContentType"
	Email          = "netcap.Email"
	Mail           = "netcap.Mail"
	DNSName        = "netcap.DNSName"
	HTTPHost       = "netcap.HTTPHost"
	UserAgent      = "netcap.UserAgent"
	HTTPStatusCode = "netcap.HTTPStatusCode"
	HTTPParameter  = "netcap.HTTPParameter"
	HTTPCookie     = "netcap.HTTPCookie"
	SNI            = "netcap.SNI"
	JA3            = "netcap.JA3"
	JA4            = "netcap.JA4"
	Software       = "netcap.Software"
	SSHClient      = "netcap.SSHClient"
	SSHServer      = "netcap.SSHServer"
	Location       = "netcap.Location"
	Application    = "netcap.Application"
	Connection     = "netcap.Connection"
	Folder         = "netcap.Folder"
)

var baseEntities = []EntityType{
	{ID: PCAP, DisplayName: "PCAP", Plural: "PCAPs", Description: "A packet capture file (pcap or pcapng)", Icon: "File"},
	{ID: IPAddr, DisplayName: "IP Address", Plural: "IP Addresses", Description: "An address seen in the traffic", Icon: "IPv4Address", Parent: "maltego.IPv4Address"},
	{ID: Device, DisplayName: "Device", Plural: "Devices", Description: "A device by MAC address", Icon: "Device"},
	{ID: Service, DisplayName: "Service", Plural: "Services", Description: "A server seen answering: address, port and protocol", Icon: "Service"},
	{ID: Credentials, DisplayName: "Credentials", Plural: "Credentials", Description: "User and password seen in clear text", Icon: "Key"},
	{ID: Login, DisplayName: "Login", Plural: "Logins", Description: "A user name that logged in", Icon: "Person"},
	{ID: File, DisplayName: "File", Plural: "Files", Description: "A file carried by HTTP, SMTP or POP3", Icon: "File"},
	{ID: ContentType, DisplayName: "Content Type", Plural: "Content Types", Description: "A media type of files", Icon: "File"},
	{ID: Email, DisplayName: "Email Address", Plural: "Email Addresses", Description: "An email address", Icon: "EmailAddress", Parent: "maltego.EmailAddress"},
	{ID: Mail, DisplayName: "Mail", Plural: "Mails", Description: "A mail message seen in SMTP or POP3", Icon: "Email"},
	{ID: DNSName, DisplayName: "DNS Name", Plural: "DNS Names", Description: "A name asked in DNS", Icon: "DNSName", Parent: "maltego.DNSName"},
	{ID: HTTPHost, DisplayName: "HTTP Host", Plural: "HTTP Hosts", Description: "A Host header value", Icon: "Website"},
	{ID: UserAgent, DisplayName: "User Agent", Plural: "User Agents", Description: "An HTTP User-Agent", Icon: "Computer"},
	{ID: HTTPStatusCode, DisplayName: "HTTP Status Code", Plural: "HTTP Status Codes", Description: "An HTTP response status", Icon: "Phrase"},
	{ID: HTTPParameter, DisplayName: "HTTP Parameter", Plural: "HTTP Parameters", Description: "A query or form parameter name", Icon: "Phrase"},
	{ID: HTTPCookie, DisplayName: "HTTP Cookie", Plural: "HTTP Cookies", Description: "A cookie name", Icon: "Phrase"},
	{ID: SNI, DisplayName: "Server Name Indication", Plural: "Server Name Indications", Description: "A TLS SNI", Icon: "Website"},
	{ID: JA3, DisplayName: "JA3", Plural: "JA3 Hashes", Description: "A TLS client fingerprint (JA3 MD5)", Icon: "Hash"},
	{ID: JA4, DisplayName: "JA4", Plural: "JA4 Fingerprints", Description: "A TLS client fingerprint (JA4)", Icon: "Hash"},
	{ID: Software, DisplayName: "Software", Plural: "Software", Description: "A software product and version", Icon: "Computer"},
	{ID: SSHClient, DisplayName: "SSH Client", Plural: "SSH Clients", Description: "An SSH client (banner, HASSH)", Icon: "Computer"},
	{ID: SSHServer, DisplayName: "SSH Server", Plural: "SSH Servers", Description: "An SSH server (banner, HASSH server)", Icon: "Server"},
	{ID: Location, DisplayName: "Location", Plural: "Locations", Description: "A geolocation of addresses", Icon: "Location", Parent: "maltego.Location"},
	{ID: Application, DisplayName: "Application", Plural: "Applications", Description: "An application protocol detected by content", Icon: "Service"},
	{ID: Connection, DisplayName: "Connection", Plural: "Connections", Description: "A connection (5-tuple) with its capture", Icon: "Link"},
	{ID: Folder, DisplayName: "Folder", Plural: "Folders", Description: "A directory of netcap files", Icon: "Folder"},
}

// AuditRecordsEntity is the entity type of a record file of type t.
func AuditRecordsEntity(t types.Type) string { return "netcap." + t.Name() + "AuditRecords" }

// Entities returns every netcap entity type: the base ones and one
// <Type>AuditRecords per record type.
func Entities() []EntityType {
	out := slices.Clone(baseEntities)
	var names []string
	for _, n := range types.Type_name {
		names = append(names, strings.TrimPrefix(n, "NC_"))
	}
	slices.Sort(names)
	for _, n := range names {
		t, ok := types.TypeByName(n)
		if !ok || t.Name() == "Header" {
			continue
		}
		out = append(out, EntityType{ID: AuditRecordsEntity(t), DisplayName: t.Name() + " Audit Records",
			Plural: t.Name() + " Audit Records", Description: "A netcap record file of " + t.Name() + " records", Icon: "File"})
	}
	for i := range out {
		if out[i].Property == "" {
			out[i].Property = strings.ToLower(strings.TrimPrefix(out[i].ID, "netcap."))
		}
	}
	return out
}
