package types

// CommunityIDSetter is implemented by every record with a CommunityID field
// (TestCommunityIDSetters checks that none is missing): the parser sets the
// field through it, without reflection, on every packet. The setters are
// generated (zz_generated.go, from types/internal/gen).
type CommunityIDSetter interface {
	SetCommunityID(id string)
}
