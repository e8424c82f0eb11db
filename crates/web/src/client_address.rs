//! The address of the client behind a request: the TCP peer, unless the peer is one of the
//! configured trusted reverse proxies, in which case the proxies' `X-Forwarded-For` says who
//! they forwarded for. A client reaching Guichet directly cannot pretend to be someone else
//! by sending the header itself.

use axum::http::HeaderMap;
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::net::IpAddr;
use std::str::FromStr;

/// A trusted proxy: one address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet(pub IpNet);

impl FromStr for ProxyNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Ok(net) = IpNet::from_str(s) {
            return Ok(ProxyNet(net));
        }
        IpAddr::from_str(s)
            .map(|ip| ProxyNet(IpNet::from(ip)))
            .map_err(|_| format!("{s:?} is neither an IP address nor a network like 10.0.0.0/8"))
    }
}

impl std::fmt::Display for ProxyNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for ProxyNet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProxyNet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn trusted(ip: IpAddr, proxies: &[ProxyNet]) -> bool {
    // An IPv4 peer may show as an IPv4-mapped IPv6 address on a dual-stack socket.
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    proxies.iter().any(|p| p.0.contains(&ip))
}

/// The client's address: walking `X-Forwarded-For` from the nearest hop back, the first
/// address that is not a trusted proxy. The header is read only when the peer itself is a
/// trusted proxy; an entry that is not an address stops the walk at the last trusted hop.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, proxies: &[ProxyNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = IpAddr::from_str(hop) else {
            break;
        };
        client = ip;
        if !trusted(ip, proxies) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let proxies = ["10.0.0.0/8".parse().unwrap(), "127.0.0.1".parse().unwrap()];
        let h = headers("203.0.113.9");
        assert_eq!(
            client_address(ip("198.51.100.7"), &h, &proxies),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("10.1.2.3"), &h, &proxies),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), &h, &proxies),
            ip("203.0.113.9")
        );
        assert_eq!(client_address(ip("10.1.2.3"), &h, &[]), ip("10.1.2.3"));
    }

    #[test]
    fn a_spoofed_leftmost_entry_is_skipped() {
        let proxies = ["10.0.0.0/8".parse().unwrap()];
        // The client wrote "1.2.3.4" itself; the proxy appended the real address.
        let h = headers("1.2.3.4, 203.0.113.9, 10.0.0.2");
        assert_eq!(
            client_address(ip("10.0.0.1"), &h, &proxies),
            ip("203.0.113.9")
        );
        let h = headers("garbage, 10.0.0.2");
        assert_eq!(client_address(ip("10.0.0.1"), &h, &proxies), ip("10.0.0.2"));
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &proxies),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn proxies_parse_as_addresses_or_networks() {
        assert!("10.0.0.5".parse::<ProxyNet>().is_ok());
        assert!("fd00::/8".parse::<ProxyNet>().is_ok());
        assert!("proxy.local".parse::<ProxyNet>().is_err());
    }
}
