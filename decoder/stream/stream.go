// Package stream decodes application protocols from reassembled
// connections (package reassembly). It holds the framework every stream
// decoder plugs into (Protocol, Session, Observer, Run, Worker, Conn), the
// protocols HTTP, SSH, SMTP and POP3 with the records they derive (File,
// Mail, Credentials of their logins), the run-wide Software store they
// feed, and two observers of its own: the -conns writer and the reader of
// TLS hellos that span segments.
//
// Every connection gets a Conn (the reassembly.Handler). It keeps the first
// bytes of both directions, in the order they arrived, until one Protocol
// recognises the conversation by content (the server port only breaks
// ties), then replays them into that protocol's Session and streams the
// rest to it. Observers (service banners, credential harvesters, the
// -conns writer) see every connection, whatever its protocol. Sessions
// emit records as soon as they are complete: an HTTP request/response pair
// when the response ends, not when the connection does.
//
// Nothing registers itself: the caller lists the protocols and observers
// it wants, in order, when it makes the Run (NewRun). Observers of other
// packages (decoder/service, decoder/credentials, decoder/vuln) import this
// package for Conn, Observer and Run; this package must not import them,
// nor anything above the decoders (collector, io, cmd).
package stream

import (
	"github.com/netcap-go/netcap/decoder"
	"github.com/netcap-go/netcap/decoder/flow"
	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Direction re-exports reassembly's directions.
type Direction = reassembly.Direction

const (
	ClientToServer = reassembly.ClientToServer
	ServerToClient = reassembly.ServerToClient
)

// Verdict is a protocol's answer to "is this conversation yours?".
type Verdict uint8

const (
	NeedMore Verdict = iota // not enough bytes to tell
	No
	Yes
)

// Protocol is an application protocol read from streams.
type Protocol interface {
	// Info describes the protocol's main record type; its Name is the
	// protocol's name ("HTTP"), also the -include key of that type.
	Info() decoder.Info
	// Detect says whether a conversation that starts with these bytes
	// (the first bytes of each direction, either may be empty) speaks the
	// protocol. It must answer No or Yes once either side holds
	// DetectBytes bytes.
	Detect(info *reassembly.ConnInfo, client, server []byte) Verdict
	// Ports are the server ports the protocol usually has, tried first.
	Ports() []uint16
	// New starts decoding a connection.
	New(c *Conn) Session
}

// Session decodes one connection of a protocol.
type Session interface {
	Data(dir Direction, data []byte, ts int64)
	Gap(dir Direction, n int64)
	Close(ts int64)
}

// Observer sees every connection's data, whatever its protocol. New may
// return nil to skip a connection.
type Observer interface {
	New(c *Conn) Session
}

// NewObserver makes an observer for a run, or returns nil when the run
// does not need it (its record types are not enabled). It may register
// work for the end of the run (Run.OnFlush).
type NewObserver func(*Run) Observer

// The derived record types this package writes (for -decoders, -include
// and -exclude); each protocol describes its own (Protocol.Info).
var (
	FileInfo        = decoder.Info{Name: "File", Type: types.Type_NC_File, Group: decoder.GroupAbstract, Description: "files carried by HTTP, SMTP and POP3"}
	CredentialsInfo = decoder.Info{Name: "Credentials", Type: types.Type_NC_Credentials, Group: decoder.GroupAbstract, Description: "user names and passwords seen in clear text"}
	MailInfo        = decoder.Info{Name: "Mail", Type: types.Type_NC_Mail, Group: decoder.GroupAbstract, Description: "e-mails carried by SMTP and POP3"}
	SoftwareInfo    = decoder.Info{Name: "Software", Type: types.Type_NC_Software, Group: decoder.GroupAbstract, Description: "software products and versions seen in banners and headers"}
	AlertInfo       = decoder.Info{Name: "Alert", Type: types.Type_NC_Alert, Group: decoder.GroupAbstract, Description: "alerts raised by analysers and labelling"}
)

// Options configure stream decoding.
type Options struct {
	// Enabled is the record types written (nil: all of them).
	Enabled decoder.Set
	// FileStorage is where extracted files go ("" keeps only the records).
	FileStorage string
	// ConnsDir is where -conns writes raw conversations ("" is off).
	ConnsDir string
	// Payloads keeps HTTP bodies in the HTTP records.
	Payloads bool
	// MaxBodyBytes bounds a message body kept in memory (for hashing,
	// extraction and records); larger bodies are hashed as they stream
	// and cut in memory. Default 16 MiB.
	MaxBodyBytes int
	// NVDPath is a local NVD CVE feed (JSON, 1.1 feed or API 2.0 format,
	// optionally gzipped) that the software seen is looked up in for
	// Vulnerability records ("" is off; see package decoder/vuln).
	NVDPath string
	// ExploitDBPath is exploit-db's files_exploits.csv, looked up for
	// Exploit records ("" is off).
	ExploitDBPath string
	// CommunityID computes the Community ID records carry (its seed).
	CommunityID flow.CommunityID
	// MaxServices and MaxSoftware bound the services and software
	// products the run aggregates (0: service.DefaultMaxServices and
	// DefaultMaxSoftware); past them new ones are dropped and counted.
	MaxServices, MaxSoftware int
}

// DetectBytes is how much of each direction is kept while detecting the
// protocol; DetectLimit bounds both directions together.
const (
	DetectBytes = 4096
	DetectLimit = 16384
)
