"""What a page shows while no target document is imported: the admin gets the link to 导入目标."""

from __future__ import annotations

import streamlit as st

from components.navigation import PAGES
from data_access.permissions import Principal

IMPORT_PAGE = next(p for p in PAGES if p.url_path == "import")


def no_targets(principal: Principal | None) -> None:
    """Say that nothing is imported yet; the caller stops the page."""
    if principal is not None and principal.is_admin:
        st.info("尚未导入绩效目标表。")
        st.page_link(IMPORT_PAGE.path, label=f"到「{IMPORT_PAGE.title}」上传本单位的绩效目标表", icon="📥")
    else:
        st.info(f"尚未导入绩效目标表。请联系管理员在「{IMPORT_PAGE.title}」页导入。")
