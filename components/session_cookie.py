"""The browser side of a session: the client's address as the proxy gave it, and writing the session cookie.

Definitions chosen here:

- **Client address**: behind nginx (``deploy/nginx.conf`` sets ``X-Forwarded-For
  $proxy_add_x_forwarded_for``) the *last* entry of ``X-Forwarded-For`` is the address nginx saw; earlier
  entries come from the client and are ignored (anybody can send them). Without the header: Streamlit's
  ``st.context.ip_address`` (the direct peer). ``""`` when neither is known (a bare script run, AppTest).
- **The session cookie** is written through the cookie component the login library already renders
  (``extra_streamlit_components.CookieManager``), on every signed-in run, ``path=/``, ``SameSite=Strict``,
  ``Secure`` when the proxy says the request came over HTTPS (``X-Forwarded-Proto: https``). The component
  runs in the browser and sets ``document.cookie``, which cannot make a cookie ``HttpOnly``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import streamlit as st
import streamlit_authenticator as stauth

SET_KEY = "session_cookie_set"


def client_from(headers: Mapping[str, str] | None, peer: str | None) -> str:
    """The client address from the request headers and the direct peer (see the module docstring)."""
    forwarded = ""
    if headers:
        forwarded = headers.get("X-Forwarded-For") or headers.get("x-forwarded-for") or ""
    hops = [h.strip() for h in forwarded.split(",") if h.strip()] if isinstance(forwarded, str) else []
    if hops:
        return hops[-1][:64]
    return peer[:64] if isinstance(peer, str) else ""


def _headers() -> Mapping[str, str] | None:
    try:
        return st.context.headers
    except Exception:  # noqa: BLE001 - no browser context
        return None


def client_address() -> str:
    try:
        peer = st.context.ip_address
    except Exception:  # noqa: BLE001 - no browser context
        peer = None
    return client_from(_headers(), peer)


def is_https() -> bool:
    h = _headers()
    proto = h.get("X-Forwarded-Proto") if h else None
    return isinstance(proto, str) and proto.strip().lower() == "https"


def write_session_cookie(authenticator: stauth.Authenticate, name: str, value: str, expiry_days: float, *,
                         secure: bool) -> None:
    """Render the cookie component that sets ``name=value`` in the browser (idempotent per run)."""
    manager = authenticator.cookie_controller.cookie_model.cookie_manager
    manager.set(name, value, key=SET_KEY, path="/", expires_at=datetime.now() + timedelta(days=expiry_days),
                secure=secure or None, same_site="strict")


__all__ = ["client_address", "client_from", "is_https", "write_session_cookie"]
