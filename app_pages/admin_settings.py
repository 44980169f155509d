"""设置 (admin only): thresholds and weights of the status rules, users and their units, reporting
periods (read-only lock state)."""

import pandas as pd
import streamlit as st

from components import cached
from components.auth import current_config, current_principal
from components.navigation import PAGES
from components.state import get_engine, revision
from data_access import queries
from data_access.db import DatabaseBusy
from data_access.monitoring import SettingsInvalid, load_settings, save_settings
from data_access.permissions import ADMIN, ROLE_LABELS, STAFF, PermissionDenied, require_admin
from data_access.sessions import SessionTimeouts, active_sessions, end_session_by_id
from data_access.users import (
    MIN_ADMIN_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    UserError,
    create_user,
    generate_password,
    list_users,
    set_active,
    set_password,
    set_role,
    set_user_units,
    unlock_user,
)
from domain.clock import format_time
from domain.periods import parse_period
from domain.settings import DEFAULT_SETTINGS, FIELD_HELP, FIELD_LABELS, Settings

principal = current_principal()
try:
    require_admin(principal)
except PermissionDenied as e:
    st.error(str(e))
    st.stop()

engine = get_engine()
actor = principal.username
# every write below takes the principal and re-reads it in its own transaction (data_access.acting)
REFUSED = (UserError, PermissionDenied, DatabaseBusy)
st.title("设置")
tab_rules, tab_users, tab_periods = st.tabs(["状态规则", "用户与单位", "填报期"])

# --------------------------------------------------------------------------- status rules
PERCENT = {"budget_red_below", "budget_green_from", "year_end_execution_floor", "indicator_red_below",
           "indicator_green_from", "indicator_blue_from", "level_amber_margin", "overachieve_margin",
           "qual_achieved", "qual_partial", "qual_not_achieved"}
POINTS = {"weight_budget", "weight_output", "weight_effect", "weight_satisfaction", "grade_excellent", "grade_good",
          "grade_pass"}
GROUPS = [
    ("预算执行", ["budget_red_below", "budget_green_from", "year_end_execution_floor", "interpolate_plan"]),
    ("指标完成", ["indicator_red_below", "indicator_green_from", "indicator_blue_from", "level_amber_margin",
              "deadline_amber_days", "overachieve_margin", "reporting_period", "accumulate_level2", "count_units"]),
    ("自评（预览）", ["weight_budget", "weight_output", "weight_effect", "weight_satisfaction", "qual_achieved",
                "qual_partial", "qual_not_achieved", "grade_excellent", "grade_good", "grade_pass"]),
]
PERIOD_WORDS = {"quarter": "季度", "month": "月度"}


PASSWORD_HELP = (f"管理员至少{MIN_ADMIN_PASSWORD_CHARS}个字符，其他至少{MIN_PASSWORD_CHARS}个；"
                 "不能是常见密码，不能包含用户名")


def _apply(write, flash: str) -> None:
    """Run an account write; its refusal is shown in Chinese, a success reruns with ``flash``."""
    try:
        write()
    except REFUSED as e:
        st.error(str(e))
        return
    st.session_state["_admin_flash"] = flash
    st.rerun()


def _help(name: str) -> str:
    default = getattr(DEFAULT_SETTINGS, name)
    if name in PERCENT:
        d = f"{default * 100:g}%"
    elif isinstance(default, bool):
        d = "是" if default else "否"
    elif isinstance(default, tuple):
        d = "、".join(default)
    elif name == "reporting_period":
        d = PERIOD_WORDS[default]
    else:
        d = f"{default:g}"
    return (FIELD_HELP.get(name, "") + ("；" if FIELD_HELP.get(name) else "") + f"默认：{d}")


