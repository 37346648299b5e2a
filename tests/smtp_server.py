"""A real SMTP server on loopback for the tests: aiosmtpd in the test process, on a free port (fixture `smtp`)."""

from __future__ import annotations

import email
import re
import socket
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def link_path(message: Message, site: str = "http://chunfeng.test") -> str:
    """The site path of the first link to the site in the message."""
    found = re.search(re.escape(site) + r"(/\S+)", body(message))
    assert found, body(message)
    return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """Start the SMTP server and point the app at it; yields the inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, SITE_URL="http://chunfeng.test",
                      MAIL_TIMEOUT=5)
    yield inbox
    controller.stop()
