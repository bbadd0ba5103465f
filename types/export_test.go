package types

// Planned reports whether c renders with its plan, not with Format.Row.
func Planned(c *Columns) bool { return c.plan != nil }
