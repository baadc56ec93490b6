//! Which bucket a request is counted in: the client's address, taken from the connection or,
//! behind a trusted load balancer, from `X-Forwarded-For`; IPv4 by address, IPv6 by network.
//!
//! Anyone holding an IPv6 /64 has 2⁶⁴ addresses, so an IPv6 client is keyed by its network
//! (`RATE_LIMIT_IPV6_PREFIX`, 64 by default). An IPv4-mapped IPv6 address is its IPv4 address.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request};

/// The key of the client's bucket.
pub fn bucket_key(ip: IpAddr, ipv6_prefix: u8) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let prefix = u32::from(ipv6_prefix.min(128));
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

/// The client's address: the connection's peer, or behind a trusted load balancer the last
/// `X-Forwarded-For` entry (the one the balancer added).
pub fn client_ip(request: &Request, trust_forwarded_for: bool) -> IpAddr {
    let forwarded = trust_forwarded_for
        .then(|| {
            request
                .headers()
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()
                .and_then(forwarded_ip)
        })
        .flatten();
    forwarded
        .or_else(|| {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// An `X-Forwarded-For` entry: an address, or an address and port as some balancers write it
/// (`203.0.113.7:5678`, `[2001:db8::1]:443`).
pub fn forwarded_ip(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|a| a.ip()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ip: &str, prefix: u8, expected: &str) {
        let ip: IpAddr = ip.parse().expect("address");
        assert_eq!(
            bucket_key(ip, prefix).to_string(),
            expected,
            "{ip}/{prefix}"
        );
    }

    #[test]
    fn keys() {
        check("203.0.113.7", 64, "203.0.113.7");
        check("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::");
        check("2001:db8:1:2::1", 64, "2001:db8:1:2::");
        check("2001:db8:1:2:ffff::", 48, "2001:db8:1::");
        check("2001:db8:1:2::1", 128, "2001:db8:1:2::1");
        check("::ffff:203.0.113.7", 64, "203.0.113.7");
        check("::1", 64, "::");
    }

    #[test]
    fn forwarded_entries() {
        for (entry, expected) in [
            ("203.0.113.7", Some("203.0.113.7")),
            (" 203.0.113.7:5678 ", Some("203.0.113.7")),
            ("2001:db8::1", Some("2001:db8::1")),
            ("[2001:db8::1]:443", Some("2001:db8::1")),
            ("unknown", None),
            ("", None),
        ] {
            let got = forwarded_ip(entry).map(|ip| ip.to_string());
            assert_eq!(got.as_deref(), expected, "{entry:?}");
        }
    }
}
