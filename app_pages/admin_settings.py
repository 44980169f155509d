"""设置 (admin only): thresholds and weights of the status rules, users and their units, reporting
and a link to 填报期管理 (the one page for reporting periods)."""

import pandas as pd
import streamlit as st

from components.auth import current_config, current_principal
from components.navigation import PAGES
from components.state import get_engine
from data_access import queries, status_store
from data_access.db import DatabaseBusy
from data_access.monitoring import SettingsInvalid, load_settings, save_settings
from data_access.permissions import ADMIN, ROLE_LABELS, STAFF, PermissionDenied, require_admin
from data_access.review.people import set_unit_reviewer as mark_unit_reviewer
from data_access.review.people import unit_reviewers
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
from domain.settings import (
    DEFAULT_SETTINGS,
    EVIDENCE_UPLOAD_LIMIT_MB,
    FIELD_HELP,
    FIELD_LABELS,
    PRESET_HELP,
    QUAL_PRESETS,
    ROLLUP_RULES,
    WEIGHT_PRESETS,
    Settings,
    qual_preset_of,
    weight_preset_of,
    with_presets,
)

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
tab_rules, tab_users = st.tabs(["状态规则", "用户与单位"])

# --------------------------------------------------------------------------- status rules
PERCENT = {"budget_red_below", "budget_green_from", "year_end_execution_floor", "indicator_red_below",
           "indicator_green_from", "indicator_blue_from", "level_amber_margin", "overachieve_margin",
           "qual_achieved", "qual_partial", "qual_not_achieved", "rollup_red_share", "rollup_amber_share"}
POINTS = {"weight_budget", "weight_output", "weight_effect", "weight_satisfaction", "grade_excellent", "grade_good",
          "grade_pass"}
GROUPS = [
    ("预算执行", ["budget_red_below", "budget_green_from", "year_end_execution_floor", "interpolate_plan"]),
    ("指标完成", ["indicator_red_below", "indicator_green_from", "indicator_blue_from", "level_amber_margin",
              "deadline_amber_days", "overachieve_margin", "reporting_period", "accumulate_level2", "count_units"]),
    ("佐证材料", ["evidence_for_achieved", "evidence_for_deadline_done", "evidence_for_blue", "evidence_max_mb"]),
    ("领域、单位和部门整体的颜色", ["rollup_rule", "rollup_red_share", "rollup_amber_share"]),
    ("自评（预览）", ["use_table_weights", "satisfaction_by_rate",
                "weight_budget", "weight_output", "weight_effect", "weight_satisfaction", "qual_achieved",
                "qual_partial", "qual_not_achieved", "grade_excellent", "grade_good", "grade_pass"]),
    ("审核", ["review_levels"]),
]
LEVEL_WORDS = {1: "一级：管理员（绩效/财务）审核", 2: "两级：科长初审，再由管理员审核"}
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
    elif name == "review_levels":
        d = LEVEL_WORDS[default]
    elif name == "rollup_rule":
        d = ROLLUP_RULES[default]
    else:
        d = f"{default:g}"
    return (FIELD_HELP.get(name, "") + ("；" if FIELD_HELP.get(name) else "") + f"默认：{d}")


