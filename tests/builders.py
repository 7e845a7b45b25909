"""Builders for tests: organisations, notices, staff and objections in any state, with named presets."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count

from sqlalchemy.orm import Session

from objections.models import Objection, Organization, ProcessingNotice, User
from objections.services import intake, review
from objections.services.users import create_user

_sequence = count(1)
VALID_IINS = ("900101300017", "851231401238", "880315300511")
PASSWORD = "correct-horse-battery"


def _texts(word: str) -> dict[str, str]:
    return {"kk": f"{word} (kk)", "ru": f"{word} (ru)", "en": word}


def make_organization(
    session: Session, *, slug: str | None = None, internal_target_hours: int | None = None, **values: object
) -> Organization:
    n = next(_sequence)
    organization = Organization(
        slug=slug or f"org-{n}",
        bin=values.pop("bin", f"{n:012d}"),
        name_kk=f"Ұйым {n}",
        name_ru=f"Организация {n}",
        name_en=f"Organisation {n}",
        contact_email=f"contact{n}@org.example.kz",
        internal_target_hours=internal_target_hours,
        **values,
    )
    session.add(organization)
    session.flush()
    return organization


def make_notice(
    session: Session, organization: Organization, *, slug: str = "scoring", published: bool = True, **values: object
) -> ProcessingNotice:
    fields = {
        "title": _texts("Scoring"),
        "decided_automatically": _texts("Loan approval"),
        "procedure": _texts("A model computes a score"),
        "data_used": _texts("Credit history"),
        "consequences": _texts("A refusal"),
        "legal_basis": "consent",
        "legal_basis_reference": _texts("Consent"),
        "risk_class": "high",
        "autonomy_class": "semi_autonomous",
        "how_to_object": _texts("Object here"),
        "how_to_protect": _texts("Appeal to the authorized body"),
    }
    fields.update(values)
    notice = ProcessingNotice(organization_id=organization.id, slug=slug, published=published, **fields)
    session.add(notice)
    session.flush()
    return notice


def make_user(
    session: Session,
    *,
    role: str = "operator",
    organization: Organization | None = None,
    email: str | None = None,
    language: str = "en",
) -> User:
    n = next(_sequence)
    return create_user(
        session,
        email=email or f"{role}{n}@example.kz",
        password=PASSWORD,
        role=role,
        organization_slug=organization.slug if organization else None,
        language=language,
    )


def objection_input(organization: Organization, **values: object) -> intake.ObjectionInput:
    data = {
        "organization": organization.slug,
        "full_name": "Aigerim Test",
        "iin": VALID_IINS[0],
        "language": "en",
        "grounds": "The decision ignored my income.",
        "remedies": ["human_review"],
        "consent": True,
        "email": "subject@example.kz",
    }
    data.update(values)
    return intake.ObjectionInput(**data)  # type: ignore[arg-type]


def make_objection(
    session: Session,
    *,
    organization: Organization | None = None,
    received_at: datetime,
    status: str = "received",
    operator: User | None = None,
    answered_after: timedelta = timedelta(hours=20),
    channel: str = "web",
    **values: object,
) -> Objection:
    """An objection moved through the services to `status` (received, in_review, decided, answered, closed,
    withdrawn)."""
    organization = organization or make_organization(session)
    filed = intake.file_objection(
        session, objection_input(organization, **values), channel=channel, now=received_at, policy="calendar_days"
    )
    objection = filed.objection
    if status == "received":
        return objection
    if status == "withdrawn":
        review.withdraw(session, objection, now=received_at + timedelta(hours=1))
        return objection
    operator = operator or make_user(session, organization=organization)
    review.assign(session, objection, actor=operator, assignee=None, now=received_at + timedelta(minutes=30))
    if status == "in_review":
        return objection
    decided_at = received_at + answered_after
    review.decide(
        session,
        objection,
        review.DecisionInput(outcome="rejected", ground="consent_given", reasoning="Consent was given."),
        actor=operator,
        now=decided_at,
    )
    if status == "decided":
        return objection
    review.answer_by_email(session, objection, actor=operator, now=decided_at)
    if status == "answered":
        return objection
    review.close_answered(session, objection, now=decided_at + timedelta(days=30))
    return objection


def make_compliance_dataset(session: Session, now: datetime) -> dict[str, object]:
    """Two organisations whose supervision figures are known by hand (for `now` = Monday 16 March 2026 06:00 UTC).

    Deadlines (calendar days, Asia/Almaty): received 2 March -> 5 March 19:00 UTC (85 h later); 3 March -> 6 March
    19:00 UTC (85 h); 10 March -> 13 March 19:00 UTC (59 h overdue at `now`); 11 March -> 16 March 19:00 UTC (the
    third day is a Saturday: due today at `now`); 16 March 05:00 -> 19 March 19:00 UTC."""
    from objections.services import review

    def at(day: int, hour: int = 6, month: int = 3) -> datetime:
        return now.replace(month=month, day=day, hour=hour)

    alpha = make_organization(session, slug="alpha")
    beta = make_organization(session, slug="beta")
    make_notice(session, alpha, slug="scoring", risk_class="high")
    make_notice(session, beta, slug="pricing", risk_class="low")
    alpha_operator = make_user(session, organization=alpha)
    beta_operator = make_user(session, organization=beta)

    def alpha_objection(received_at: datetime, status: str, hours: int = 20) -> Objection:
        return make_objection(
            session,
            organization=alpha,
            operator=alpha_operator,
            received_at=received_at,
            status=status,
            answered_after=timedelta(hours=hours),
            notice="scoring",
        )

    def beta_objection(received_at: datetime, status: str, hours: int = 20) -> Objection:
        return make_objection(
            session,
            organization=beta,
            operator=beta_operator,
            received_at=received_at,
            status=status,
            answered_after=timedelta(hours=hours),
            notice="pricing",
        )

    objections = {
        "alpha_on_time_10h": alpha_objection(at(2), "answered", 10),
        "alpha_on_time_30h": alpha_objection(at(2), "answered", 30),
        "alpha_late_10h": alpha_objection(at(3), "answered", 95),
        "alpha_overdue_59h": alpha_objection(at(10), "received"),
        "alpha_due_today": alpha_objection(at(11), "received"),
        "alpha_withdrawn": alpha_objection(at(4), "withdrawn"),
        "alpha_on_time_50h_appealed": alpha_objection(at(2), "answered", 50),
        "beta_late_15h_closed": beta_objection(at(2), "closed", 100),
        "beta_on_time_20h": beta_objection(at(3), "answered", 20),
        "beta_open": beta_objection(at(16, hour=5), "received"),
        "alpha_late_in_january": alpha_objection(at(5, month=1), "answered", 200),
    }
    review.appeal(session, objections["alpha_on_time_50h_appealed"], now=at(6))
    session.flush()
    return {"alpha": alpha, "beta": beta, "objections": objections}


def objection_form_data(organization: Organization, /, **values: object) -> dict:
    """A valid web objection form as the browser sends it; `values` replace or add fields."""
    data: dict = {
        "nonce": f"nonce-{next(_sequence):04d}-abcdefghijklmnop",
        "organization": organization.slug,
        "notice": "",
        "full_name": "Aigerim Test",
        "iin": VALID_IINS[0],
        "email": "subject@example.kz",
        "phone": "",
        "language": "en",
        "decision_reference": "",
        "decision_date": "",
        "grounds": "The decision ignored my income.",
        "remedies": ["human_review"],
        "consent": "y",
    }
    data.update(values)
    return data


def png_bytes() -> bytes:
    """A real 1×1 PNG image."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    """A real one-page PDF with a cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return body


