"""Organisation admins write their automated-processing notices: drafts, new versions, publishing, history."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from objections.domain.errors import Conflict, NotFound, ValidationFailed
from objections.domain.notices import (
    LANGUAGES,
    TEXT_FIELDS,
    check_notice,
    check_slug,
    edit_makes_new_version,
    in_language,
)
from objections.models import AuditEvent, Objection, Organization, ProcessingNotice, User
from objections.services.audit import record_audit


@dataclass(frozen=True)
class NoticeInput:
    """A notice as an organisation admin writes it: each text in kk, ru and en, and its three classes."""

    texts: Mapping[str, Mapping[str, str]]
    legal_basis: str
    risk_class: str
    autonomy_class: str

    def cleaned(self) -> dict[str, dict[str, str]]:
        """Each text with its line ends made plain and its outer spaces removed; a missing language is empty."""
        return {
            name: {
                language: (self.texts.get(name) or {}).get(language, "").replace("\r\n", "\n").strip()
                for language in LANGUAGES
            }
            for name in TEXT_FIELDS
        }


@dataclass(frozen=True)
class DraftNotice:
    """A notice not yet saved, shaped like a ProcessingNotice for the citizen's notice template (the preview)."""

    organization: Organization
    slug: str
    version: int
    texts: dict[str, dict[str, str]]
    legal_basis: str
    risk_class: str
    autonomy_class: str

    def text(self, name: str, language: str) -> str:
        return in_language(self.texts.get(name), language)


@dataclass
class NoticeSummary:
    """One notice in the organisation admin's list: its current version and how many objections name any version."""

    current: ProcessingNotice
    versions: int
    objections: int
    history: list[tuple[ProcessingNotice, int]] = field(default_factory=list)


def _validate(data: NoticeInput, *, complete: bool) -> dict[str, dict[str, str]]:
    texts = data.cleaned()
    errors = check_notice(
        texts,
        legal_basis=data.legal_basis,
        risk_class=data.risk_class,
        autonomy_class=data.autonomy_class,
        complete=complete,
    )
    if errors:
        raise ValidationFailed(errors)
    return texts


def _current(session: Session, organization_id: int, slug: str, *, for_change: bool = False) -> ProcessingNotice:
    """The current version; `for_change` locks its row (PostgreSQL) so that an edit and a publication of the same
    notice take turns. SQLite's write transactions take turns anyway."""
    if check_slug(slug):
        raise NotFound("no such notice")  # not a slug at all: no query (a NUL would upset PostgreSQL)
    statement = select(ProcessingNotice).where(
        ProcessingNotice.organization_id == organization_id,
        ProcessingNotice.slug == slug,
        ProcessingNotice.is_current,
    )
    if for_change and session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    notice = session.scalar(statement)
    if notice is None:
        raise NotFound("no such notice")
    return notice


def current_notice(session: Session, *, organization_id: int, slug: str) -> ProcessingNotice:
    """The current version of one of the organisation's notices, published or not; NotFound for any other."""
    return _current(session, organization_id, slug)


def preview(organization: Organization, data: NoticeInput, *, slug: str, version: int) -> DraftNotice:
    """The notice as citizens would read it, before it is saved (no validation: a half-written draft shows too)."""
    return DraftNotice(
        organization=organization,
        slug=slug,
        version=version,
        texts=data.cleaned(),
        legal_basis=data.legal_basis,
        risk_class=data.risk_class,
        autonomy_class=data.autonomy_class,
    )


def _objection_counts(session: Session, notice_ids: list[int]) -> dict[int, int]:
    if not notice_ids:
        return {}
    rows = session.execute(
        select(Objection.notice_id, func.count())
        .where(Objection.notice_id.in_(notice_ids))
        .group_by(Objection.notice_id)
    )
    return {notice_id: count for notice_id, count in rows}  # noqa: C416 - rows are Row objects, not pairs


