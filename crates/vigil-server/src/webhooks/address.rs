//! Which addresses a webhook may reach, checked on the address actually connected to.
//!
//! A URL's host is checked when a webhook is created or changed, and again on every
//! delivery attempt: the sender's resolver (`PublicOnly`) resolves the name itself, refuses
//! if any address it gets is not public, and hands the connector only checked addresses, so
//! a name that resolves to a public address at create time and to loopback later (DNS
//! rebinding) is refused at send time. A URL whose host is an address literal never reaches
//! a resolver, so `refusal` checks it before each attempt.
//!
//! "Public" follows the IANA special-purpose registries (what std's unstable `is_global`
//! implements), stricter where an address embeds IPv4 (NAT64, 6to4, IPv4-compatible) or
//! tunnels (Teredo): no maintained crate exposes exactly that, so the table lives here and
//! a table-driven test covers every range.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

/// The operator's switch that lifts the check (`--allow-private-webhooks`).
pub const FLAG: &str = "--allow-private-webhooks";

/// Whether a webhook may reach `ip` without the operator's permission.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0 // "this network", 0.0.0.0 among it
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || (a == 100 && (b & 0xc0) == 64) // shared address space 100.64/10
        || ip.is_loopback() // 127/8
        || ip.is_link_local() // 169.254/16
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments 192.0.0/24
        || ip.is_documentation() // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast (deprecated)
        || (a == 198 && (b & 0xfe) == 18) // benchmarking 198.18/15
        || ip.is_multicast() // 224/4
        || a >= 240) // reserved 240/4, broadcast among it
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::/96: unspecified, loopback and IPv4-compatible (deprecated) addresses
        [0, 0, 0, 0, 0, 0, _, _] => false,
        // IPv4-mapped: as public as the IPv4 address
        [0, 0, 0, 0, 0, 0xffff, _, _] => is_public_v4(embedded),
        // NAT64 well-known prefix: the translator connects to the embedded address
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => is_public_v4(embedded),
        // local-use NAT64 (64:ff9b:1::/48) and the rest of 64:ff9b::/32
        [0x64, 0xff9b, ..] => false,
        // discard-only 100::/64
        [0x100, 0, 0, 0, ..] => false,
        // IETF protocol assignments 2001::/23 (Teredo 2001::/32 among them), except the
        // blocks IANA lists as globally reachable
        [0x2001, b, c, ..] if b < 0x200 => {
            b == 3 || (b == 4 && c == 0x112) || (0x20..=0x2f).contains(&b)
        }
        // documentation 2001:db8::/32 and 3fff::/20
        [0x2001, 0xdb8, ..] => false,
        [0x3fff, b, ..] if b < 0x1000 => false,
        // 6to4 (deprecated; its relays reach the embedded IPv4 address)
        [0x2002, ..] => false,
        // unique local fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast
        [a, ..] if (a & 0xfe00) == 0xfc00 || (a & 0xff80) == 0xfe80 || (a & 0xff00) == 0xff00 => {
            false
        }
        _ => true,
    }
}

/// Why an attempt was refused before any connection was made.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// The refusal for `host`, which resolved to `addresses`, if any of them is not public.
pub fn check_addresses(host: &str, addresses: &[IpAddr]) -> Result<(), Refused> {
    match addresses.iter().find(|ip| !is_public(**ip)) {
        Some(ip) => Err(Refused(format!(
            "`{host}` resolves to {ip}, which is not a public address (the server must run with {FLAG} to deliver there)"
        ))),
        None if addresses.is_empty() => Err(Refused(format!("`{host}` does not resolve"))),
        None => Ok(()),
    }
}

/// The refusal for a URL whose host is an address literal that is not public (a named
/// host is checked by the resolver as it connects).
pub fn refusal_for_literal(url: &str) -> Option<Refused> {
    let url = reqwest::Url::parse(url).ok()?;
    let host = url.host_str()?;
    let ip: IpAddr = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    check_addresses(&ip.to_string(), &[ip]).err()
}

/// Find a refusal in an error's chain of causes (the connector wraps the resolver's).
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(Refused(refused.0.clone()));
        }
        cause = e.source();
    }
    None
}

type Lookup = dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>
    + Send
    + Sync;

/// A resolver for the webhook sender that only ever yields public addresses.
#[derive(Clone)]
pub struct PublicOnly {
    lookup: Arc<Lookup>,
}

impl PublicOnly {
    /// Resolve with the system's resolver.
    pub fn system() -> PublicOnly {
        PublicOnly::with_lookup(|name| {
            Box::pin(async move {
                Ok(tokio::net::lookup_host((name.as_str(), 0))
                    .await?
                    .map(|a| a.ip())
                    .collect())
            })
        })
    }

    /// Resolve with `lookup` (tests give a resolver whose answer changes).
    pub fn with_lookup(
        lookup: impl Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>
            + Send
            + Sync
            + 'static,
    ) -> PublicOnly {
        PublicOnly {
            lookup: Arc::new(lookup),
        }
    }