def make_many_objections(
    session: Session,
    organization: Organization,
    *,
    received_at: datetime,
    count: int,
    language: str = "en",
    status: str = "received",
    deadline_at: datetime | None = None,
) -> list[Objection]:
    """`count` objections received at `received_at`, inserted directly with the engine's deadline (no intake
    messages, no timeline): for tests that need hundreds of cases in well under a second. `deadline_at` puts the
    deadline at a chosen moment instead (for processes that run on the real clock)."""
    from objections.crypto import keyring
    from objections.domain.standing import LAST_MOMENT_OF_TERM
    from objections.domain.timefmt import local_date
    from objections.services.deadlines import compute_deadline

    computed = compute_deadline(session, received_at, "calendar_days")
    deadline = deadline_at or computed.deadline_at
    last_day = local_date(deadline - LAST_MOMENT_OF_TERM) if deadline_at else computed.last_day
    keys = keyring()
    iin_index = keys.blind_index(VALID_IINS[0])
    objections = []
    for _ in range(count):
        n = next(_sequence)
        objections.append(
            Objection(
                reference=f"BK-2026-{n:07d}",
                access_code_hash=keys.hash_secret(f"code-{n}"),
                organization_id=organization.id,
                full_name="Bulk Subject",
                iin=VALID_IINS[0],
                iin_index=iin_index,
                email=f"subject{n}@example.kz",
                language=language,
                grounds="The decision ignored my income.",
                remedies=["human_review"],
                channel="web",
                received_at=received_at,
                deadline_at=deadline,
                last_day=last_day,
                deadline_policy="calendar_days",
                status=status,
                created_at=received_at,
            )
        )
    session.add_all(objections)
    session.flush()
    return objections


def multipart_body(data: dict) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type, built in memory: (stream, name) pairs become files.
    The test client spools bodies over 500 KB to a temporary file it never closes; this keeps tests clean."""
    import io

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    fields: MultiDict = MultiDict()
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                stream, filename = item
                item = FileStorage(stream=stream if hasattr(stream, "read") else io.BytesIO(stream), filename=filename)
            fields.add(name, item)
    boundary, body = encode_multipart(fields)
    return body, f"multipart/form-data; boundary={boundary}"
