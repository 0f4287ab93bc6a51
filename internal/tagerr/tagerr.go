// Package tagerr holds the one sentinel by which every service-tag source
// says "no such tag", so that allowlist and servicetag share it without
// importing each other.
package tagerr

import "errors"

// ErrUnknownTag is allowlist.ErrUnknownTag. servicetag's *UnknownTagError
// matches it as well as servicetag.ErrUnknownTag.
var ErrUnknownTag = errors.New("allowlist: unknown service tag")
