"""``manage.py remind``: lists who has what outstanding; posts to a webhook or mails only when configured
and not ``--dry-run``; a failure to send is one Chinese sentence. Also: ``import-actuals`` cannot change
approved values (the Excel/CSV path goes through the same save path)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from cli import main
from data_access.permissions import Principal
from data_access.review import actions as RA
from data_access.users import principal_for
from seed.demo_users import ensure_demo_users
from tests.review_support import PERIOD, fill_project

ADMIN = Principal("admin", "管理员", "admin", system=True)


@pytest.fixture
def demo(seeded_engine, db_url, monkeypatch):
    from data_access.config import REMIND_NAMES

    for name in REMIND_NAMES:
        monkeypatch.delenv(name, raising=False)
    ensure_demo_users(seeded_engine)
    staff = principal_for(seeded_engine, "jiaoyu")
    fill_project(seeded_engine, staff, 1)
    RA.submit(seeded_engine, staff, [1], PERIOD)
    RA.return_items(seeded_engine, ADMIN, 1, PERIOD, {"spending:1": "支出与国库数据不符"}, seen_round=1)
    return seeded_engine, db_url


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - the http.server API
        length = int(self.headers["Content-Length"])
        _Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode":0}')

    def log_message(self, *args):
        pass


def test_remind_lists_by_default_and_posts_only_when_configured(demo, capsys, monkeypatch):
    engine, url = demo
    assert main(["remind", "--period", PERIOD, "--db", url]) == 0
    out = capsys.readouterr().out
    assert "jiaoyu，科室填报人员，教育科）：被退回的事项：1项" in out
    assert "待审核的项目" not in out  # returned: nothing waits for the reviewer
    assert "未发送" in out
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received.clear()
    monkeypatch.setenv("REMIND_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    try:
        assert main(["remind", "--period", PERIOD, "--dry-run", "--db", url]) == 0
        assert _Hook.received == []
        assert main(["remind", "--period", PERIOD, "--db", url]) == 0
    finally:
        server.shutdown()
    assert "已推送到webhook" in capsys.readouterr().out
    [posted] = _Hook.received
    assert posted["msgtype"] == "text" and "被退回的事项：1项" in posted["text"]["content"]


def test_remind_mails_a_digest_and_reports_a_failure_in_chinese(demo, capsys, monkeypatch):
    import smtplib

    engine, url = demo
    sent: list = []

    class FakeSMTP:
        def __init__(self, host, port, timeout=None):
            if host == "down.example":
                raise ConnectionRefusedError("拒绝连接")
            self.host = host

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self):
            sent.append("starttls")

        def login(self, user, password):
            sent.append(("login", user))

        def send_message(self, msg):
            sent.append(msg)

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setenv("REMIND_SMTP_HOST", "smtp.example")
    monkeypatch.setenv("REMIND_SMTP_TO", "jixiao@example.gov.cn, caiwu@example.gov.cn")
    monkeypatch.setenv("REMIND_SMTP_USER", "monitoring@example.gov.cn")
    assert main(["remind", "--period", PERIOD, "--db", url]) == 0
    msg = sent[-1]
    assert sent[:2] == ["starttls", ("login", "monitoring@example.gov.cn")]
    assert msg["To"] == "jixiao@example.gov.cn, caiwu@example.gov.cn" and "被退回的事项：1项" in msg.get_content()
    monkeypatch.setenv("REMIND_SMTP_HOST", "down.example")
    assert main(["remind", "--period", PERIOD, "--db", url]) == 1
    assert "发送邮件失败（down.example:587）" in capsys.readouterr().err


def test_import_actuals_cannot_change_approved_values(demo, tmp_path, capsys):
    engine, url = demo
    staff = principal_for(engine, "jiaoyu")
    RA.submit(engine, staff, [1], PERIOD)
    RA.approve(engine, ADMIN, 1, PERIOD, seen_round=2)
    csv = tmp_path / "spending.csv"
    csv.write_text("project,period,spent_wan,projected_wan,explanation\n区本课程经费,2024Q3,99,100,改\n", encoding="utf-8")
    assert main(["import-actuals", str(csv), "--user", "jiaoyu", "--db", url]) == 1
    assert "已审核通过，只读" in capsys.readouterr().err
    assert main(["import-actuals", str(csv), "--db", url]) == 1  # not even the built-in administrator