with tab_rules:
    current = load_settings(engine)
    st.caption("这些阈值决定红、黄、绿、蓝的判断；修改后所有页面立即按新规则重新计算，每项修改都记入审计日志。")
    with st.form("settings_form"):
        values: dict = {}
        for title, names in GROUPS:
            st.markdown(f"**{title}**")
            cols = st.columns(3)
            for i, name in enumerate(names):
                label = FIELD_LABELS[name]
                v = getattr(current, name)
                with cols[i % 3]:
                    if name in PERCENT:
                        values[name] = st.number_input(f"{label}（%）", min_value=0.0, max_value=1000.0, step=1.0,
                                                       value=round(float(v) * 100, 4), format="%.1f",
                                                       help=_help(name), key=f"set_{name}")
                    elif name in POINTS:
                        values[name] = st.number_input(f"{label}（分）", min_value=0.0, max_value=100.0, step=1.0,
                                                       value=float(v), format="%.1f", help=_help(name), key=f"set_{name}")
                    elif name == "deadline_amber_days":
                        values[name] = st.number_input(f"{label}（天）", min_value=0, max_value=366, step=1,
                                                       value=int(v), help=_help(name), key=f"set_{name}")
                    elif name == "interpolate_plan":
                        values[name] = st.checkbox(label, value=bool(v), help=_help(name), key=f"set_{name}")
                    elif name == "reporting_period":
                        values[name] = st.selectbox(label, ["quarter", "month"], index=0 if v == "quarter" else 1,
                                                    format_func=PERIOD_WORDS.get, help=_help(name), key=f"set_{name}")
                    else:
                        values[name] = st.text_input(label, value="、".join(v), help=_help(name) + "；用顿号或逗号分隔",
                                                     key=f"set_{name}")
        submitted = st.form_submit_button("保存规则", type="primary", key="settings_submit")
    if submitted:
        data = {k: (round(v / 100.0, 6) if k in PERCENT else v) for k, v in values.items()}
        new = Settings.from_dict(data)
        try:
            save_settings(engine, new, principal)
        except SettingsInvalid as e:
            st.error("未保存，请修改以下问题：\n\n" + "\n".join(f"- {m}" for m in e.errors))
        except (PermissionDenied, DatabaseBusy) as e:
            st.error(str(e))
        else:
            st.success("规则已保存，状态已按新规则重新计算。")
    if st.button("恢复默认值", key="settings_reset"):
        try:
            save_settings(engine, DEFAULT_SETTINGS, principal)
        except (PermissionDenied, DatabaseBusy) as e:
            st.error(str(e))
        else:
            for name in FIELD_LABELS:
                st.session_state.pop(f"set_{name}", None)
            st.rerun()

