package store

import (
	"encoding/base64"

	"github.com/apigw-local/apigw-local/emulator/awserr"
)

// DefaultLimit and MaxLimit bound apigateway (v1) list pages.
const (
	DefaultLimit = 25
	MaxLimit     = 500
)

// paginate returns the page of items that starts at position (an opaque token naming the
// key of its first item) and the token of the next page, "" on the last one.
func paginate[T any](items []T, position string, limit int, key func(T) string) ([]T, string, error) {
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 0 || limit > MaxLimit {
		return nil, "", awserr.New(awserr.BadRequest, "Invalid limit %d: the limit must be between 1 and 500", limit)
	}
	start := 0
	if position != "" {
		raw, err := base64.RawURLEncoding.DecodeString(position)
		if err != nil {
			return nil, "", awserr.New(awserr.BadRequest, "Invalid position parameter: %s", position)
		}
		start = -1
		for i, it := range items {
			if key(it) == string(raw) {
				start = i
				break
			}
		}
		if start < 0 {
			// The item the token names is gone: the page is empty rather than an error.
			return []T{}, "", nil
		}
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
	}
	return items[start:end], next, nil
}
