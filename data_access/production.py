"""The production start-up check: why a deployment with ``APP_ENV=production`` must not start.

Definitions chosen here:

- Two secrets are checked by one rule (:func:`secret_problem`): ``AUTH_COOKIE_KEY`` (signs the re-login
  cookie) and ``STREAMLIT_SERVER_COOKIE_SECRET`` (Streamlit's ``server.cookieSecret``; every replica must
  share it, so unset is refused too). A secret is refused when it is, in this order:

  1. missing or blank;
  2. the development key: the retired built-in constant, or the random development key this database
     stores for development runs (``data_access.login_cookie``);
  3. a placeholder: it contains ``change-me``/``changeme``/``change_me``/``replace-me``/``placeholder``/
     ``example``/``your-``/``your_``/``insecure``/``do-not-use`` (any case), or equals a value of
     ``deploy/monitoring.env.example``;
  4. shorter than ``MIN_SECRET_CHARS`` (32) characters;
  5. low in entropy: it repeats itself (some period of at most half its length, as in ``"a"*32``,
     ``"abcabc…"`` or a word written twice), or :func:`estimated_bits` is below ``MIN_SECRET_BITS`` (128).
     ``estimated_bits`` = length × the smaller of two Shannon entropies (bits per character): of the
     characters themselves, and of the differences between neighbouring characters (so ``0123…`` and
     ``abcd…`` count as predictable). A random hex string of 32 characters (128 real bits) scores about
     115 and is refused; ``secrets.token_urlsafe(32)`` (~210) and ``secrets.token_hex(32)`` (~245) pass
     with a wide margin. The messages say how to generate a good one (:data:`GENERATE_COMMAND`).

- The two secrets must differ. ``AUTH_COOKIE_EXPIRY_DAYS``, when given, lies in (0, 30].
- No active account is a demo account (``is_demo``) or still uses a demo password
  (``data_access.demo_accounts``).

Pure apart from reading ``deploy/monitoring.env.example`` once: tested without Streamlit or a database.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from data_access.config import Config, config_from
from data_access.demo_accounts import DEMO_PASSWORDS
from data_access.passwords import verify_password

MIN_SECRET_CHARS = 32
MIN_SECRET_BITS = 128
MAX_EXPIRY_DAYS = 30
GENERATE_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
#: the built-in development key of earlier versions: a deployment may still carry it
RETIRED_DEV_KEYS = frozenset({"dev-only-insecure-cookie-key-do-not-use-in-production"})
PLACEHOLDER_MARKERS = (
    "change-me", "changeme", "change_me", "replace-me", "placeholder", "example", "your-", "your_",
    "insecure", "do-not-use",
)
EXAMPLE_ENV = Path(__file__).resolve().parent.parent / "deploy" / "monitoring.env.example"

AUTH_KEY_LABEL = "登录Cookie签名密钥 AUTH_COOKIE_KEY"
STREAMLIT_SECRET_LABEL = "Streamlit Cookie签名密钥 STREAMLIT_SERVER_COOKIE_SECRET"


@lru_cache(maxsize=1)
def example_values(path: Path = EXAMPLE_ENV) -> frozenset[str]:
    """Every value assigned in the example environment file (empty when the file is absent)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    out = set()
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            value = line.split("=", 1)[1].strip().strip('"').strip("'")
            if value:
                out.add(value)
    return frozenset(out)


def _entropy(items: Iterable[Any]) -> float:
    counts = Counter(items)
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0


def estimated_bits(value: str) -> float:
    """Length × min(entropy of the characters, entropy of neighbour differences); see the module doc."""
    if len(value) < 2:
        return 0.0
    deltas = [ord(b) - ord(a) for a, b in zip(value, value[1:])]
    return len(value) * min(_entropy(value), _entropy(deltas))


