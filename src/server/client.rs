//! Who a request comes from: the socket's peer, or — only when that peer is
//! one of the `trusted_proxies` — the address the proxy says it forwarded
//! for (`X-Forwarded-For`, else `Forwarded`). Nobody else's headers are
//! believed, so a customer cannot pose as another address.
//!
//! Limits and sessions key a client by [`Client::key`]: the IPv4 address,
//! or the /64 network of an IPv6 address (one subscriber's prefix, which a
//! client can rotate addresses within at will).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;

use super::state::AppState;

/// The client of a request (an extractor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The client's own address, as far as it can be known.
    pub ip: IpAddr,
    /// Whether the client reached us over HTTPS (as a trusted proxy says).
    pub https: bool,
}

impl Client {
    /// What limits and sessions count by: see the module's documentation.
    pub fn key(&self) -> IpAddr {
        key_of(self.ip)
    }
}

/// The address a client is counted by: IPv4 as it is (IPv4-mapped IPv6
/// included), IPv6 cut to its /64.
pub fn key_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The networks whose forwarding headers are believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses; the error
    /// names the entry that is neither.
    pub fn parse(entries: &[String]) -> Result<TrustedProxies, String> {
        entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`trusted_proxies`: `{entry}` is not an address or a CIDR such as 10.0.0.0/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`: `peer` itself unless it is trusted; then the
    /// right-most forwarded address that is not a trusted proxy (the left
    /// ones are whatever the client chose to send).
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> Client {
        if !self.contains(peer) {
            return Client { ip: peer, https: false };
        }
        let chain = forwarded_for(headers);
        let ip = chain.iter().rev().copied().find(|ip| !self.contains(*ip)).or_else(|| chain.first().copied()).unwrap_or(peer);
        Client { ip, https: forwarded_proto(headers).is_some_and(|p| p.eq_ignore_ascii_case("https")) }
    }
}

/// The addresses of `X-Forwarded-For` (all of its headers, in order), else
/// the `for=` of `Forwarded`; entries that are not addresses are skipped.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let x_forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| parse_node(part.trim()))
        .collect();
    if !x_forwarded.is_empty() {
        return x_forwarded;
    }
    forwarded_pairs(headers, "for").iter().filter_map(|value| parse_node(value)).collect()
}

fn forwarded_proto(headers: &HeaderMap) -> Option<String> {
    if let Some(proto) = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        return proto.split(',').next_back().map(|p| p.trim().to_string());
    }
    forwarded_pairs(headers, "proto").pop()
}

/// The values of `name=` in every element of every `Forwarded` header (RFC 7239).
fn forwarded_pairs(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().trim_matches('"').to_string())
        })
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    node.strip_prefix('[').and_then(|rest| rest.split(']').next()).and_then(|ip| ip.parse().ok())
}

impl Client {
    /// The client of a request with these extensions and headers; a request
    /// that came through no socket (none in doumi) is `0.0.0.0`.
    pub fn of(extensions: &Extensions, headers: &HeaderMap, state: &AppState) -> Client {
        let peer = extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        state.trusted_proxies.client(peer, headers)
    }
}

/// Worked out where it is needed rather than by a middleware for every
/// request: most requests never ask.
impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Client, Self::Rejection> {
        Ok(Client::of(&parts.extensions, &parts.headers, state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into()]).unwrap();
        let forged = headers(&[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-proto", "https")]);
        assert_eq!(proxies.client(ip("203.0.113.9"), &forged), Client { ip: ip("203.0.113.9"), https: false });
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &forged).ip, ip("10.0.0.1"), "no proxies configured: nothing is believed");
    }

    #[test]
    fn a_trusted_proxy_names_the_client_right_most_first() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        // The client sent a forged 6.6.6.6; the proxy appended the real peer.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.20, 10.0.0.7"), ("x-forwarded-proto", "https")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &chain), Client { ip: ip("198.51.100.20"), https: true });
        assert_eq!(proxies.client(ip("::1"), &chain).ip, ip("198.51.100.20"));
        let forwarded = headers(&[("forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.3")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &forwarded), Client { ip: ip("2001:db8:cafe::17"), https: true });
        assert_eq!(proxies.client(ip("10.0.0.1"), &HeaderMap::new()).ip, ip("10.0.0.1"), "a direct request from the proxy host");
        let garbage = headers(&[("x-forwarded-for", "unknown, <script>")]);
        assert_eq!(proxies.client(ip("10.0.0.1"), &garbage).ip, ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        assert_eq!(key_of(ip("2001:db8:1:2:aaaa::1")), key_of(ip("2001:db8:1:2:ffff:1:2:3")));
        assert_ne!(key_of(ip("2001:db8:1:2::1")), key_of(ip("2001:db8:1:3::1")));
        assert_eq!(key_of(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(key_of(ip("192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn a_bad_proxy_entry_is_named() {
        let error = TrustedProxies::parse(&["10.0.0.0/8".into(), "proxy.example".into()]).unwrap_err();
        assert!(error.contains("`proxy.example`"), "{error}");
        assert!(TrustedProxies::parse(&["10.0.0.0/33".into()]).is_err());
    }
}
