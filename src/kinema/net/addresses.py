"""Which IP addresses a client-supplied URL may reach: globally routable unicast ones only.

Loopback, private, link-local, multicast, reserved, unspecified and shared (CGNAT) addresses are refused, and
so are IPv6 forms that embed such an IPv4 address (IPv4-mapped, 6to4, Teredo, NAT64): a socket given one
of those talks to the embedded IPv4 host.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo client, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_ip(ip: IPAddress) -> bool:
    """True when ``ip`` is a globally routable unicast address (the only kind a request may reach)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # the socket really talks IPv4 to the embedded address
            return is_public_ip(ip.ipv4_mapped)
        inner = embedded_ipv4(ip)
        if inner is not None and not is_public_ip(inner):
            return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )
