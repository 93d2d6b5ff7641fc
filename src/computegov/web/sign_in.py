"""The demo's "sign in as" buttons, and to whom the login page shows them.

Each button holds a demo party's token in the page. A page is shown to whoever can make the
browser ask for it, and DNS rebinding lets any web site do that for a server on this
machine: the site points its own name at 127.0.0.1, and the page it then fetches from "its
own" origin is the demo's login page, tokens and all. So the buttons are shown only when the
browser addressed the server by an IP address or `localhost` (what the start banner prints),
never by another name; a rebinding site's requests carry its own name in `Host`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from fastapi import Request


@dataclass(frozen=True)
class SignInButton:
    """A "sign in as" button on the login page (the demo world's parties only): a form that
    posts this party's token to /login, as pasting it would."""

    name: str
    role: str
    token: str


def addressed_directly(request: Request) -> bool:
    """Whether the request's `Host` is an IP address or `localhost` (not a name another site
    could point at this machine)."""
    host = (request.url.hostname or "").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def sign_in_buttons(request: Request) -> tuple[SignInButton, ...]:
    """The buttons this request's login page may show (none on a plain server)."""
    buttons: tuple[SignInButton, ...] = getattr(request.app.state, "sign_in", ())
    return buttons if buttons and addressed_directly(request) else ()
