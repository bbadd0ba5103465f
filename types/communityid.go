package types

// CommunityIDSetter is implemented by every record with a CommunityID field
// (TestCommunityIDSetters checks that none is missing): the parser sets the
// field through it, without reflection, on every packet.
type CommunityIDSetter interface {
	SetCommunityID(id string)
}

// SetCommunityID sets the CommunityID field.
func (x *CIP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *Connection) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *Credentials) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *DHCPv4) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *DHCPv6) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *DNS) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *ENIP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *File) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *Flow) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *HTTP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *ICMPv4) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *ICMPv6) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *ICMPv6Echo) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *Mail) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *Modbus) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *NTP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *POP3) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *SCTP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *SIP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *SMTP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *SSH) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *TCP) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *TLSClientHello) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *TLSServerHello) SetCommunityID(id string) { x.CommunityID = id }

// SetCommunityID sets the CommunityID field.
func (x *UDP) SetCommunityID(id string) { x.CommunityID = id }
