"""SMTP delivery of one outbox message: SMTP_URL parsing, the MIME message, and failures sorted into temporary and
permanent."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_TIMEOUT_SECONDS = 20.0
TRUE_WORDS = {"1", "true", "yes", "on"}


class SmtpUrlError(ValueError):
    """SMTP_URL is malformed; the message says what a good one looks like."""


class DeliveryFailed(Exception):
    """The server did not take the message: `permanent` (5xx) means retrying cannot help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class OutgoingMessage:
    key: str
    recipient: str
    subject: str
    body_text: str
    body_html: str | None
    language: str


class Mailer(Protocol):
    def send(self, message: OutgoingMessage, *, now: datetime) -> None: ...

    def close(self) -> None: ...


def parse_smtp_url(url: str) -> SmtpSettings:
    """smtp://user:pass@host:587?starttls=1, smtps://user:pass@host:465, smtp://127.0.0.1:2525 (timeout=SECONDS)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise SmtpUrlError(
            "SMTP_URL must look like smtp://user:password@host:587?starttls=1 or smtps://user:password@host:465"
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    implicit_tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit_tls else 25)
        timeout = float(query.get("timeout", DEFAULT_TIMEOUT_SECONDS))
    except ValueError as exc:
        raise SmtpUrlError("SMTP_URL has a malformed port or timeout") from exc
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit_tls,
        starttls=not implicit_tls and query.get("starttls", "0").lower() in TRUE_WORDS,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
    )


def message_id(key: str, mail_from: str) -> str:
    """The same key gives the same Message-ID, so a message sent twice after a crash is recognisably one."""
    domain = mail_from.rpartition("@")[2].strip(" >") or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def build_email(message: OutgoingMessage, *, mail_from: str, now: datetime) -> Message:
    """Multipart text + HTML in the recipient's language, marked as automatically sent. ASCII addresses get the
    classic (compat32) message, whose encoded-word subject survives any folding (the modern folder can split a long
    non-ASCII subject inside an encoded word); an internationalised address needs SMTPUTF8 and raw UTF-8 headers."""
    email: Message
    if message.recipient.isascii() and mail_from.isascii():
        if message.body_html:
            email = MIMEMultipart("alternative")
            email.attach(MIMEText(message.body_text, "plain", "utf-8"))
            email.attach(MIMEText(message.body_html, "html", "utf-8"))
        else:
            email = MIMEText(message.body_text, "plain", "utf-8")
        email["Subject"] = Header(message.subject, "utf-8")
    else:
        email = EmailMessage(policy=email_policy.SMTPUTF8)
        email.set_content(message.body_text)
        if message.body_html:
            email.add_alternative(message.body_html, subtype="html")
        email["Subject"] = message.subject
    email["From"] = mail_from
    email["To"] = message.recipient
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(message.key, mail_from)
    email["Content-Language"] = message.language
    email["Auto-Submitted"] = "auto-generated"
    return email


class SmtpMailer:
    """One SMTP connection, opened on the first message and reused until an error or close()."""

    def __init__(self, settings: SmtpSettings, *, mail_from: str) -> None:
        self.settings = settings
        self.mail_from = mail_from
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                connection.starttls(context=ssl.create_default_context())
        if s.username:
            connection.login(s.username, s.password or "")
        return connection

    def send(self, message: OutgoingMessage, *, now: datetime) -> None:
        """Hand one message to the server; raises DeliveryFailed when it is not accepted."""
        try:
            email = build_email(message, mail_from=self.mail_from, now=now)
            if self._connection is None:
                self._connection = self._connect()
            self._connection.send_message(email, from_addr=self.mail_from, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            # smtplib has already reset the transaction; the connection stays usable for the next message.
            code, text = next(iter(exc.recipients.values()))
            raise DeliveryFailed(_describe(code, text), permanent=code >= 500) from exc
        except smtplib.SMTPNotSupportedError as exc:
            # The server cannot take an internationalised address (no SMTPUTF8); it will not learn to for this one.
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", permanent=True) from exc
        except smtplib.SMTPDataError as exc:
            self.close()
            raise DeliveryFailed(_describe(exc.smtp_code, exc.smtp_error), permanent=exc.smtp_code >= 500) from exc
        except smtplib.SMTPResponseException as exc:
            # A refused sender, login or greeting is the configuration's fault, not this message's: retry later.
            self.close()
            raise DeliveryFailed(_describe(exc.smtp_code, exc.smtp_error), permanent=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", permanent=False) from exc
        except (UnicodeError, ValueError) as exc:
            # An address or header that cannot be put on the wire never will be: retrying cannot help.
            self.close()
            raise DeliveryFailed(f"the message cannot be encoded: {exc}", permanent=True) from exc

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


def _describe(code: int, text: bytes | str) -> str:
    words = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}".strip()
