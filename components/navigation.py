"""The page table: which pages exist and which roles see them. app.py builds ``st.navigation`` from it.

To add a page, add ONE line to ``PAGES`` below (order = menu order; the first page a role can see is
its default page). ``roles`` is a set of role codes: use ``EVERYONE``, ``ADMIN_ONLY``, ``ADMIN_STAFF``,
``READERS`` or spell it out, e.g. ``{"admin", "leader"}``. ``section`` (optional) groups the menu.
``url_path`` is the page's stable address (``/risks``): a reload, the browser's back/forward and a pasted
link land on the same page (the default page of a role is also reachable at ``/``). Keep it once chosen:
people bookmark and mail these links. Before login every page is registered hidden (``login_navigation``)
so that the page a link asked for is still the page shown after signing in.

The scripts live in ``app_pages/``, not ``pages/``: Streamlit treats a folder named ``pages/`` as an old-style
multipage app whose URLs run a page script directly, without app.py and its login.

Hiding a page is only convenience: every write must still be checked in ``data_access`` (see
``data_access.permissions``), and a page can call ``components.auth.current_principal()``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from data_access.permissions import ADMIN, LEADER, ROLES, STAFF

ROOT = Path(__file__).resolve().parent.parent

EVERYONE = frozenset(ROLES)  # admin, leader, staff
ADMIN_ONLY = frozenset({ADMIN})
ADMIN_STAFF = frozenset({ADMIN, STAFF})  # pages that write monitoring data
READERS = frozenset({ADMIN, LEADER})  # department-wide read-only views


class PageEntry(NamedTuple):
    path: str  # script relative to the repository root, e.g. "app_pages/targets.py"
    title: str  # menu title (Chinese)
    icon: str  # an emoji or ":material/…:" icon
    roles: frozenset[str]  # who sees it
    section: str = ""  # optional menu group title
    url_path: str = ""  # stable address without slashes, e.g. "risks" ("" = the script's file name)

    @property
    def address(self) -> str:
        """The URL path segment of the page (``url_path``, else the script's file name)."""
        return self.url_path or Path(self.path).stem


# the menu's sections: what leadership watch, the reporting work, the targets and the administration
WATCH, WORK, MANAGE = "监控看板", "填报与审核", "目标与管理"

# ======================================================================================================
# PAGES — the one list to edit when adding a page: (path, title, icon, roles[, section], url_path=...)
# ======================================================================================================
PAGES: list[PageEntry] = [
    PageEntry("app_pages/overview.py", "总览", ":material/dashboard:", EVERYONE, WATCH, url_path="overview"),
    PageEntry("app_pages/risks.py", "风险清单", ":material/warning:", EVERYONE, WATCH, url_path="risks"),
    PageEntry("app_pages/project.py", "项目详情", ":material/folder_open:", EVERYONE, WATCH, url_path="project"),
    PageEntry("app_pages/meeting.py", "会议模式", ":material/co_present:", EVERYONE, WATCH, url_path="meeting"),
    PageEntry("app_pages/reporting.py", "填报进度", ":material/schedule:", EVERYONE, WATCH, url_path="reporting"),
    PageEntry("app_pages/reports.py", "报表", ":material/description:", READERS, WATCH, url_path="reports"),
    PageEntry("app_pages/todo.py", "待办", ":material/checklist:", EVERYONE, WORK, url_path="todo"),
    PageEntry("app_pages/entry.py", "填报", ":material/edit_note:", ADMIN_STAFF, WORK, url_path="entry"),
    PageEntry("app_pages/review.py", "审核", ":material/fact_check:", ADMIN_STAFF, WORK, url_path="review"),
    PageEntry("app_pages/targets.py", "绩效目标", ":material/flag:", EVERYONE, MANAGE, url_path="targets"),
    PageEntry("app_pages/periods.py", "填报期管理", ":material/lock_clock:", READERS, MANAGE, url_path="periods"),
    PageEntry("app_pages/import_targets.py", "导入目标", ":material/upload_file:", ADMIN_ONLY, MANAGE, url_path="import"),
    PageEntry("app_pages/admin_settings.py", "设置", ":material/settings:", ADMIN_ONLY, MANAGE, url_path="settings"),
]
# ======================================================================================================


def pages_for_role(role: str | None, pages: list[PageEntry] | None = None) -> list[PageEntry]:
    """The entries a role may see, in table order (no role → none)."""
    table = PAGES if pages is None else pages
    if not role:
        return []
    return [p for p in table if role in p.roles]


def table_problems(pages: list[PageEntry] | None = None) -> list[str]:
    """Mistakes in the table (missing file, unknown role, duplicate path/title); ``[]`` when fine."""
    table = PAGES if pages is None else pages
    out = []
    seen_paths: set[str] = set()
    seen_titles: set[str] = set()
    seen_addresses: set[str] = set()
    for p in table:
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", p.address):
            out.append(f"{p.path}: url_path {p.address!r} is not a lower-case slug")
        if p.address in seen_addresses:
            out.append(f"{p.path}: url_path {p.address!r} used twice")
        seen_addresses.add(p.address)
        if not (ROOT / p.path).is_file() and not Path(p.path).is_file():
            out.append(f"{p.path}: file not found")
        unknown = set(p.roles) - set(ROLES)
        if unknown:
            out.append(f"{p.path}: unknown roles {sorted(unknown)}")
        if not p.roles:
            out.append(f"{p.path}: no role can see it")
        if p.path in seen_paths:
            out.append(f"{p.path}: listed twice")
        if p.title in seen_titles:
            out.append(f"{p.title}: title used twice")
        seen_paths.add(p.path)
        seen_titles.add(p.title)
    for role in ROLES:
        if not pages_for_role(role, table):
            out.append(f"role {role!r} sees no page")
    return out


def _st_pages(entries: list[PageEntry]) -> list:
    return [st.Page(p.path, title=p.title, icon=p.icon or None, url_path=p.address, default=(i == 0))
            for i, p in enumerate(entries)]


def build_navigation(role: str | None, pages: list[PageEntry] | None = None):
    """The argument for ``st.navigation``: a list of ``st.Page``, or a dict ``{section: [...]}`` when any
    visible entry has a section. The first visible page is the default."""
    visible = pages_for_role(role, pages)
    st_pages = _st_pages(visible)
    if not any(p.section for p in visible):
        return st_pages
    grouped: dict[str, list] = {}
    for entry, page in zip(visible, st_pages):
        grouped.setdefault(entry.section, []).append(page)
    return grouped


def login_navigation(pages: list[PageEntry] | None = None) -> list:
    """Every page of the table, for ``st.navigation(..., position="hidden")`` on the login screen: nothing
    is run or listed, but Streamlit resolves the page the browser asked for (``/risks``) and keeps it as
    the current page, so the run after a successful login opens it — if the role may see it; otherwise
    the role's default page. The same paths as ``build_navigation`` (one address per page)."""
    table = PAGES if pages is None else pages
    return _st_pages(sorted(table, key=lambda p: p.address != "overview"))


def navigate(role: str | None):
    """Register the pages with ``st.navigation`` and return the page to run: the role's menu, or with
    ``None`` every page hidden for the login screen (``login_navigation``). ``components.auth.require_login``
    calls it before anything renders a component (why: its docstring)."""
    if role is None:
        return st.navigation(login_navigation(), position="hidden")
    return st.navigation(build_navigation(role), expanded=True)  # every page listed, no 'View more'

