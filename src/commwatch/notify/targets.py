"""Escalation targets: where a mention (or an alert) is sent so a person sees it.

    [targets.pr]      type = "slack";   url_env = "SLACK_PR_WEBHOOK"
    [targets.ops]     type = "webhook"; url_env = "OPS_HOOK_URL" (or url = "…"); secret_env = "OPS_HOOK_SECRET"
    [targets.legal]   type = "email";   host = "smtp.example.com"; port = 587; starttls = true
                      username_env = "SMTP_USER"; password_env = "SMTP_PASSWORD"
                      from = "commwatch@example.com"; to = ["legal@example.com"]; ca_file = "…" (optional)
    [targets.pager]   type = "command"; command = ["/usr/local/bin/page-oncall"]; timeout = 30

Every target gets the same facts: the mention's author, text, platform link,
sentiment, priority and the note. A webhook body is signed with HMAC-SHA256
of the raw body (header X-Commwatch-Signature: sha256=<hex>) and carries
X-Commwatch-Delivery (the outbox id) so a receiver can drop a repeat. Secrets
come from environment variables and appear in no message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from commwatch.config import Target

TIMEOUT_S = 15.0


class DeliveryError(Exception):
    """The target did not take it. `permanent`: retrying will not help until the config changes.
    `waiting`: nothing was attempted because a variable it needs is unset; it can go once it is set."""

    def __init__(self, message: str, permanent: bool = False, waiting: bool = False):
        self.permanent = permanent
        self.waiting = waiting
        super().__init__(message)


def summary_lines(event: dict[str, Any]) -> list[str]:
    """The plain-text facts, shared by Slack, e-mail and anything human-facing."""
    if event["event"] == "alert":
        a = event["alert"]
        return [f"commwatch alert {a['name']}: {a['count']} {a['metric']} mentions in the last {a['window']} "
                f"(baseline {a['baseline_mean']:.1f} ± {a['baseline_std']:.1f}, threshold {a['threshold']:.1f})"]  # fmt: skip
    m = event["mention"]
    if event["event"] == "overdue":
        head = f"Overdue #{m['id']} ({m['platform']}): its first response was due {event['due_at']} ({event['alert']})"
    else:
        e = event["escalation"]
        head = f"Escalated #{m['id']} ({m['platform']}) by {e['actor']}" + (f": {e['note']}" if e.get("note") else "")
    lines = [
        head,
        f"@{m['author']['handle']}" + (f" ({m['author']['followers']} followers)" if m["author"]["followers"] else ""),
        m["text"] if len(m["text"]) <= 2000 else m["text"][:2000] + "…",
        f"sentiment {m['sentiment']['label']} ({m['sentiment']['score']:+.2f}), "
        f"priority {m['priority']['level']} ({m['priority']['score']}): {'; '.join(m['priority']['reasons'])}",
    ]
    if m.get("url"):
        lines.append(m["url"])
    return lines


def send(target: Target, event: dict[str, Any], delivery_id: int, env: Mapping[str, str]) -> None:
    """Deliver one event to one target; DeliveryError says why not."""
    sender = {"slack": _slack, "webhook": _webhook, "email": _email, "command": _command}[target.type]
    sender(target, event, delivery_id, env)


def _secret(target: Target, key: str, env: Mapping[str, str], required: bool = True) -> str | None:
    name = target.options.get(key)
    if not name:
        if required:
            raise DeliveryError(f"target {target.name} has no {key} (the environment variable to read)", permanent=True)
        return None
    value = env.get(name)
    if not value:
        raise DeliveryError(f"target {target.name}: set {name}", waiting=True)
    return value


def _post(target: Target, url: str, body: bytes, headers: dict[str, str]) -> None:
    import httpx

    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"target {target.name}: its URL does not start with http:// or https://", permanent=True)
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_S)
    except httpx.InvalidURL:
        raise DeliveryError(f"target {target.name}: its URL is not a valid URL", permanent=True) from None
    except httpx.TimeoutException:
        raise DeliveryError(f"target {target.name} did not answer within {TIMEOUT_S:.0f} s") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"target {target.name} could not be reached ({type(exc).__name__})") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise DeliveryError(f"target {target.name} answered HTTP {response.status_code}")
    if response.status_code >= 300:
        raise DeliveryError(f"target {target.name} refused it: HTTP {response.status_code}", permanent=True)


def _slack(target: Target, event: dict[str, Any], delivery_id: int, env: Mapping[str, str]) -> None:
    url = _secret(target, "url_env", env)
    lines = summary_lines(event)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(line)}} for line in lines]
    body = json.dumps({"text": _slack_escape(lines[0]), "blocks": blocks}).encode()
    _post(target, url, body, {"Content-Type": "application/json"})


def _slack_escape(text: str) -> str:
    """Slack mrkdwn control characters, so mention text cannot ping @channel or fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _webhook(target: Target, event: dict[str, Any], delivery_id: int, env: Mapping[str, str]) -> None:
    url = target.options.get("url") or _secret(target, "url_env", env)
    body = json.dumps({**event, "delivery_id": delivery_id}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-Commwatch-Event": event["event"],
               "X-Commwatch-Delivery": str(delivery_id)}  # fmt: skip
    secret = _secret(target, "secret_env", env, required=False)
    if secret:
        headers["X-Commwatch-Signature"] = signature(secret, body)
    _post(target, url, body, headers)


def _email(target: Target, event: dict[str, Any], delivery_id: int, env: Mapping[str, str]) -> None:
    import smtplib
    import ssl

    o = target.options
    if not o.get("host") or not o.get("to") or not o.get("from"):
        raise DeliveryError(f"target {target.name} needs host, from and to", permanent=True)
    lines = summary_lines(event)
    msg = EmailMessage()
    msg["Subject"] = lines[0][:150]
    msg["From"] = o["from"]
    msg["To"] = ", ".join(o["to"]) if isinstance(o["to"], list) else o["to"]
    msg["X-Commwatch-Delivery"] = str(delivery_id)
    msg.set_content("\n\n".join(lines) + "\n")
    user = _secret(target, "username_env", env, required=False)
    password = _secret(target, "password_env", env, required=False)
    try:
        with smtplib.SMTP(o["host"], o.get("port", 587), timeout=TIMEOUT_S) as smtp:
            if o.get("starttls", True):
                smtp.starttls(context=ssl.create_default_context(cafile=o.get("ca_file")))
            if user and password:
                smtp.login(user, password)
            smtp.send_message(msg)
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(f"target {target.name}: the SMTP server refused the login", permanent=True) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"target {target.name}: the SMTP server does not offer STARTTLS", permanent=True) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"target {target.name}: SMTP failed ({type(exc).__name__})") from None


def _command(target: Target, event: dict[str, Any], delivery_id: int, env: Mapping[str, str]) -> None:
    argv = target.options.get("command")
    if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
        raise DeliveryError(f"target {target.name}: command must be a list such as [\"/usr/bin/prog\", \"arg\"]",
                            permanent=True)  # fmt: skip
    timeout = target.options.get("timeout", 30)
    body = json.dumps({**event, "delivery_id": delivery_id}, ensure_ascii=False)
    try:
        done = subprocess.run(argv, input=body, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"target {target.name}: {argv[0]} did not finish within {timeout:.0f} s") from None
    except OSError as exc:
        raise DeliveryError(f"target {target.name}: {argv[0]} cannot be run ({exc.strerror})", permanent=True) from None
    if done.returncode != 0:
        raise DeliveryError(f"target {target.name}: {argv[0]} exited with {done.returncode}")
