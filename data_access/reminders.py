"""Reminders: who has what outstanding for a period (``data_access.todo`` per active account), as lines of
text, and — only when configured (``data_access.config.RemindConfig``) — sent by mail or posted to a
webhook. Without configuration nothing leaves the machine.

Definitions chosen here:

* One line per person with something to do: name, role and units, then each 待办 item (``被退回的事项：1项；
  待填报的事项：15项；距填报截止：3天``); people with nothing to do are not listed.
* The mail is one digest to the configured addresses (the accounts carry no mail address); the webhook
  gets the same text as ``{"msgtype": "text", "text": {"content": …}}`` (企业微信 and 钉钉 group robots).
  A failure to send is one Chinese sentence (:class:`SendFailed`), never a traceback.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from sqlalchemy import Engine, select

from data_access.actuals.periods import period_label
from data_access.config import RemindConfig
from data_access.models import User
from data_access.todo import todo_items
from data_access.users import principal_for


class SendFailed(RuntimeError):
    """Sending the reminders failed; ``str(e)`` is Chinese."""


@dataclass(frozen=True, slots=True)
class Reminder:
    username: str
    who: str  # 姓名（角色，单位）
    items: tuple[str, ...]

    def line(self) -> str:
        return f"{self.who}：" + "；".join(self.items)


def reminders(engine: Engine, period_code: str, today: date | None = None) -> list[Reminder]:
    """Everyone's outstanding work for ``period_code`` (active accounts, by user name)."""
    with engine.connect() as c:
        names = list(c.execute(select(User.username).where(User.active.is_(True)).order_by(User.username)).scalars())
    out = []
    for username in names:
        p = principal_for(engine, username)
        if p is None:
            continue
        items = todo_items(engine, p, today, period_code)
        if items:
            units = f"，{'、'.join(p.unit_names)}" if p.unit_names else ""
            out.append(Reminder(username, f"{p.display_name}（{username}，{p.role_label}{units}）",
                                tuple(i.text for i in items)))
    return out


def message_text(period_code: str, items: list[Reminder]) -> str:
    head = f"绩效双监控看板：{period_label(period_code)}待办提醒（{len(items)}人）"
    return head + "\n" + "\n".join(f"- {r.line()}" for r in items)


def send(config: RemindConfig, subject: str, text: str, timeout: float = 15) -> list[str]:
    """Send ``text`` by every configured channel; returns what was done (Chinese), [] when none is set."""
    done = []
    if config.webhook_url:
        body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(config.webhook_url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - the admin's own URL
                if resp.status >= 300:
                    raise SendFailed(f"推送到webhook失败：服务器返回{resp.status}")
        except OSError as e:
            raise SendFailed(f"推送到webhook失败：{getattr(e, 'reason', e)}") from e
        done.append("已推送到webhook")
    if config.mail:
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = config.smtp_from or config.smtp_user or "monitoring@localhost"
        msg["To"] = ", ".join(config.smtp_to)
        msg.set_content(text)
        try:
            with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=timeout) as smtp:
                if config.smtp_starttls:
                    smtp.starttls()
                if config.smtp_user:
                    smtp.login(config.smtp_user, config.smtp_password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as e:
            raise SendFailed(f"发送邮件失败（{config.smtp_host}:{config.smtp_port}）：{e}") from e
        done.append(f"已发送邮件给{'、'.join(config.smtp_to)}")
    return done


__all__ = ["SendFailed", "Reminder", "reminders", "message_text", "send"]
