"""The signature block panel of the 报表 page: 填报单位 / 填报人 / 审核人 / 联系电话 / 日期, filled from the
department and the signed-in account (``data_access.signature``) and editable before a download; the
account's 联系电话 and 审核人 can be saved for next time."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components.auth import current_principal
from components.state import get_engine
from data_access.db import DatabaseBusy
from data_access.permissions import PermissionDenied
from data_access.signature import MAX_PHONE, MAX_REVIEWER, SignatureInvalid, save_signature, signature_defaults
from documents.signature import Signature
from domain.clock import today_local

MSG = "signature_message"
KEYS = {"unit": "sig_unit", "preparer": "sig_preparer", "reviewer": "sig_reviewer", "phone": "sig_phone"}


def _save() -> None:
    try:
        changed = save_signature(get_engine(), current_principal(), phone=st.session_state.get("sig_phone", ""),
                                 reviewer=st.session_state.get("sig_reviewer", ""))
    except (SignatureInvalid, PermissionDenied, DatabaseBusy) as e:
        st.session_state[MSG] = ("error", str(e))
        return
    st.session_state[MSG] = ("success", "已保存为您的默认联系电话和审核人" if changed else "与已保存的相同")


def _fill(year: int) -> None:
    """Pre-fill the panel's values once per session, account and year."""
    principal = current_principal()
    who = (principal.username if principal else None, year)
    if st.session_state.get("sig_filled_for") != who:
        d = signature_defaults(get_engine(), who[0], year)
        for field, key in KEYS.items():
            st.session_state[key] = d[field]
        st.session_state["sig_day"] = today_local()
        st.session_state["sig_filled_for"] = who


def current_signature(year: int) -> Signature:
    """The signature as the 报表 panel holds it (pre-filled when the panel was not opened yet), without
    drawing anything: the project page's downloads use it too."""
    _fill(year)
    g = st.session_state.get
    day = g("sig_day")
    return Signature(g("sig_unit", ""), g("sig_preparer", ""), g("sig_reviewer", ""), g("sig_phone", ""),
                     day if isinstance(day, date) else None)


def signature_panel(year: int) -> Signature:
    """Render the panel (pre-filled once per session and year) and return the signature as it stands."""
    _fill(year)
    with st.expander("签章栏（每份报表末尾的填报单位、填报人、审核人、联系电话、日期）", expanded=False):
        msg = st.session_state.pop(MSG, None)
        if msg:
            (st.error if msg[0] == "error" else st.success)(msg[1])
        c = st.columns([3, 2, 2, 2, 2])
        c[0].text_input("填报单位", key="sig_unit", max_chars=200)
        c[1].text_input("填报人", key="sig_preparer", max_chars=64)
        c[2].text_input("审核人", key="sig_reviewer", max_chars=MAX_REVIEWER)
        c[3].text_input("联系电话", key="sig_phone", max_chars=MAX_PHONE)
        c[4].date_input("日期", key="sig_day", format="YYYY-MM-DD")
        st.button("保存联系电话和审核人为我的默认值", key="sig_save", on_click=_save,
                  help="下次打开报表时自动填入；填报单位取主管部门，填报人取您的姓名，日期取当天")
    return current_signature(year)


__all__ = ["signature_panel", "current_signature"]