# --------------------------------------------------------------------------- users and units
with tab_users:
    users = list_users(engine)
    units = queries.unit_names(engine)
    table = pd.DataFrame([{
        "用户名": u.username, "姓名": u.name, "角色": u.role_label, "责任单位": "、".join(u.unit_names) or "—",
        "状态": "启用" if u.active else "停用",
        "登录锁定": (f"锁定至{format_time(u.locked_until)}" if u.is_locked() else
                 (f"连续错误{u.failed_attempts}次" if u.failed_attempts else "—")),
        "演示账户": "是" if u.is_demo else "",
    } for u in users])
    st.dataframe(table, hide_index=True, width="stretch", key="users_table")

    flash = st.session_state.pop("_admin_flash", None)
    if flash:
        st.success(flash)

    left, right = st.columns(2)
    with left:
        st.markdown("**新建用户**")
        with st.form("create_user", clear_on_submit=True):
            username = st.text_input("用户名", key="new_user_username", help="小写字母、数字、下划线、点和连字符，2–32位")
            name = st.text_input("姓名", key="new_user_name")
            role = st.selectbox("角色", [STAFF, "leader", ADMIN], format_func=ROLE_LABELS.get, key="new_user_role")
            chosen_units = st.multiselect("责任单位", units, placeholder="科室填报人员至少选一个", key="new_user_units")
            password = st.text_input("初始密码", type="password", help=PASSWORD_HELP + "；留空则随机生成", key="new_user_password")
            ok = st.form_submit_button("创建", key="new_user_submit")
        if ok:
            pw = password or generate_password()
            try:
                create_user(engine, username, role, pw, name=name, units=chosen_units, by=principal)
            except REFUSED as e:
                st.error(str(e))
            else:
                st.session_state["_admin_flash"] = (f"已创建用户 {username.strip().lower()}" +
                                                    ("" if password else f"，初始密码：{pw}（请通过安全渠道告知本人）"))
                st.rerun()

    with right:
        st.markdown("**管理已有用户**")
        names = [u.username for u in users]
        if names:
            who = st.selectbox("用户", names, key="admin_user_pick",
                               format_func=lambda n: next(f"{u.username}（{u.name}，{u.role_label}）" for u in users if u.username == n))
            info = next(u for u in users if u.username == who)
            with st.form("user_units"):
                new_units = st.multiselect("责任单位", units, default=[u for u in info.unit_names if u in units],
                                           key=f"user_units_{who}")
                if st.form_submit_button("保存责任单位", key="user_units_submit"):
                    try:
                        set_user_units(engine, who, new_units, by=principal)
                    except REFUSED as e:
                        st.error(str(e))
                    else:
                        st.session_state["_admin_flash"] = f"已更新 {who} 的责任单位"
                        st.rerun()
            if who != actor:
                with st.form("user_role"):
                    roles = [STAFF, "leader", ADMIN]
                    new_role = st.selectbox("角色", roles, index=roles.index(info.role), format_func=ROLE_LABELS.get,
                                            key=f"user_role_{who}", help="修改后该用户需重新登录")
                    if st.form_submit_button("保存角色", key="user_role_submit"):
                        _apply(lambda: set_role(engine, who, new_role, by=principal), f"已修改 {who} 的角色")
            with st.form("user_password", clear_on_submit=True):
                new_pw = st.text_input("新密码", type="password", help=PASSWORD_HELP + "；留空则随机生成；重置密码同时解除锁定",
                                   key="reset_password")
                if st.form_submit_button("重置密码", key="reset_password_submit"):
                    pw = new_pw or generate_password()
                    try:
                        set_password(engine, who, pw, by=principal)
                    except REFUSED as e:
                        st.error(str(e))
                    else:
                        st.session_state["_admin_flash"] = (f"已重置 {who} 的密码" +
                                                            ("" if new_pw else f"，新密码：{pw}（请通过安全渠道告知本人）"))
                        st.rerun()
            b1, b2 = st.columns(2)
            if b1.button("解除锁定", key="admin_unlock", disabled=not (info.is_locked() or info.failed_attempts)):
                _apply(lambda: unlock_user(engine, who, by=principal), f"已解除 {who} 的登录锁定")
            if who != actor:
                label = "停用账户" if info.active else "启用账户"
                if b2.button(label, key="admin_toggle_active"):
                    _apply(lambda: set_active(engine, who, not info.active, by=principal), f"已{label[:2]} {who}")

    st.markdown("**当前登录会话**")
    open_sessions = active_sessions(engine, principal, SessionTimeouts.of(current_config()))
    if not open_sessions:
        st.caption("当前没有登录会话。")
    else:
        st.dataframe(pd.DataFrame([{
            "会话": f"#{x.id}", "用户名": x.username, "姓名": x.name, "登录时间": format_time(x.created_at),
            "最近操作": format_time(x.last_seen_at), "地址": x.client or "—",
        } for x in open_sessions]), hide_index=True, width="stretch", key="sessions_table")
        ids = [x.id for x in open_sessions]
        pick = st.selectbox("会话", ids, key="admin_session_pick",
                            format_func=lambda i: next(f"#{x.id} {x.username}（{x.client or '未知地址'}）"
                                                       for x in open_sessions if x.id == i))
        if st.button("结束会话", key="admin_end_session", help="该用户下次操作时回到登录页"):
            end_session_by_id(engine, principal, pick)
            st.session_state["_admin_flash"] = f"已结束会话 #{pick}"
            st.rerun()

# --------------------------------------------------------------------------- periods
with tab_periods:
    rev = revision()
    years = cached.fiscal_years(rev)
    if not years:
        st.info("尚未导入绩效目标表。")
    else:
        year = st.selectbox("年度", years, index=len(years) - 1, key="admin_period_year", format_func=lambda y: f"{y}年度")
        periods = cached.periods_table(rev, year)
        with_data = set(cached.periods_with_data(rev, year))
        view = pd.DataFrame({
            "填报期": [parse_period(c).label for c in periods["code"]],
            "类型": periods["kind"].map({"quarter": "季度", "month": "月度"}),
            "开始": periods["start"], "结束": periods["end"],
            "有填报数据": ["是" if c in with_data else "" for c in periods["code"]],
            "锁定": ["🔒 已锁定" if bool(x) else "未锁定" for x in periods["locked"]],
            "锁定人": periods["locked_by"].fillna(""),
            "锁定时间": [format_time(t) for t in periods["locked_at"]],
        })
        st.dataframe(view, hide_index=True, width="stretch", key="periods_table")
        lock_pages = [p for p in PAGES if ADMIN in p.roles and ("period" in p.path or "填报期" in p.title)]
        if lock_pages:
            st.page_link(lock_pages[0].path, label=f"到「{lock_pages[0].title}」锁定或解锁填报期", icon="🔒")
        else:
            st.caption("此处只读显示锁定状态；锁定或解锁填报期请使用数据填报模块。")
