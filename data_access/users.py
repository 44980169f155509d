"""User accounts and logins: the names callers import, gathered from the modules that define them.

``data_access.passwords`` (password policy, bcrypt), ``data_access.accounts`` (accounts, reads, writes,
principals) and ``data_access.logins`` (login attempts, lockout, the login audit trail). The production
start-up check is ``data_access.production``; settings are ``data_access.config``.
"""

from __future__ import annotations

from data_access.accounts import (
    UserInfo,
    create_user,
    credentials_dict,
    get_user_with_units,
    list_users,
    normalize_username,
    principal_for,
    set_active,
    set_password,
    set_role,
    set_user_units,
    unlock_user,
    user_count,
    utcnow,
    validate_role,
)
from data_access.logins import (
    INVALID_LOGIN_MESSAGE,
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    AuthResult,
    FailedLogin,
    authenticate,
    locked_message,
    record_cookie_login,
    record_failed_login,
    record_login_success,
    record_logout,
)
from data_access.passwords import (
    BCRYPT_ROUNDS,
    MAX_PASSWORD_BYTES,
    MIN_ADMIN_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    UserError,
    generate_password,
    hash_password,
    password_problems,
    unverifiable_hash,
    validate_password,
    verify_password,
)
from data_access.permissions import Principal

__all__ = [
    "MAX_FAILED_ATTEMPTS",
    "LOCKOUT",
    "MIN_PASSWORD_CHARS",
    "MIN_ADMIN_PASSWORD_CHARS",
    "MAX_PASSWORD_BYTES",
    "BCRYPT_ROUNDS",
    "INVALID_LOGIN_MESSAGE",
    "UserError",
    "UserInfo",
    "Principal",
    "AuthResult",
    "FailedLogin",
    "password_problems",
    "validate_password",
    "normalize_username",
    "validate_role",
    "hash_password",
    "verify_password",
    "generate_password",
    "unverifiable_hash",
    "list_users",
    "get_user_with_units",
    "user_count",
    "principal_for",
    "credentials_dict",
    "create_user",
    "set_password",
    "set_active",
    "unlock_user",
    "set_user_units",
    "set_role",
    "locked_message",
    "record_failed_login",
    "record_login_success",
    "record_cookie_login",
    "record_logout",
    "authenticate",
    "utcnow",
]
