"""The signature fields of an account (联系电话, 审核人) on SQLite and PostgreSQL: each account saves its
own, audited, bumping the revision; the built-in command-line administrator has no account to save to;
the defaults name the department and the account."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from data_access.db import current_revision
from data_access.models import AuditLog
from data_access.permissions import SYSTEM_ADMIN, PermissionDenied, Principal
from data_access.signature import SignatureInvalid, save_signature, signature_defaults
from tests.conftest import account_for


def test_an_account_saves_its_own_phone_and_reviewer(seeded_engine):
    leader = account_for(seeded_engine, Principal("leader", "局领导", "leader"))
    assert signature_defaults(seeded_engine, "leader", 2024) == {
        "unit": "高新区社会事务局", "preparer": "局领导", "reviewer": "", "phone": ""}
    rev = current_revision(seeded_engine)
    assert save_signature(seeded_engine, leader, phone=" 0315-5551234 ", reviewer="王科长")
    assert current_revision(seeded_engine) > rev
    assert signature_defaults(seeded_engine, "leader", 2024)["phone"] == "0315-5551234"
    assert not save_signature(seeded_engine, leader, phone="0315-5551234", reviewer="王科长")  # nothing changed
    with Session(seeded_engine) as s:
        log = s.execute(select(AuditLog.field, AuditLog.old, AuditLog.new).where(AuditLog.entity == "app_user")).all()
    assert sorted(log) == [("审核人", "", "王科长"), ("联系电话", "", "0315-5551234")]


def test_bad_signature_fields_and_the_system_administrator_are_refused(seeded_engine):
    leader = account_for(seeded_engine, Principal("leader", "局领导", "leader"))
    with pytest.raises(SignatureInvalid, match="联系电话"):
        save_signature(seeded_engine, leader, phone="call me", reviewer="")
    with pytest.raises(SignatureInvalid, match="审核人：最多64字"):
        save_signature(seeded_engine, leader, phone="", reviewer="王" * 65)
    with pytest.raises(PermissionDenied):
        save_signature(seeded_engine, SYSTEM_ADMIN, phone="1", reviewer="")
    assert signature_defaults(seeded_engine, None, 2024)["preparer"] == ""
