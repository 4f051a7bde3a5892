"""Where a webhook may be sent: https, to public addresses only.

An Admin must not be able to aim Hirebot at the services next to it (a database, a cloud
metadata endpoint, an admin console on localhost). The URL is checked when the endpoint is
registered, and the delivery worker checks every address it connects to again
(`workers/webhooks.py`), so a host that later resolves to a private address is refused
too. HIREBOT_WEBHOOK_ALLOW_PRIVATE lifts both rules (tests, single-tenant installs).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from models.errors import Invalid

MAX_URL = 2000


class AddressRefused(OSError):
    """The host resolves to no address a webhook may go to."""


def is_public(address: str) -> bool:
    """Whether `address` (an IP) is a public unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool) -> tuple[str, int]:
    """The URL's host and port, or Invalid (field `url`) saying what is wrong with it."""
    if len(url) > MAX_URL:
        raise Invalid(f"url must be at most {MAX_URL} characters", field="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid("url is not a valid URL", field="url") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise Invalid("url must start with https://", field="url")
    host = parts.hostname
    if not host:
        raise Invalid("url must name a host", field="url")
    if parts.username is not None or parts.password is not None:
        raise Invalid("url must not carry a user name or password", field="url")
    if parts.fragment:
        raise Invalid("url must not have a #fragment", field="url")
    return host, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses of `host` a webhook may go to; AddressRefused when there are none."""
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except socket.gaierror as error:
            raise AddressRefused(f"{host} does not resolve ({error.strerror})") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    allowed = addresses if allow_private else [a for a in addresses if is_public(a)]
    if not allowed:
        raise AddressRefused(
            f"{host} resolves to {', '.join(addresses)}: webhooks go only to public addresses"
        )
    return allowed


async def check_destination(url: str, *, allow_private: bool) -> str:
    """`url` as registered, once it is https and its host resolves to public addresses."""
    host, port = check_url(url, allow_private=allow_private)
    try:
        await resolve(host, port, allow_private=allow_private)
    except AddressRefused as error:
        raise Invalid(f"url: {error}", field="url") from None
    return url
