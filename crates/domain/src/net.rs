//! Client addresses as administrators write them: trusted proxies (`CRM_TRUSTED_PROXIES`) and the
//! addresses an API key may be used from are both lists of single addresses and CIDR networks.

use std::net::IpAddr;

/// `10.1.0.0/16`, or a single address as the network of just that address; `None` for anything
/// else (a host name, a typo).
pub fn parse_network(item: &str) -> Option<ipnet::IpNet> {
    item.parse::<ipnet::IpNet>().or_else(|_| item.parse::<IpAddr>().map(ipnet::IpNet::from)).ok()
}

/// The address as networks are compared with it: an IPv4 client arriving as an IPv4-mapped IPv6
/// address on a dual-stack socket is its IPv4 address.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}
