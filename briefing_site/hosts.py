"""Which requests the preview answers: those addressed to this machine, not to a domain
that a page of another site points at it (DNS rebinding)."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection


def allowed_host(header: str | None, names: Collection[str] = ()) -> bool:
    """Whether a request's ``Host`` header names this preview rather than someone's domain.

    A page on another site can point its own domain name at 127.0.0.1 (DNS rebinding) and
    then read the preview and its event stream as same-origin; its requests carry that name.
    So, as Vite and webpack-dev-server do, only these are answered, with any port or none:
    ``localhost`` and names under ``.localhost`` (which browsers keep on this machine), IP
    addresses (``127.0.0.1``, ``[::1]``, the address listened on: no name is resolved, so
    nothing can rebind), and ``names`` (a ``--host`` given as a name). No header at all
    (HTTP/1.0) is no browser's either.
    """
    if header is None:
        return True
    host = header.strip().lower()
    if host.startswith("["):  # an IPv6 address, the only form with colons of its own
        name, bracket, port = host[1:].partition("]")
        if not bracket or not _is_ip(name, version=6):
            return False
    else:
        name, colon, number = host.partition(":")
        port = colon + number
    if port and not (port[0] == ":" and port[1:].isascii() and port[1:].isdigit()):
        return False
    return (name == "localhost" or name.endswith(".localhost") or _is_ip(name)
            or name in {n.lower().strip("[]") for n in names})


def _is_ip(text: str, version: int | None = None) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return version is None or address.version == version


def refusal(host: str) -> bytes:
    """The body of the 403 for a request whose Host header is ``host``."""
    return (f"403 Forbidden: this preview answers only to localhost and IP addresses, not "
            f"to {host!r}. A page of another site that points its name at this machine (DNS "
            "rebinding) would send such requests. To preview under a name of your own, listen "
            "on it with --host NAME.\n").encode()