def _ever_published(session: Session, notice: ProcessingNotice) -> bool:
    """Whether a version may ever have been read by citizens: the audit chain keeps every publication and
    withdrawal made here; a version made elsewhere (the demo, an import) is taken to have been published."""
    if notice.created_by_id is None:
        return True
    payloads = session.scalars(
        select(AuditEvent.payload).where(AuditEvent.kind.in_(("notice_published", "notice_unpublished")))
    )
    return any((payload or {}).get("notice_id") == notice.id for payload in payloads)


def is_unchanged(notice: ProcessingNotice, data: NoticeInput) -> bool:
    """Whether saving `data` would change nothing of the version."""
    return data.cleaned() == {name: dict(getattr(notice, name) or {}) for name in TEXT_FIELDS} and (
        data.legal_basis,
        data.risk_class,
        data.autonomy_class,
    ) == (notice.legal_basis, notice.risk_class, notice.autonomy_class)


def content_digest(notice: ProcessingNotice) -> str:
    """A fingerprint of a version's content and state: an edit based on another fingerprint started from a page
    someone has changed since (a draft edited in place keeps its version number)."""
    body = {name: getattr(notice, name) for name in TEXT_FIELDS}
    body.update(
        version=notice.version,
        published=notice.published,
        legal_basis=notice.legal_basis,
        risk_class=notice.risk_class,
        autonomy_class=notice.autonomy_class,
    )
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def list_notices(session: Session, organization_id: int) -> list[NoticeSummary]:
    """Every notice of the organisation by address, with its versions (newest first) and objection counts."""
    versions = session.scalars(
        select(ProcessingNotice)
        .where(ProcessingNotice.organization_id == organization_id)
        .order_by(ProcessingNotice.slug, ProcessingNotice.version.desc())
    ).all()
    counts = _objection_counts(session, [v.id for v in versions])
    summaries: dict[str, NoticeSummary] = {}
    for version in versions:
        summary = summaries.get(version.slug)
        if summary is None:
            summary = summaries[version.slug] = NoticeSummary(current=version, versions=0, objections=0)
        if version.is_current:
            summary.current = version
        summary.versions += 1
        summary.objections += counts.get(version.id, 0)
        summary.history.append((version, counts.get(version.id, 0)))
    return list(summaries.values())


def notice_summary(session: Session, *, organization_id: int, slug: str) -> NoticeSummary:
    for summary in list_notices(session, organization_id):
        if summary.current.slug == slug:
            return summary
    raise NotFound("no such notice")


def create_notice(
    session: Session, *, actor: User, organization_id: int, slug: str, data: NoticeInput, now: datetime
) -> ProcessingNotice:
    """A new notice as an unpublished draft, version 1."""
    slug = slug.strip()
    errors = {"slug": codes} if (codes := check_slug(slug)) else {}
    if not errors and session.scalar(
        select(ProcessingNotice.id).where(
            ProcessingNotice.organization_id == organization_id, ProcessingNotice.slug == slug
        )
    ):
        errors["slug"] = ["taken"]
    try:
        texts = _validate(data, complete=False)  # a draft may be saved half-written
    except ValidationFailed as exc:
        raise ValidationFailed({**errors, **exc.errors}) from exc
    if errors:
        raise ValidationFailed(errors)
    notice = ProcessingNotice(
        organization_id=organization_id,
        slug=slug,
        version=1,
        is_current=True,
        published=False,
        legal_basis=data.legal_basis,
        risk_class=data.risk_class,
        autonomy_class=data.autonomy_class,
        created_at=now,
        created_by_id=actor.id,
        **texts,
    )
    session.add(notice)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ValidationFailed({"slug": ["taken"]}) from exc
    record_audit(
        session, "notice_created", actor=actor, now=now, payload={"notice_id": notice.id, "slug": slug, "version": 1}
    )
    return notice


