// Package ipsource decides which client address a request comes from, in a
// way that no request can choose.
//
// An allowlist is only as good as the address it checks. By default that is
// the TCP peer, which is all that Azure Kubernetes Service's authorized IP
// ranges ever see:
//
//	src := ipsource.RemoteAddr()
//	client, err := src.ClientIP(r) // deny the request if err != nil
//
// Behind proxies, the header strategies read the address that the proxies
// recorded, and trust it only as far as the proxies are trusted:
//
//   - [XForwardedFor] and [Forwarded] (RFC 7239) walk the list that proxies
//     append to from the right, skip the entries of trusted proxies, and
//     return the first untrusted entry.
//   - [Header] reads a header that a proxy sets to one address, such as
//     CF-Connecting-IP or X-Azure-SocketIP, optionally only when a companion
//     header proves which proxy customer sent it ([RequireHeader]).
//   - [XForwardedForCount] and [ForwardedCount] take the entry at a fixed
//     position from the right. Prefer the prefix strategies; see below.
//
// # Rules
//
// Every strategy given trusted prefixes first checks the TCP peer: a peer
// outside the trusted prefixes is itself the client, and no header is read.
// So a server that can be reached both directly and through the proxy cannot
// be fooled by a forged header sent directly.
//
// Exactly one header is read: the configured one, under its canonical name,
// with all its field lines merged in order. Other spellings (X_Forwarded_For),
// other headers and trailers are never consulted.
//
// Nothing falls back. An empty or malformed entry where the walk stops, a
// missing header, a list in which every entry is trusted, a repeated
// single-IP header: each is an error, never the leftmost entry, the proxy's
// address or another header's value. Errors are [*Error] values that wrap a
// kind ([ErrNoPeer], [ErrHeaderMissing], [ErrHeaderRepeated], [ErrMalformed],
// [ErrNoUntrustedHop], [ErrTooManyHops], [ErrCompanion]) for [errors.Is];
// an allowlist denies the request on any of them.
//
// Addresses are parsed strictly with net/netip, never repaired: IPv4,
// IPv4:port, IPv6, [IPv6] and [IPv6]:port are accepted; zones, IPv4 in
// brackets, leading zeros, "unknown", obfuscated identifiers and non-ASCII
// bytes are rejected. An IPv4-mapped address (::ffff:a.b.c.d) is unmapped
// before it is compared with the trusted prefixes and before it is returned,
// so IPv4 prefixes match it; NAT64 (64:ff9b::/96), 6to4 and IPv4-compatible
// addresses are different IPv6 addresses and stay as they are. A returned
// address is always valid, unzoned and unmapped.
//
// A request costs the same whatever the size of its headers: at most
// [MaxHops] list entries are examined, each within 128 bytes of the previous
// comma; a Forwarded field, which must be tokenized whole to find syntax
// errors, is limited to 16 KiB.
//
// # Trusted prefixes
//
// Trusted prefixes are the addresses of your proxies as the next hop sees
// them. The constructors reject an empty list (with no proxy, use
// [RemoteAddr]: a strategy that trusts nothing would only ever return the
// peer, and an empty list is far more often a configuration that failed to
// load than a choice), invalid prefixes, prefixes with host bits set,
// IPv4-mapped prefixes (write 10.0.0.0/8, not ::ffff:10.0.0.0/104; peers are
// unmapped first, so the IPv4 prefix also matches mapped peers), and /0
// prefixes. The package ships no lists of CDN ranges, because they change:
// pass Cloudflare's published ranges, or the expansion of the Azure service
// tag AzureFrontDoor.Backend from package servicetag, yourself, and refresh
// them.
//
// Trust as little as you can. Trusting all private ranges makes every pod and
// every VM in them a "proxy" whose header is believed.
//
// # Deployments
//
// Which strategy and which trusted prefixes to use:
//
//	Deployment                  Strategy                                    Trusted prefixes
//	--------------------------  ------------------------------------------  --------------------------------------------
//	Direct (no proxy)           RemoteAddr()                                none
//	Azure Load Balancer         RemoteAddr()                                none: it forwards packets and keeps the
//	                                                                        client's source address (in AKS, set the
//	                                                                        Service's externalTrafficPolicy: Local, or
//	                                                                        kube-proxy replaces it with a node's)
//	Azure Application Gateway   XForwardedFor(trusted)                      the Application Gateway subnet, e.g.
//	                                                                        10.1.0.0/24; its entries carry ports
//	                                                                        ("203.0.113.7:50123"), which are accepted
//	Azure Front Door            Header("X-Azure-SocketIP", trusted,         service tag AzureFrontDoor.Backend; the
//	                              RequireHeader("X-Azure-FDID", id))        ranges are shared by every Front Door
//	                                                                        profile, so X-Azure-FDID must equal your
//	                                                                        profile's ID; never X-Azure-ClientIP
//	Cloudflare                  Header("CF-Connecting-IP", trusted)         Cloudflare's published ranges
//	                                                                        (cloudflare.com/ips), passed by you; they
//	                                                                        are shared by all Cloudflare customers, so
//	                                                                        add a secret header with a Transform Rule
//	                                                                        and RequireHeader, or use authenticated
//	                                                                        origin pulls
//	nginx ingress controller    XForwardedFor(trusted)                      the ingress controller pods' prefix; by
//	                                                                        default ingress-nginx sends its TCP peer as
//	                                                                        X-Forwarded-For, and with compute-full-
//	                                                                        forwarded-for it appends it; do not set
//	                                                                        use-forwarded-headers without compute-full-
//	                                                                        forwarded-for and a narrow proxy-real-ip-
//	                                                                        cidr, or it forwards a client-chosen value
//	Envoy (Istio, Contour,      XForwardedFor(trusted), or, with Envoy as   the Envoy pods' prefix; Envoy appends its
//	Envoy Gateway)              the edge and use_remote_address: true,      peer when use_remote_address is true
//	                            Header("X-Envoy-External-Address", trusted)
//	Proxies that append         Forwarded(trusted)                          the proxies' prefixes
//	RFC 7239 Forwarded
//
// # Why prefixes, not counts
//
// The count strategies believe the entry at a fixed position from the right
// and do not look at the TCP peer. If a client ever reaches the server, or a
// proxy after the first, without passing through every counted proxy (a
// second ingress path, a port forward, a tier removed in a migration), the
// entry at that position is one the client wrote, and nothing in the request
// shows it. The prefix strategies answer such a request with its real peer
// address instead. Use a count only where the proxies' addresses cannot be
// known, such as a proxy that connects over a unix socket (where
// r.RemoteAddr is "@" and every prefix strategy fails with [ErrNoPeer]).
//
// # Outside this package
//
// The PROXY protocol belongs to the listener: accept it only from the load
// balancer's addresses and reject it from everyone else. net/http does not
// accept TLS 0-RTT data; a proxy in front that does must not forward it to
// endpoints guarded by an allowlist. For servers that hand such requests to
// handlers, every strategy that reads the peer refuses a request whose
// r.TLS shows an incomplete handshake ([ErrNoPeer]): its source address is
// not verified yet.
package ipsource
