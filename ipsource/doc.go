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
// an allowlist denies the request on any of them. [ProxyListener] reports
// the connections it closes with [*ProxyError] values of their own kinds
// ([ErrProxyMissing], [ErrProxyMalformed], [ErrProxyUntrusted]).
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
//	AWS Network Load Balancer,  RemoteAddr(), on a ProxyListener(ln,        the addresses the header arrives from: the
//	Azure Private Link Service  trusted)                                    NLB's private addresses, the Private Link
//	(PROXY protocol v2)                                                     Service's NAT IP addresses
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
// # PROXY protocol
//
// Load balancers that forward TCP rather than HTTP cannot add a header.
// Instead they send the client's address in a PROXY protocol header before
// the connection's first byte: an AWS Network Load Balancer with proxy
// protocol v2 enabled on the target group (with the VPC endpoint ID in a
// TLV when it serves a VPC endpoint service), Azure Private Link Service
// with TCP proxy v2 enabled (with the private endpoint's LINKID in a TLV),
// HAProxy with send-proxy or send-proxy-v2 on a server line, and nginx's
// stream module with proxy_protocol on (v1). [ProxyListener] reads the
// header and makes its source the connection's RemoteAddr:
//
//	ln, err := ipsource.ProxyListener(tcpListener, loadBalancers)
//	srv := &http.Server{Handler: h, ConnContext: ipsource.ProxyConnContext}
//	srv.Serve(ln) // with TLS: srv.Serve(tls.NewListener(ln, cfg))
//
// so [RemoteAddr] is the strategy behind it. The header is required from
// the trusted prefixes and refused from every other peer; a missing,
// malformed or inconsistent header closes the connection. LOCAL and
// UNKNOWN headers, which name no client, leave their requests without a
// client address ([ErrNoPeer]). [ProxyHeaderFromContext] gives handlers
// the header itself, so a service behind Private Link can allow by private
// endpoint ([ProxyHeader.AzureLinkID], [ProxyHeader.AWSVPCEndpointID]) as
// well as by address.
//
// Trust the addresses the header arrives from: the NLB's private addresses,
// or the Private Link Service's NAT IP addresses. With client IP
// preservation on, an NLB connects from the client's own address, which is
// not trusted, so the header is refused: turn one of the two off. Whether a
// header is expected is decided by the peer's address, never by looking at
// the bytes: a listener that took a header from anyone who sent one would
// let a client that reaches it directly write its own address.
//
// # Proxy traps
//
// A trusted proxy is only as good as its configuration. These settings
// hand the client address to the client:
//
//   - A proxy on the same host that connects from 127.0.0.1. Trusting
//     127.0.0.1 then trusts every local process, each of which can connect
//     and send any header. Give the proxy a source address of its own and
//     trust only that: nginx proxy_bind 127.0.0.2; HAProxy source 127.0.0.2
//     (Linux routes all of 127.0.0.0/8 to the loopback interface).
//   - Headers passed on untouched. HAProxy's option forwardfor if-none adds
//     X-Forwarded-For only if the request has none, so a client that sends
//     one chooses it; a proxy that passes a client's X-Real-IP or
//     True-Client-IP through without setting it makes that header the
//     client's. Read a single-IP header only from a proxy that always sets
//     it.
//
// Walking from the right works whether a proxy appends its peer to
// X-Forwarded-For or overwrites the header with it, as long as every
// trusted proxy does one of the two. Which setting does which:
//
//   - nginx: proxy_set_header X-Forwarded-For $remote_addr overwrites the
//     header with the peer; $proxy_add_x_forwarded_for appends the peer to
//     what arrived.
//   - HAProxy: option forwardfor appends a new X-Forwarded-For field line
//     (this package reads all lines, in order); http-request set-header
//     X-Forwarded-For %[src] overwrites.
//   - Envoy: use_remote_address: true appends the peer; false, the default,
//     passes the header on as it came. xff_num_trusted_hops only changes
//     which entry Envoy itself takes for the client.
//   - Traefik: the entry point drops X-Forwarded-For from peers outside
//     forwardedHeaders.trustedIPs and keeps it from trusted ones, then
//     appends the peer; forwardedHeaders.insecure keeps it from everyone.
//   - Caddy: reverse_proxy replaces X-Forwarded-For with the peer unless the
//     peer is in trusted_proxies, in which case it appends; with no
//     trusted_proxies it always replaces.
//
// # Transport
//
// net/http does not accept TLS 0-RTT data; a proxy in front that does must
// not forward it to endpoints guarded by an allowlist. For servers that
// hand such requests to handlers, every strategy that reads the peer
// refuses a request whose r.TLS shows an incomplete handshake
// ([ErrNoPeer]): its source address is not verified yet.
package ipsource