def is_periodic(value: str) -> bool:
    """True when ``value`` repeats itself with some period of at most half its length."""
    n = len(value)
    return any(value[p:] == value[:-p] for p in range(1, n // 2 + 1))


def secret_problem(name: str, value: str | None, *, label: str | None = None,
                   dev_keys: Iterable[str] = ()) -> str | None:
    """Why the secret ``name`` is refused in production (one Chinese sentence), or ``None``."""
    how = f"生成方法：{GENERATE_COMMAND}"
    v = (value or "").strip()
    if not v:
        return f"未配置{label or name}（{how}）"
    if v in RETIRED_DEV_KEYS or v in set(dev_keys):
        return f"{name} 仍是开发用的默认值，请换成随机生成的密钥（{how}）"
    low = v.lower()
    if any(m in low for m in PLACEHOLDER_MARKERS) or v in example_values():
        return f"{name} 仍是示例或占位值，请换成随机生成的密钥（{how}）"
    if len(v) < MIN_SECRET_CHARS:
        return f"{name} 太短：至少{MIN_SECRET_CHARS}个字符（当前{len(v)}个；{how}）"
    bits = estimated_bits(v)
    if is_periodic(v) or bits < MIN_SECRET_BITS:
        return (f"{name} 过于简单：有重复或连续的规律（估计随机性约{int(bits)}位，至少需要{MIN_SECRET_BITS}位；"
                f"{how}）")
    return None


def _attr(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _secret_problems(cfg: Config, dev_keys: tuple[str, ...]) -> list[str]:
    problems = [
        secret_problem("AUTH_COOKIE_KEY", cfg.auth_cookie_key, label=AUTH_KEY_LABEL, dev_keys=dev_keys),
        secret_problem("STREAMLIT_SERVER_COOKIE_SECRET", cfg.streamlit_cookie_secret,
                       label=STREAMLIT_SECRET_LABEL + "（各副本必须相同）", dev_keys=dev_keys),
    ]
    out = [p for p in problems if p]
    if cfg.auth_cookie_key and cfg.auth_cookie_key == cfg.streamlit_cookie_secret:
        out.append("AUTH_COOKIE_KEY 与 STREAMLIT_SERVER_COOKIE_SECRET 不能相同（请分别随机生成）")
    text = cfg.auth_cookie_expiry_text
    if text:
        try:
            ok = 0 < float(text) <= MAX_EXPIRY_DAYS
        except ValueError:
            ok = False
        if not ok:
            out.append(f"AUTH_COOKIE_EXPIRY_DAYS 不正确：{text!r}（应为大于0、不超过{MAX_EXPIRY_DAYS}的天数）")
    return out


def _demo_problems(users: Iterable[Any]) -> list[str]:
    demo_flagged: list[str] = []
    demo_password: list[str] = []
    for u in users:
        if not _attr(u, "active", True):
            continue
        username = str(_attr(u, "username", ""))
        if _attr(u, "is_demo", False):
            demo_flagged.append(username)
            continue
        demo_pw = DEMO_PASSWORDS.get(username)
        pw_hash = _attr(u, "password_hash", "") or ""
        if demo_pw is not None and pw_hash and verify_password(demo_pw, pw_hash):
            demo_password.append(username)
    out = []
    if demo_flagged:
        out.append("以下演示账户仍处于启用状态：" + "、".join(demo_flagged)
                   + "（请停用：python manage.py deactivate-user 用户名）")
    if demo_password:
        out.append("以下账户仍在使用公开的演示密码：" + "、".join(demo_password)
                   + "（请修改：python manage.py set-password 用户名）")
    return out


def production_problems(settings: Config | Mapping[str, Any], users: Iterable[Any],
                        *, dev_keys: Iterable[str] = ()) -> list[str]:
    """Why a production deployment must not start (Chinese), or ``[]``; nothing is checked outside
    production.

    ``settings``: a :class:`Config`, or a mapping of setting names it is built from. ``users``:
    ``UserInfo`` objects or mappings with ``username``, ``active``, ``is_demo`` and ``password_hash``.
    ``dev_keys``: development keys this database has stored (refused as secrets)."""
    cfg = settings if isinstance(settings, Config) else config_from(settings)
    if not cfg.production:
        return []
    return _secret_problems(cfg, tuple(k for k in dev_keys if k)) + _demo_problems(users)


__all__ = [
    "MIN_SECRET_CHARS",
    "MIN_SECRET_BITS",
    "GENERATE_COMMAND",
    "RETIRED_DEV_KEYS",
    "PLACEHOLDER_MARKERS",
    "estimated_bits",
    "example_values",
    "is_periodic",
    "production_problems",
    "secret_problem",
]
