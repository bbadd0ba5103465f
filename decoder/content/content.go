// Package content tells the media type of a body or file from its first
// bytes. The stream decoders (HTTP bodies, mail attachments, extracted
// files) and the HTTP proxy fill their "detected content type" fields with
// it, so both write the same value for the same bytes.
//
// It imports only the standard library: the proxy uses it without
// depending on the stream decoders.
package content

import "net/http"

// SniffBytes is how many leading bytes DetectType reads; callers keep
// that many of a body for it.
const SniffBytes = 512

// DetectType sniffs a media type from a body's first bytes (the WHATWG
// algorithm of net/http), without parameters ("text/html", not
// "text/html; charset=utf-8"). It returns "" for an empty body.
func DetectType(head []byte) string {
	if len(head) == 0 {
		return ""
	}
	t := http.DetectContentType(head)
	if mt, _, err := MediaTypeParam(t, ""); err == nil {
		return mt
	}
	return t
}
