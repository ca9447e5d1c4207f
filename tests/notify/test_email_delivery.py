"""E-mail escalation through a real SMTP server (aiosmtpd) on 127.0.0.1 with STARTTLS and login."""

import shutil
import socket
import ssl
import subprocess

import pytest

from helpers import mentions, write_script

aiosmtpd = pytest.importorskip("aiosmtpd.controller")
from aiosmtpd.smtp import AuthResult  # noqa: E402

PASSWORD = "smtp-pa55word"


@pytest.fixture
def smtp_server(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make the test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    messages = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            messages.append({"from": envelope.mail_from, "to": envelope.rcpt_tos, "data": envelope.content.decode(),
                             "tls": session.ssl is not None, "login": session.authenticated})  # fmt: skip
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"commwatch" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)

    with socket.socket() as probe:  # a free port: the controller checks readiness by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = aiosmtpd.Controller(
        Handler(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=authenticator, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    yield port, cert, messages
    controller.stop()


def test_email_goes_through_starttls_and_login_once(cli, workdir, smtp_server):
    port, cert, messages = smtp_server
    script = write_script(workdir / "a.json", {"s": [mentions("1:we will file a lawsuit over this outage")]})
    (workdir / "commwatch.toml").write_text(
        f'[store]\npath = "inbox.db"\n[sources.a]\nconnector = "scripted"\nscript = "{script}"\n'
        f'[targets.legal]\ntype = "email"\nhost = "127.0.0.1"\nport = {port}\nca_file = "{cert}"\n'
        'username_env = "SMTP_USER"\npassword_env = "SMTP_PASSWORD"\nfrom = "commwatch@acme.test"\nto = ["legal@acme.test"]\n'
    )
    cli("sync", "--quiet")
    r = cli("escalate", "1", "--to", "legal", "--note", "lawsuit threat", env={"SMTP_USER": "commwatch", "SMTP_PASSWORD": PASSWORD})
    assert r.returncode == 0, r.stderr
    [msg] = messages
    assert msg["tls"] and msg["login"] and msg["to"] == ["legal@acme.test"]
    assert "we will file a lawsuit over this outage" in msg["data"] and "lawsuit threat" in msg["data"]
    assert "X-Commwatch-Delivery: 1" in msg["data"]
    assert PASSWORD not in r.stdout + r.stderr
    cli("outbox", "retry", env={"SMTP_USER": "commwatch", "SMTP_PASSWORD": PASSWORD})
    assert len(messages) == 1

