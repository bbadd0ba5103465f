package stream

import (
	"strconv"

	"github.com/netcap-go/netcap/reassembly"
	"github.com/netcap-go/netcap/types"
)

// Alert records are not decoded from traffic: analysers and labelling
// raise them. A session or observer that detects something raises one on
// its connection with c.EmitAlert: the endpoints (client as source, server
// as destination) and the protocol are filled in from the connection when
// the alert leaves them empty, and the record is written when the Alert
// type is enabled (-include/-exclude), like every other record:
//
//	c.EmitAlert(&types.Alert{Timestamp: ts, Name: "cleartext-login",
//		Description: "FTP login without TLS", MITRE: "T1040"})
//
// Code that has no connection writes the record itself with its emitter:
// emit(types.Type_NC_Alert, &types.Alert{…}).

// EmitAlert writes an Alert about the connection.
func (c *Conn) EmitAlert(a *types.Alert) {
	if !c.Enabled(types.Type_NC_Alert) || a == nil {
		return
	}
	if a.SrcIP == "" && a.DstIP == "" {
		a.SrcIP, a.SrcPort = c.Info.Client.Addr.String(), strconv.Itoa(int(c.Info.Client.Port))
		a.DstIP, a.DstPort = c.Info.Server.Addr.String(), strconv.Itoa(int(c.Info.Server.Port))
	}
	if a.Protocol == "" {
		a.Protocol = "TCP"
		if c.Info.Transport == reassembly.UDP {
			a.Protocol = "UDP"
		}
		if c.protocol != nil {
			a.Protocol = c.protocol.Info().Name
		}
	}
	a.Name, a.Description, a.Notes = types.WireString(a.Name), types.WireString(a.Description), types.WireString(a.Notes)
	c.Emit(types.Type_NC_Alert, a)
}
