package stream

import (
	"github.com/netcap-go/netcap/types"
)

// Credentials records are this package's (stream.CredentialsInfo): HTTP, SMTP and
// POP3 write them, and the harvester of package decoder/credentials (FTP,
// IMAP, Telnet) writes through the same method, so each credential is
// written once per connection whoever finds it.

// EmitCredentials writes a Credentials record, once per connection for
// the same service, user and password. Records are per connection (not
// deduplicated over the run) so that each says which flow carried it and
// the set of records does not depend on how flows were spread over
// workers.
func (c *Conn) EmitCredentials(service, user, password, notes string, ts int64) {
	if !c.Enabled(types.Type_NC_Credentials) || user == "" && password == "" {
		return
	}
	k := [3]string{service, user, password}
	if c.creds == nil {
		c.creds = map[[3]string]bool{}
	}
	if c.creds[k] {
		return
	}
	c.creds[k] = true
	c.Emit(types.Type_NC_Credentials, &types.Credentials{
		Timestamp: ts, Service: service, Flow: c.Ident,
		User: types.WireString(user), Password: types.WireString(password), Notes: types.WireString(notes),
	})
}
