//! What a callback may connect to: the SSRF guard of every request edgehook makes to a URL a
//! client registered.
//!
//! A client's URL is fetched from inside the operator's network, so only public addresses are
//! allowed: no loopback, private (RFC 1918, ULA), link-local (which holds the cloud metadata
//! services 169.254.169.254 and fd00:ec2::254), CGNAT, multicast, unspecified or reserved
//! addresses. The rule is applied twice: when the URL is registered (every address its name
//! resolves to) and when a delivery connects (through [`GuardedResolver`], the resolver of the
//! relay's HTTP client), so a name that later resolves inside cannot be used. The operator can
//! open exceptions: all private addresses (local development) or chosen subnets.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use ipnet::IpNet;

#[derive(Clone, Debug, Default)]
pub struct AddressPolicy {
    /// Any address at all (local development).
    pub allow_private: bool,
    /// Subnets allowed although not public.
    pub allowed_subnets: Vec<IpNet>,
    /// Fixed answers for names, like curl's `--resolve`: tests and split-horizon setups.
    pub overrides: HashMap<String, Vec<IpAddr>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AddressError {
    #[error("`{host}` does not resolve: {reason}")]
    Unresolvable { host: String, reason: String },
    #[error("`{host}` resolves to {address}, a {class} address, which callbacks may not reach")]
    Forbidden { host: String, address: IpAddr, class: &'static str },
}

/// Why `address` is not public, or `None` when it is.
pub fn non_public_class(address: IpAddr) -> Option<&'static str> {
    match address {
        IpAddr::V4(v4) => v4_class(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_class(v4),
            None => v6_class(v6),
        },
    }
}

fn v4_class(address: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = address.octets();
    Some(match () {
        _ if address == Ipv4Addr::new(169, 254, 169, 254) => "cloud metadata",
        _ if address.is_loopback() => "loopback",
        _ if address.is_private() => "private",
        _ if address.is_link_local() => "link-local",
        _ if a == 100 && (64..128).contains(&b) => "CGNAT",
        _ if address.is_multicast() => "multicast",
        _ if address.is_unspecified() || a == 0 => "unspecified",
        _ if address.is_broadcast() || a >= 240 => "reserved",
        _ if address.is_documentation() => "documentation",
        _ => return None,
    })
}

fn v6_class(address: Ipv6Addr) -> Option<&'static str> {
    let first = address.segments()[0];
    Some(match () {
        _ if address == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) => "cloud metadata",
        _ if address.is_loopback() => "loopback",
        _ if address.is_unspecified() => "unspecified",
        _ if address.is_multicast() => "multicast",
        _ if first & 0xfe00 == 0xfc00 => "private (unique local)",
        _ if first & 0xffc0 == 0xfe80 => "link-local",
        _ => return None,
    })
}

impl AddressPolicy {
    /// Everything allowed: `edgehook up` on a developer's machine.
    pub fn development() -> Self {
        Self { allow_private: true, ..Self::default() }
    }

    /// Parses `--resolve host=ip` entries.
    pub fn with_overrides(mut self, entries: &[String]) -> Result<Self, String> {
        for entry in entries {
            let (host, ip) = entry.split_once('=').ok_or_else(|| format!("`{entry}` is not host=ip"))?;
            let ip: IpAddr = ip.parse().map_err(|_| format!("`{ip}` in `{entry}` is not an IP address"))?;
            self.overrides.entry(host.to_ascii_lowercase()).or_default().push(ip);
        }
        Ok(self)
    }

    /// Why `address` may not be connected to, if it may not.
    pub fn refusal(&self, address: IpAddr) -> Option<&'static str> {
        if self.allow_private || self.allowed_subnets.iter().any(|subnet| subnet.contains(&address)) {
            return None;
        }
        non_public_class(address)
    }

    /// Every address `host` resolves to (IP literals resolve to themselves).
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, AddressError> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(address) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(address, port)]);
        }
        if let Some(addresses) = self.overrides.get(&host.to_ascii_lowercase()) {
            return Ok(addresses.iter().map(|address| SocketAddr::new(*address, port)).collect());
        }
        let unresolvable = |reason: String| AddressError::Unresolvable { host: host.to_owned(), reason };
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|error| unresolvable(error.to_string()))?
            .collect();
        if found.is_empty() {
            return Err(unresolvable("no address".to_owned()));
        }
        Ok(found)
    }

    /// For registration: `host` must resolve, and to permitted addresses only.
    pub async fn check_host(&self, host: &str, port: u16) -> Result<(), AddressError> {
        let addresses = self.resolve(host, port).await?;
        self.first_refused(host, &addresses).map_or(Ok(()), Err)
    }

    fn first_refused(&self, host: &str, addresses: &[SocketAddr]) -> Option<AddressError> {
        addresses.iter().find_map(|address| {
            self.refusal(address.ip()).map(|class| AddressError::Forbidden {
                host: host.to_owned(),
                address: address.ip(),
                class,
            })
        })
    }

    /// A resolver for reqwest that applies this policy to the addresses it connects to.
    pub fn resolver(self: &Arc<Self>) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver(self.clone()))
    }
}

/// reqwest asks it for every name it connects to; it answers only permitted addresses. IP
/// literals never reach a resolver: callers check those with [`AddressPolicy::refusal`].
pub struct GuardedResolver(Arc<AddressPolicy>);

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addresses = policy.resolve(&host, 0).await?;
            if let Some(refused) = policy.first_refused(&host, &addresses) {
                return Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_internal_class_is_named() {
        for (address, class) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "cloud metadata"),
            ("169.254.1.1", "link-local"),
            ("100.64.0.1", "CGNAT"),
            ("224.0.0.1", "multicast"),
            ("0.0.0.0", "unspecified"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fd00:ec2::254", "cloud metadata"),
            ("fd12::1", "private (unique local)"),
            ("fe80::1", "link-local"),
            ("::ffff:10.0.0.1", "private"),
        ] {
            assert_eq!(non_public_class(address.parse().unwrap()), Some(class), "{address}");
        }
        assert_eq!(non_public_class("93.184.216.34".parse().unwrap()), None);
        assert_eq!(non_public_class("2606:2800:220:1:248:1893:25c8:1946".parse().unwrap()), None);
    }

    #[test]
    fn allowlisted_subnets_open_an_exception_and_nothing_more() {
        let policy =
            AddressPolicy { allowed_subnets: vec!["10.20.0.0/16".parse().unwrap()], ..Default::default() };
        assert_eq!(policy.refusal("10.20.3.4".parse().unwrap()), None);
        assert_eq!(policy.refusal("10.21.3.4".parse().unwrap()), Some("private"));
        assert_eq!(AddressPolicy::development().refusal("127.0.0.1".parse().unwrap()), None);
    }

    #[tokio::test]
    async fn overrides_answer_before_dns_and_are_checked_like_it() {
        let policy = AddressPolicy::default().with_overrides(&["Hooks.Test=10.0.0.7".to_owned()]).unwrap();
        let error = policy.check_host("hooks.test", 443).await.unwrap_err();
        assert!(matches!(error, AddressError::Forbidden { class: "private", .. }), "{error}");
        assert!(AddressPolicy::default().with_overrides(&["nonsense".to_owned()]).is_err());
    }
}
