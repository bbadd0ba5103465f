package resolvers

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
)

// gunzipString decompresses an embedded table into one string. Rows are
// then sliced out of it, so every name in a table shares this one
// allocation instead of costing one each.
func gunzipString(gz []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	if _, err := io.Copy(&sb, zr); err != nil {
		return "", err
	}
	return sb.String(), zr.Close()
}
