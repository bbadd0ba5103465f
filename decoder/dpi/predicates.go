package dpi

// Content predicates shared with the stream decoders (decoder/stream and
// its observers), so that the classifier and the decoders agree on what
// starts a protocol. They take the bytes of one line or of a
// conversation's start, never allocate and never panic.

// IsReplyLine reports whether line (without its line end) is a reply of
// the FTP family (RFC 959 4.2; SMTP and NNTP reply alike): a three-digit
// code 1xx to 5xx, then a space, a hyphen (more lines follow) or nothing.
func IsReplyLine(line []byte) bool {
	if len(line) < 3 || line[0] < '1' || line[0] > '5' || !isDigit(line[1]) || !isDigit(line[2]) {
		return false
	}
	return len(line) == 3 || line[3] == ' ' || line[3] == '-'
}
