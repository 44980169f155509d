"""Which re-login cookie tokens are accepted: HS256 with the key, the session payload, a bounded expiry."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from data_access.login_cookie import EXPIRY_SLACK, cookie_session_token, session_cookie_value

KEY = "xT_I4k2ouTHVG39o-HEwLXNY9hkB51Gj7kyLcQbJbReXZn5tOe8JIjPJldXwCzSB"
EXAMPLE_KEY = "CHANGE-ME-another-long-random-string"  # deploy/monitoring.env.example as shipped
OLD_DEV_KEY = "dev-only-insecure-cookie-key-do-not-use-in-production"  # the former built-in key
NOW = 1_750_000_000.0
SID = "k3J9_session-token"
DAY = 86_400.0


def _b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def token(payload=None, key=KEY, alg="HS256") -> str:
    payload = {"sid": SID, "exp_date": NOW + DAY / 2} if payload is None else payload
    return jwt.encode(payload, key, algorithm=alg)


def unsigned(payload) -> str:
    """An ``alg: none`` token, as an attacker writes it by hand."""
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."


VALID = {"sid": SID, "exp_date": NOW + DAY / 2}

CASES = [
    ("issued by the app, valid half a day", token(), SID),
    ("exp just inside expiry + slack", token({**VALID, "exp_date": NOW + DAY + EXPIRY_SLACK.total_seconds() - 1}),
     SID),
    ("integer exp_date", token({**VALID, "exp_date": int(NOW + 60)}), SID),
    ("signed with the example key", token(VALID, key=EXAMPLE_KEY), None),
    ("signed with the old development key", token(VALID, key=OLD_DEV_KEY), None),
    ("valid ten years, right key", token({**VALID, "exp_date": NOW + 3650 * DAY}), None),
    ("valid 100 years, right key", token({**VALID, "exp_date": NOW + 36500 * DAY}), None),
    ("just beyond expiry + slack", token({**VALID, "exp_date": NOW + DAY + EXPIRY_SLACK.total_seconds() + 1}), None),
    ("expired", token({**VALID, "exp_date": NOW - 1}), None),
    ("alg none", unsigned(VALID), None),
    ("alg none, no trailing dot", unsigned(VALID)[:-1], None),
    ("HS512 with the right key", token(VALID, alg="HS512"), None),
    ("HS384 with the right key", token(VALID, alg="HS384"), None),
    ("garbage", "not-a-token", None),
    ("three garbage parts", "a.b.c", None),
    ("empty", "", None),
    ("exp_date missing", token({"sid": SID}), None),
    ("the login library's own payload, right key", token({"username": "admin", "exp_date": NOW + DAY / 2}), None),
    ("exp_date a string", token({**VALID, "exp_date": str(NOW + 60)}), None),
    ("exp_date a boolean", token({**VALID, "exp_date": True}), None),
    ("sid missing", token({"exp_date": NOW + 60}), None),
    ("sid not a string", token({**VALID, "sid": [SID]}), None),
    ("sid blank", token({**VALID, "sid": " "}), None),
    ("an extra claim", token({**VALID, "role": "admin"}), None),
    ("a registered exp claim in the past", token({**VALID, "exp": int(NOW) - 10}), None),
    ("payload not an object", jwt.encode({"x": 1}, KEY, algorithm="HS256").rsplit(".", 2)[0] + "." + _b64([1]) + ".x",
     None),
]


@pytest.mark.parametrize("raw, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cookie_token_acceptance(raw, expected):
    assert cookie_session_token(raw, KEY, 1.0, now=NOW) == expected


def test_a_longer_configured_expiry_allows_longer_tokens():
    t = token({**VALID, "exp_date": NOW + 6 * DAY})
    assert cookie_session_token(t, KEY, 1.0, now=NOW) is None
    assert cookie_session_token(t, KEY, 7.0, now=NOW) == SID


def test_no_key_accepts_nothing():
    assert cookie_session_token(token(VALID, key="x" * 40), "", 1.0, now=NOW) is None
    assert cookie_session_token(None, KEY, 1.0, now=NOW) is None


def test_the_app_issues_what_it_accepts():
    value = session_cookie_value(SID, KEY, 1.0, now=NOW)
    assert cookie_session_token(value, KEY, 1.0, now=NOW + 60) == SID
    assert cookie_session_token(value, KEY, 1.0, now=NOW + DAY + 1) is None  # expired after a day