with tab_rules:
    current = load_settings(engine)
    st.caption("这些阈值决定红、黄、绿、蓝的判断；修改后全部状态在后台按新规则重新计算（大规模数据需要一段时间），"
               "完成前各页面显示按原规则计算的状态并提示进度；每项修改都记入审计日志。")
    progress = status_store.state(engine)
    if progress.rebuilding:
        st.progress(progress.percent / 100, text=f"状态正在重新计算（{progress.percent}%）")
    with st.form("settings_form"):
        values: dict = {}
        for title, names in GROUPS:
            st.markdown(f"**{title}**")
            if names[0] == "use_table_weights":
                p1, p2 = st.columns(2)
                weight_preset = p1.selectbox("自评权重方案", list(WEIGHT_PRESETS), key="set_weight_preset",
                                             index=list(WEIGHT_PRESETS).index(weight_preset_of(current)),
                                             format_func=lambda k: WEIGHT_PRESETS[k][0], help=PRESET_HELP["weights"])
                qual_preset = p2.selectbox("定性指标计分方案", list(QUAL_PRESETS), key="set_qual_preset",
                                           index=list(QUAL_PRESETS).index(qual_preset_of(current)),
                                           format_func=lambda k: QUAL_PRESETS[k][0], help=PRESET_HELP["qual"])
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
                    elif name == "evidence_max_mb":
                        values[name] = st.number_input(f"{label}（MB）", min_value=0.1, max_value=float(EVIDENCE_UPLOAD_LIMIT_MB),
                                                       step=1.0, value=float(v), format="%.1f", help=_help(name),
                                                       key=f"set_{name}")
                    elif isinstance(getattr(DEFAULT_SETTINGS, name), bool):
                        values[name] = st.checkbox(label, value=bool(v), help=_help(name), key=f"set_{name}")
                    elif name == "reporting_period":
                        values[name] = st.selectbox(label, ["quarter", "month"], index=0 if v == "quarter" else 1,
                                                    format_func=PERIOD_WORDS.__getitem__, help=_help(name), key=f"set_{name}")
                    elif name == "review_levels":
                        values[name] = st.selectbox(label, [1, 2], index=0 if v != 2 else 1, format_func=LEVEL_WORDS.__getitem__,
                                                    help=_help(name) + "；科长在“设置 → 用户与单位”或命令行 set-unit-reviewer 中指定",
                                                    key=f"set_{name}")
                    elif name == "rollup_rule":
                        rules = list(ROLLUP_RULES)
                        values[name] = st.selectbox(label, rules, index=rules.index(v) if v in rules else 0,
                                                    format_func=ROLLUP_RULES.__getitem__, help=_help(name), key=f"set_{name}")
                    else:
                        values[name] = st.text_input(label, value="、".join(v), help=_help(name) + "；用顿号或逗号分隔",
                                                     key=f"set_{name}")
        submitted = st.form_submit_button("保存规则", type="primary", key="settings_submit")
    if submitted:
        data = {k: (round(v / 100.0, 6) if k in PERCENT else v) for k, v in values.items()}
        new = with_presets(Settings.from_dict(data), weight_preset, qual_preset)
        try:
            save_settings(engine, new, principal)
        except SettingsInvalid as e:
            st.error("未保存，请修改以下问题：\n\n" + "\n".join(f"- {m}" for m in e.errors))
        except (PermissionDenied, DatabaseBusy) as e:
            st.error(str(e))
        else:
            st.success("规则已保存。状态正在后台按新规则重新计算，完成后各页面自动显示新状态。")
    # two steps: 恢复默认值 asks, 确认恢复默认值 overwrites every rule (statuses are recomputed at once)
    if not st.session_state.get("settings_reset_asked"):
        if st.button("恢复默认值", key="settings_reset"):
            st.session_state["settings_reset_asked"] = True
            st.rerun()
    else:
        st.warning("确定将全部规则恢复为默认值？当前设置将被覆盖，所有状态按默认规则重新计算。")
        r1, r2, _ = st.columns([1, 1, 3])
        if r1.button("确认恢复默认值", type="primary", key="settings_reset_confirm"):
            st.session_state.pop("settings_reset_asked", None)
            try:
                save_settings(engine, DEFAULT_SETTINGS, principal)
            except (PermissionDenied, DatabaseBusy) as e:
                st.error(str(e))
            else:
                for name in [*FIELD_LABELS, "weight_preset", "qual_preset"]:
                    st.session_state.pop(f"set_{name}", None)
                st.rerun()
        if r2.button("取消", key="settings_reset_cancel"):
            st.session_state.pop("settings_reset_asked", None)
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
    st.dataframe(table, hide_index=True, width="stretch", key="users_table", placeholder="")

    flash = st.session_state.pop("_admin_flash", None)
    if flash:
        st.success(flash)

    left, right = st.columns(2)
    with left:
        st.markdown("**新建用户**")
        with st.form("create_user", clear_on_submit=True):
            username = st.text_input("用户名", key="new_user_username", help="小写字母、数字、下划线、点和连字符，2–32位")
            name = st.text_input("姓名", key="new_user_name")
            role = st.selectbox("角色", [STAFF, "leader", ADMIN], format_func=ROLE_LABELS.__getitem__, key="new_user_role")
            chosen_units = st.multiselect("责任单位", units, placeholder="科室填报人员至少选一个", key="new_user_units",
                                          select_all=False)
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
                                           key=f"user_units_{who}", placeholder="请选择", select_all=False)
                if st.form_submit_button("保存责任单位", key="user_units_submit"):
                    try:
                        set_user_units(engine, who, new_units, by=principal)
                    except REFUSED as e:
                        st.error(str(e))
                    else:
                        st.session_state["_admin_flash"] = f"已更新 {who} 的责任单位"
                        st.rerun()
            if who != actor:  # one's own role stays: another administrator changes it
                with st.form("user_role"):
                    roles = [STAFF, "leader", ADMIN]
                    new_role = st.selectbox("角色", roles, index=roles.index(info.role), format_func=ROLE_LABELS.__getitem__,
                                            key=f"user_role_{who}", help="修改后该用户需重新登录")
                    if st.form_submit_button("保存角色", key="user_role_submit"):
                        _apply(lambda: set_role(engine, who, new_role, by=principal),
                               f"已将 {who} 的角色改为{ROLE_LABELS[new_role]}")
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
            if info.role == STAFF:
                chief = who in unit_reviewers(engine)
                if st.button("取消科长（初审）" if chief else "设为科长（初审）", key="admin_unit_reviewer",
                             help="设置两级审核时，科长先审核本单位送审的项目，再由管理员审核"):
                    _apply(lambda: mark_unit_reviewer(engine, principal, who, not chief), f"已{'取消' if chief else '设为'}科长：{who}")
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
# one page manages the reporting periods (lock state, lock/reopen, audit log): 设置 only links to it
PERIODS_PAGE = next(p for p in PAGES if p.path == "app_pages/periods.py")
st.page_link(PERIODS_PAGE.path, label=f"填报期的锁定、重新开放和审计日志：到「{PERIODS_PAGE.title}」", icon="🔒")
