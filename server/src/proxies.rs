//! Which peers are our own reverse proxies (`--trusted-proxy`), and so whose
//! `X-Forwarded-For` says who the client is. Without any, the socket's peer is the client: a
//! header anyone can write never decides whom the login throttle counts.
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

/// `10.0.0.0/8` or a single address, for `--trusted-proxy`.
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither an address nor a CIDR range like 10.0.0.0/8"))
}

impl TrustedProxies {
    pub fn new(nets: Vec<IpNet>) -> Self {
        TrustedProxies(nets)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the last
    /// address in `X-Forwarded-For` that is not one of ours (each proxy appends the address it
    /// was reached from, so what lies left of an untrusted hop cannot be believed).
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(none.client_ip(peer, &xff("1.2.3.4")), peer);

        let ours = TrustedProxies::new(vec![parse_net("10.0.0.0/8").unwrap()]);
        assert_eq!(ours.client_ip(peer, &xff("1.2.3.4")).to_string(), "1.2.3.4");
        // A client that writes its own header: the proxy appends the real address.
        assert_eq!(
            ours.client_ip(peer, &xff("6.6.6.6, 1.2.3.4")).to_string(),
            "1.2.3.4"
        );
        // Two proxies of ours in a row.
        assert_eq!(
            ours.client_ip(peer, &xff("1.2.3.4, 10.0.0.9")).to_string(),
            "1.2.3.4"
        );
        // An outside peer's header is ignored.
        let outside: IpAddr = "8.8.8.8".parse().unwrap();
        assert_eq!(ours.client_ip(outside, &xff("1.2.3.4")), outside);
        // Garbage stops the walk at what was believed so far.
        assert_eq!(ours.client_ip(peer, &xff("nonsense")), peer);
    }

    #[test]
    fn ranges_and_single_addresses_parse_and_nonsense_is_explained() {
        assert!(parse_net("192.168.0.0/16").is_ok());
        assert!(parse_net("::1").is_ok());
        assert!(parse_net("proxy.local").unwrap_err().contains("CIDR"));
    }
}