def edit_notice(
    session: Session,
    *,
    actor: User,
    organization_id: int,
    slug: str,
    data: NoticeInput,
    expected_version: int,
    now: datetime,
    expected_digest: str | None = None,
) -> ProcessingNotice:
    """Save an edit. A draft nobody has seen changes in place; a version citizens could read or an objection names
    stays as it was and the edit becomes the next version, current, keeping the publication state. Conflict when
    the notice has moved past `expected_version` meanwhile (someone else saved first)."""
    current = _current(session, organization_id, slug, for_change=True)
    if current.version != expected_version:
        raise Conflict("the notice has a newer version")
    if expected_digest is not None and expected_digest != content_digest(current):
        raise Conflict("the notice was changed meanwhile")
    texts = _validate(data, complete=current.published)  # what citizens read is always complete
    if is_unchanged(current, data):
        return current  # nothing to save, and no copy of the same text as a new version
    objections = _objection_counts(session, [current.id]).get(current.id, 0)
    frozen = edit_makes_new_version(
        published=current.published, ever_published=_ever_published(session, current), objections=objections
    )
    if not frozen:
        for name, values in texts.items():
            setattr(current, name, values)
        current.legal_basis = data.legal_basis
        current.risk_class = data.risk_class
        current.autonomy_class = data.autonomy_class
        session.flush()
        record_audit(
            session,
            "notice_edited",
            actor=actor,
            now=now,
            payload={"notice_id": current.id, "slug": slug, "version": current.version},
        )
        return current
    successor = ProcessingNotice(
        organization_id=organization_id,
        slug=slug,
        version=current.version + 1,
        is_current=True,
        published=current.published,
        legal_basis=data.legal_basis,
        risk_class=data.risk_class,
        autonomy_class=data.autonomy_class,
        created_at=now,
        created_by_id=actor.id,
        **texts,
    )
    current.is_current = False
    session.add(successor)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("another version was saved at the same time") from exc
    record_audit(
        session,
        "notice_version_created",
        actor=actor,
        now=now,
        payload={"notice_id": successor.id, "slug": slug, "version": successor.version, "previous_id": current.id},
    )
    if successor.published:
        record_audit(
            session,
            "notice_published",
            actor=actor,
            now=now,
            payload={"notice_id": successor.id, "slug": slug, "version": successor.version},
        )
    return successor


def set_published(
    session: Session, *, actor: User, organization_id: int, slug: str, published: bool, now: datetime
) -> ProcessingNotice:
    """Publish the current version in the register and the objection form, or take it out of both. Objections
    already filed keep their version either way."""
    notice = _current(session, organization_id, slug, for_change=True)
    if notice.published == published:
        return notice
    if published and (
        errors := check_notice(
            {name: getattr(notice, name) or {} for name in TEXT_FIELDS},
            legal_basis=notice.legal_basis,
            risk_class=notice.risk_class,
            autonomy_class=notice.autonomy_class,
        )
    ):
        raise ValidationFailed(errors)
    notice.published = published
    session.flush()
    record_audit(
        session,
        "notice_published" if published else "notice_unpublished",
        actor=actor,
        now=now,
        payload={"notice_id": notice.id, "slug": slug, "version": notice.version},
    )
    return notice


def version_of(session: Session, *, organization_id: int, slug: str, version: int) -> ProcessingNotice:
    notice = session.scalar(
        select(ProcessingNotice).where(
            ProcessingNotice.organization_id == organization_id,
            ProcessingNotice.slug == slug,
            ProcessingNotice.version == version,
        )
    )
    if notice is None:
        raise NotFound("no such version")
    return notice


def input_of(notice: ProcessingNotice) -> NoticeInput:
    """A saved version as editor input: the starting point of its next edit."""
    return NoticeInput(
        texts={name: dict(getattr(notice, name) or {}) for name in TEXT_FIELDS},
        legal_basis=notice.legal_basis,
        risk_class=notice.risk_class,
        autonomy_class=notice.autonomy_class,
    )
