"""Password policy and bcrypt hashing for the user accounts.

Definitions chosen here (also in docs/rules.md, "Accounts and sign-in"):

- A password has at least ``MIN_ADMIN_PASSWORD_CHARS`` (10) characters for an administrator and
  ``MIN_PASSWORD_CHARS`` (8) for everyone else, and at most 72 *bytes* in UTF-8 (bcrypt 5 refuses longer
  input; a Chinese character is 3 bytes); no leading/trailing spaces (streamlit-authenticator strips what
  is typed) and no control characters.
- It is not one of the common passwords in ``data_access/common_passwords.txt`` (compared
  case-insensitively; the file names its public source), and it does not contain the user name
  (case-insensitively; for a 2-character user name only the name itself is refused).
- The rules apply wherever a password is set: creating an account and changing a password, from the
  settings page and the command line (``data_access.accounts`` checks them; the CLI checks first too).
- Hashes are bcrypt at cost ``BCRYPT_ROUNDS``.
"""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path

import bcrypt

MIN_PASSWORD_CHARS = 8
MIN_ADMIN_PASSWORD_CHARS = 10
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "common_passwords.txt"
MAX_PASSWORD_BYTES = 72
BCRYPT_ROUNDS = 12


class UserError(ValueError):
    """A refused account operation; ``str(e)`` is a Chinese message for the user."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower case (lines starting with ``#`` are comments)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def min_chars(role: str = "") -> int:
    return MIN_ADMIN_PASSWORD_CHARS if role == "admin" else MIN_PASSWORD_CHARS


def password_problems(password: str, *, username: str = "", role: str = "") -> list[str]:
    """Why a password is refused (Chinese), or ``[]``. ``role`` ``admin`` needs the longer minimum."""
    if not isinstance(password, str) or password == "":
        return ["密码不能为空"]
    out = []
    least = min_chars(role)
    if len(password) < least:
        who = "管理员" if role == "admin" else ""
        out.append(f"{who}密码至少需要{least}个字符（当前{len(password)}个）")
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
    if password.strip().lower() in common_passwords():
        out.append("密码过于常见（在常见密码列表中），请换一个不易猜到的密码")
    name = (username or "").strip().lower()
    if name and (name in password.lower() if len(name) >= 3 else password.lower() == name):
        out.append("密码不能包含用户名")
    return out


def validate_password(password: str, *, username: str = "", role: str = "") -> None:
    problems = password_problems(password, username=username, role=role)
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
    "MIN_ADMIN_PASSWORD_CHARS",
    "MAX_PASSWORD_BYTES",
    "common_passwords",
    "min_chars",
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