    /// The addresses to connect to for `name`, all public, or why there are none.
    pub async fn addresses(&self, name: &str) -> Result<Vec<SocketAddr>, Refused> {
        let found = (self.lookup)(name.to_string())
            .await
            .map_err(|_| Refused(format!("`{name}` does not resolve")))?;
        check_addresses(name, &found)?;
        Ok(found.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect())
    }
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let this = self.clone();
        Box::pin(async move {
            let addresses = this.addresses(name.as_str()).await?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn every_non_public_range_is_refused_and_public_addresses_pass() {
        // (address, public?) — one row per range of the registries, plus its neighbours.
        let table: &[(&str, bool)] = &[
            ("0.0.0.0", false),
            ("0.1.2.3", false),
            ("10.0.0.1", false),
            ("100.64.0.1", false),
            ("100.127.255.254", false),
            ("100.128.0.1", true),
            ("127.0.0.1", false),
            ("127.255.255.254", false),
            ("169.254.169.254", false),
            ("172.16.0.1", false),
            ("172.31.255.1", false),
            ("172.32.0.1", true),
            ("192.0.0.1", false),
            ("192.0.0.170", false),
            ("192.0.2.1", false),
            ("192.88.99.1", false),
            ("192.168.1.1", false),
            ("198.18.0.1", false),
            ("198.19.255.255", false),
            ("198.20.0.1", true),
            ("198.51.100.7", false),
            ("203.0.113.9", false),
            ("224.0.0.1", false),
            ("239.255.255.250", false),
            ("240.0.0.1", false),
            ("255.255.255.255", false),
            ("8.8.8.8", true),
            ("1.1.1.1", true),
            ("93.184.216.34", true),
            ("::", false),
            ("::1", false),
            ("::127.0.0.1", false),
            ("::8.8.8.8", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:10.0.0.1", false),
            ("::ffff:8.8.8.8", true),
            ("64:ff9b::127.0.0.1", false),
            ("64:ff9b::10.1.2.3", false),
            ("64:ff9b::169.254.169.254", false),
            ("64:ff9b::8.8.8.8", true),
            ("64:ff9b:1::8.8.8.8", false),
            ("64:ff9b:1::10.0.0.1", false),
            ("100::1", false),
            ("2001::1", false),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", false),
            ("2001:2::1", false),
            ("2001:10::1", false),
            ("2001:3::1", true),
            ("2001:20::1", true),
            ("2001:db8::1", false),
            ("3fff::1", false),
            ("2002:7f00:1::1", false),
            ("2002:c0a8:101::1", false),
            ("fc00::1", false),
            ("fd12:3456::1", false),
            ("fe80::1", false),
            ("febf::1", false),
            ("fec0::1", false),
            ("feff::1", false),
            ("ff02::1", false),
            ("ff0e::1", false),
            ("2606:4700:4700::1111", true),
            ("2a00:1450:4001::200e", true),
        ];
        for (text, public) in table {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(is_public(ip), *public, "{text}");
        }
    }

    #[test]
    fn literal_hosts_are_checked_and_names_left_to_the_resolver() {
        assert!(refusal_for_literal("http://127.0.0.1:8080/x").is_some());
        assert!(refusal_for_literal("http://[::ffff:7f00:1]/x").is_some());
        assert!(refusal_for_literal("http://[64:ff9b::a00:1]/x").is_some());
        assert!(refusal_for_literal("https://8.8.8.8/x").is_none());
        assert!(refusal_for_literal("https://hooks.example.com/x").is_none());
    }

    /// DNS rebinding: the name answers a public address first, loopback after; the second
    /// resolution is refused, and nothing private is ever handed to the connector.
    #[tokio::test]
    async fn a_name_that_turns_private_is_refused_when_it_does() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let resolver = PublicOnly::with_lookup(move |_| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                Ok(match n {
                    0 => vec!["93.184.216.34".parse().unwrap()],
                    1 => vec!["127.0.0.1".parse().unwrap()],
                    _ => vec![
                        "93.184.216.34".parse().unwrap(),
                        "10.0.0.5".parse().unwrap(),
                    ],
                })
            })
        });
        let first = resolver.addresses("rebind.test").await.unwrap();
        assert_eq!(first[0].ip().to_string(), "93.184.216.34");
        let second = resolver.addresses("rebind.test").await.unwrap_err();
        assert!(second.0.contains("127.0.0.1"), "{second}");
        assert!(second.0.contains(FLAG));
        // One private address among public ones refuses the name.
        assert!(resolver.addresses("rebind.test").await.is_err());
        // Through reqwest: the refusal is found in the error's causes and no request left.
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(resolver))
            .no_proxy()
            .build()
            .unwrap();
        let error = client
            .get("http://rebind.test:9/")
            .send()
            .await
            .unwrap_err();
        assert!(refusal_in(&error).is_some(), "{error:?}");
    }
}
