//! IP addresses and CIDR ranges, v4 and v6.

use std::net::IpAddr;

use ipnet::IpNet;

use super::quote;

/// Parse an address (a one-address range) or a CIDR range, normalised to its network
/// (`10.1.2.3/8` → `10.0.0.0/8`); IPv4-mapped IPv6 addresses become IPv4.
pub fn range(input: &str) -> Result<IpNet, String> {
    let text = input.trim();
    let bad = || {
        format!(
            "must be an IP address or CIDR range like 203.0.113.0/24, got `{}`",
            quote(input)
        )
    };
    let net = match text.parse::<IpNet>() {
        Ok(net) => net,
        Err(_) => IpNet::from(address(text).map_err(|_| bad())?),
    };
    Ok(match net {
        IpNet::V6(v6) => match v6.addr().to_ipv4_mapped() {
            Some(v4) if v6.prefix_len() >= 96 => {
                IpNet::V4(ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96).map_err(|_| bad())?)
            }
            _ => net.trunc(),
        },
        IpNet::V4(_) => net.trunc(),
    })
}

/// Parse a single address, folding IPv4-mapped IPv6 to IPv4.
pub fn address(input: &str) -> Result<IpAddr, String> {
    let addr: IpAddr = input
        .trim()
        .parse()
        .map_err(|_| format!("must be an IP address, got `{}`", quote(input)))?;
    Ok(match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(addr),
        v4 => v4,
    })
}

/// The networks containing `addr`, one per prefix length, most specific first: the keys
/// an exact-match map of ranges is probed with.
pub fn containing(addr: IpAddr) -> impl Iterator<Item = IpNet> {
    let max = match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    };
    (0..=max)
        .rev()
        .filter_map(move |len| IpNet::new(addr, len).ok().map(|n| n.trunc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_ranges_normalise() {
        assert_eq!(range("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(range(" 192.0.2.7 ").unwrap().to_string(), "192.0.2.7/32");
        assert_eq!(
            range("2001:db8::1/32").unwrap().to_string(),
            "2001:db8::/32"
        );
        assert_eq!(
            range("::ffff:192.0.2.7").unwrap().to_string(),
            "192.0.2.7/32"
        );
        for bad in ["", "300.1.1.1", "10.0.0.0/33", "example.com", "1.2.3"] {
            assert!(range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn containing_networks_include_every_listed_range() {
        let addr = address("203.0.113.77").unwrap();
        let nets: Vec<_> = containing(addr).collect();
        assert_eq!(nets.len(), 33);
        assert!(nets.contains(&range("203.0.113.0/24").unwrap()));
        assert!(nets.contains(&range("0.0.0.0/0").unwrap()));
        assert!(!nets.contains(&range("203.0.114.0/24").unwrap()));
    }
}
