package servicetag

import "errors"

// ErrMappedPrefix reports an IPv4-mapped IPv6 prefix such as
// ::ffff:10.0.0.0/104. Addresses are matched unmapped, so such a prefix
// would never match; it is rejected, and the error names the IPv4 prefix
// to write instead.
var ErrMappedPrefix = errors.New("servicetag: prefix is IPv4-mapped IPv6")
