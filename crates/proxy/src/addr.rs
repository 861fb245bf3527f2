//! Which addresses the proxy must never reach through a DNS name: private,
//! loopback, link-local, cloud metadata, and other non-public ranges.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, includes the 169.254.169.254 metadata service
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), Alibaba's metadata
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19))   // benchmarking
        || a >= 240 // reserved
}

fn v4_at(seg: &[u16]) -> Ipv4Addr {
    Ipv4Addr::new(
        (seg[0] >> 8) as u8,
        seg[0] as u8,
        (seg[1] >> 8) as u8,
        seg[1] as u8,
    )
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    let seg = ip.segments();
    // Forms that carry an IPv4 address: judged by that address.
    // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated).
    if seg[0..5] == [0; 5] && (seg[5] == 0xffff || seg[5] == 0) && !(seg[5] == 0 && seg[6] == 0) {
        return is_forbidden_v4(v4_at(&seg[6..8]));
    }
    // ::ffff:0:a.b.c.d (IPv4-translated, SIIT).
    if seg[0..4] == [0; 4] && seg[4] == 0xffff && seg[5] == 0 {
        return is_forbidden_v4(v4_at(&seg[6..8]));
    }
    // 64:ff9b::/96 (NAT64, well-known prefix).
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
        return is_forbidden_v4(v4_at(&seg[6..8]));
    }
    // 64:ff9b:1::/48 (local-use NAT64: the translator is someone's own, and
    // the IPv4 inside may sit anywhere in the address).
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2] == 1 {
        return true;
    }
    // 2002::/16 (6to4): the relay reaches the IPv4 address in bits 16–48.
    if seg[0] == 0x2002 {
        return true;
    }
    // 2001::/32 (Teredo): the IPv4 address inside is obfuscated; refuse.
    if seg[0] == 0x2001 && seg[1] == 0 {
        return true;
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (seg[0] & 0xfe00) == 0xfc00 // unique local, includes fd00:ec2::254
        || (seg[0] & 0xffc0) == 0xfe80 // link-local
        || (seg[0] & 0xffc0) == 0xfec0 // site-local (deprecated, still routed in places)
        || (seg[0] == 0x2001 && seg[1] == 0xdb8) // documentation
        || (seg[0] == 0x100 && seg[1..4] == [0, 0, 0]) // discard-only
        || seg[0..6] == [0; 6] // the rest of ::/96, reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_ranges() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.100.100.200",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            // IPv4-compatible, translated, 6to4, NAT64, site-local, Teredo.
            "::7f00:1",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:0:7f00:1",
            "::ffff:0:169.254.169.254",
            "2002:7f00:1::",
            "2002:a00:1::1",
            "2002:5db8:d822::1",
            "64:ff9b::7f00:1",
            "64:ff9b::169.254.169.254",
            "64:ff9b:1::a00:1",
            "64:ff9b:1:ffff::1",
            "fec0::1",
            "feff::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "100::1",
            "::2",
        ] {
            assert!(is_forbidden(s.parse().unwrap()), "{s} should be forbidden");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for s in [
            "93.184.216.34",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "::1.1.1.1",
            "::ffff:0:1.1.1.1",
            "64:ff9b::1.1.1.1",
            "2a00:1450:4001::1",
        ] {
            assert!(!is_forbidden(s.parse().unwrap()), "{s} should be allowed");
        }
    }
}
