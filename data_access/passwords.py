"""Password policy and bcrypt hashing for the user accounts.

Definitions chosen here: a password has at least 8 characters and at most 72 *bytes* in UTF-8 (bcrypt 5
refuses longer input; a Chinese character is 3 bytes), no leading/trailing spaces (streamlit-authenticator
strips what is typed) and no control characters. Hashes are bcrypt at cost ``BCRYPT_ROUNDS``.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

import bcrypt

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72
BCRYPT_ROUNDS = 12


class UserError(ValueError):
    """A refused account operation; ``str(e)`` is a Chinese message for the user."""


def password_problems(password: str) -> list[str]:
    """Why a password is refused (Chinese), or ``[]``."""
    if not isinstance(password, str) or password == "":
        return ["密码不能为空"]
    out = []
    if len(password) < MIN_PASSWORD_CHARS:
        out.append(f"密码至少需要{MIN_PASSWORD_CHARS}个字符（当前{len(password)}个）")
    n_bytes = len(password.encode("utf-8"))
    if n_bytes > MAX_PASSWORD_BYTES:
        out.append(
            f"密码过长：最多{MAX_PASSWORD_BYTES}字节（当前{n_bytes}字节；一个汉字占3字节，"
            f"即最多约{MAX_PASSWORD_BYTES // 3}个汉字）"
        )
    if password != password.strip():
        out.append("密码首尾不能有空格")
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        out.append("密码不能包含控制字符（如换行、制表符）")
    return out


def validate_password(password: str) -> None:
    problems = password_problems(password)
    if problems:
        raise UserError("；".join(problems))


def hash_password(password: str) -> str:
    validate_password(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """True when ``password`` matches; never raises (over-long or malformed input is simply wrong)."""
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))
    except (ValueError, TypeError):
        return False


def generate_password(n_bytes: int = 12) -> str:
    """A strong random password (16 URL-safe characters for the default 12 bytes)."""
    while True:
        pw = secrets.token_urlsafe(n_bytes)
        # avoid a leading '-' (looks like a command-line option when copied)
        if not pw.startswith("-") and not password_problems(pw):
            return pw


@lru_cache(maxsize=1)
def dummy_hash() -> bytes:
    """A hash of a random secret at the normal cost: unknown users cost the same time as known ones."""
    return bcrypt.hashpw(secrets.token_hex(16).encode(), bcrypt.gensalt(BCRYPT_ROUNDS))


@lru_cache(maxsize=1)
def unverifiable_hash() -> str:
    """A valid bcrypt hash that no typed password matches (a random secret never stored anywhere).

    Locked accounts get it in the login library's credentials, so the library refuses them without ever
    seeing the real hash."""
    return bcrypt.hashpw(secrets.token_hex(32).encode(), bcrypt.gensalt(4)).decode("ascii")



__all__ = [
    "MIN_PASSWORD_CHARS",
    "MAX_PASSWORD_BYTES",
    "BCRYPT_ROUNDS",
    "UserError",
    "password_problems",
    "validate_password",
    "hash_password",
    "verify_password",
    "generate_password",
    "dummy_hash",
    "unverifiable_hash",
]
