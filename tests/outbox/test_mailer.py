from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from inspections.outbox.mailer import FolderTransport, SMTPTransport, transport_for


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kiểm tra CCHC <no-reply@inspections.example>"
    message["To"] = "Nguyễn Văn Bình <q-hadong@hanoi.example>"
    message["Subject"] = "Thông báo lịch kiểm tra công tác CCHC"
    message["Message-ID"] = "<notification-1@inspections.example>"
    message.set_content("Đoàn kiểm tra sẽ làm việc với đơn vị vào ngày 09/09/2019.")
    return message


def test_without_smtp_url_mail_goes_to_the_instance_folder(tmp_path):
    transport = transport_for(None, str(tmp_path / "mail"))
    transport.send(_message())
    transport.send(_message())  # the same Message-ID: still one file

    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Thông báo lịch kiểm tra công tác CCHC"
    assert "09/09/2019" in parsed.get_content()
    assert isinstance(transport, FolderTransport)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect(Message):
    def __init__(self) -> None:
        super().__init__(message_class=EmailMessage)
        self.received: list[EmailMessage] = []

    def handle_message(self, message: EmailMessage) -> None:
        self.received.append(message)


@pytest.fixture
def smtp_sink():
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_smtp_url_sends_to_the_server(smtp_sink):
    controller, handler = smtp_sink
    SMTPTransport(f"smtp://127.0.0.1:{controller.port}").send(_message())

    assert len(handler.received) == 1
    received = handler.received[0]
    assert received["Message-ID"] == "<notification-1@inspections.example>"
    assert str(email.message_from_bytes(received.as_bytes(), policy=email.policy.default)["Subject"]) == (
        "Thông báo lịch kiểm tra công tác CCHC"
    )


def test_a_malformed_smtp_url_is_refused():
    with pytest.raises(ValueError):
        SMTPTransport("http://mail.example")
