"""The one clock (Beijing display time, UTC storage) and the audit vocabularies' Chinese labels."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from domain.clock import aware, format_time, local_day_start_utc, today_local
from domain.labels import action_label, actor_label, entity_label, value_text


@pytest.mark.parametrize("value, shown", [
    (datetime(2024, 10, 12, 10, 30), "2024-10-12 18:30"),  # naive = UTC, as SQLite returns it
    (datetime(2024, 10, 12, 10, 30, tzinfo=UTC), "2024-10-12 18:30"),
    (datetime(2024, 12, 31, 16, 5, tzinfo=UTC), "2025-01-01 00:05"),  # crosses the date line
    (pd.Timestamp("2024-10-12 10:30", tz="UTC"), "2024-10-12 18:30"),
    ("2024-10-12T10:30:00+00:00", "2024-10-12 18:30"),
    (None, ""), (float("nan"), ""), (pd.NaT, ""), ("", ""),
])
def test_times_show_in_beijing_time(value, shown):
    assert format_time(value) == shown


def test_today_is_the_date_in_beijing():
    assert today_local(datetime(2024, 9, 30, 16, 0, tzinfo=UTC)) == date(2024, 10, 1)
    assert today_local(datetime(2024, 9, 30, 15, 59, tzinfo=UTC)) == date(2024, 9, 30)


def test_a_beijing_day_starts_at_16_utc_the_day_before():
    assert local_day_start_utc(date(2024, 10, 1)) == datetime(2024, 9, 30, 16, 0, tzinfo=UTC)
    assert aware(datetime(2024, 1, 1)).tzinfo is UTC


@pytest.mark.parametrize("action, entity, label", [
    ("unlock", "period", "重新开放"),
    ("unlock", "app_user", "解除锁定"),
    ("lock", "period", "锁定填报期"),
    ("update", "indicator_actual", "修改"),
    ("deactivate", "app_user", "停用账户"),
    ("brand-new", "app_user", "brand-new"),  # unknown codes are shown, never dropped
])
def test_one_label_per_action_and_entity(action, entity, label):
    assert action_label(action, entity) == label


@pytest.mark.parametrize("entity, label", [("app_user", "用户账户"), ("fiscal_year", "年度绩效目标"),
                                           ("spending_actual", "预算执行填报"), ("", "")])
def test_entity_labels(entity, label):
    assert entity_label(entity) == label


@pytest.mark.parametrize("raw, shown", [(None, "（空）"), ("None", "（空）"), ("", "（空）"), (True, "是"),
                                        ("true", "是"), ("False", "否"), ("95.5", "95.5"), ("达成", "达成")])
def test_raw_values_never_reach_the_screen(raw, shown):
    assert value_text(raw) == shown


@pytest.mark.parametrize("username, shown", [("system", "系统"), ("system-admin", "系统管理员（命令行）"),
                                             ("jiaoyu", "jiaoyu"), (None, ""), ("", "")])
def test_built_in_actors_are_named_in_chinese(username, shown):
    assert actor_label(username) == shown
