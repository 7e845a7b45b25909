"""Organisation admins' notices: drafts, publishing, and versions that objections keep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from objections.domain.errors import Conflict, NotFound, ValidationFailed
from objections.domain.notices import LANGUAGES, TEXT_FIELDS
from objections.models import AuditEvent, ProcessingNotice
from objections.services import intake, notice_editor, notices
from objections.services.audit_verify import verify_all
from objections.services.notice_editor import NoticeInput
from tests.builders import VALID_IINS, make_notice, make_organization, make_user, objection_input


def written(title: str = "Loan scoring", **texts: dict[str, str]) -> NoticeInput:
    values = {part: {language: f"{part} ({language})" for language in LANGUAGES} for part in TEXT_FIELDS}
    values["title"] = {"kk": f"{title} kk", "ru": f"{title} ru", "en": title}
    values.update(texts)
    return NoticeInput(texts=values, legal_basis="consent", risk_class="high", autonomy_class="semi_autonomous")


@pytest.fixture
def world(session):
    organization = make_organization(session)
    other = make_organization(session, slug="other-org")
    admin = make_user(session, role="org_admin", organization=organization)
    session.commit()
    return {"org": organization, "other": other, "admin": admin}


def create(session, world, now, slug="loan-scoring", data=None):
    return notice_editor.create_notice(
        session, actor=world["admin"], organization_id=world["org"].id, slug=slug, data=data or written(), now=now
    )


def publish(session, world, now, slug="loan-scoring", published=True):
    return notice_editor.set_published(
        session, actor=world["admin"], organization_id=world["org"].id, slug=slug, published=published, now=now
    )


def edit(session, world, now, data, expected_version, slug="loan-scoring"):
    return notice_editor.edit_notice(
        session,
        actor=world["admin"],
        organization_id=world["org"].id,
        slug=slug,
        data=data,
        expected_version=expected_version,
        now=now,
    )


def file_against(session, world, now, slug="loan-scoring", iin=VALID_IINS[0]):
    data = objection_input(world["org"], notice=slug, iin=iin)
    return intake.file_objection(session, data, channel="web", policy="calendar_days", now=now).objection


def test_a_new_notice_is_a_draft_citizens_cannot_see_until_published(session, world, now) -> None:
    notice = create(session, world, now)
    assert (notice.version, notice.published, notice.is_current) == (1, False, True)
    assert notices.find_notice(session, world["org"].slug, "loan-scoring") is None
    with pytest.raises(ValidationFailed) as refused:
        intake.validate_input(
            session, objection_input(world["org"], notice="loan-scoring"), email_required=True, now=now
        )
    assert refused.value.errors["notice"] == ["unknown"]

    publish(session, world, now)
    shown = notices.find_notice(session, world["org"].slug, "loan-scoring")
    assert shown is not None and shown.text("title", "kk") == "Loan scoring kk"
    assert [n.slug for n in notices.published_notices(session, "en")] == ["loan-scoring"]


def test_a_draft_is_edited_in_place_without_a_new_version(session, world, now) -> None:
    notice = create(session, world, now)
    saved = edit(session, world, now, written("Credit limits"), expected_version=1)
    assert saved.id == notice.id and saved.version == 1
    assert session.scalars(select(ProcessingNotice)).all() == [notice]
    assert notice.text("title", "en") == "Credit limits"


def test_editing_a_published_notice_makes_a_version_and_objections_keep_theirs(session, world, now) -> None:
    first = create(session, world, now)
    publish(session, world, now)
    earlier = file_against(session, world, now)

    second = edit(session, world, now + timedelta(hours=1), written("Loan scoring, revised"), expected_version=1)

    assert (second.version, second.published, second.is_current) == (2, True, True)
    assert first.is_current is False and first.text("title", "en") == "Loan scoring"
    assert earlier.notice_id == first.id and earlier.notice.version == 1
    later = file_against(session, world, now + timedelta(hours=2), iin=VALID_IINS[1])
    assert later.notice_id == second.id
    assert notices.find_notice(session, world["org"].slug, "loan-scoring").version == 2


def test_a_withdrawn_notice_that_citizens_once_read_still_gets_a_new_version(session, world, now) -> None:
    first = create(session, world, now)
    publish(session, world, now)
    publish(session, world, now, published=False)
    assert notices.find_notice(session, world["org"].slug, "loan-scoring") is None

    second = edit(session, world, now, written("Reworded"), expected_version=1)

    assert second.id != first.id and second.version == 2 and second.published is False
    assert first.text("title", "en") == "Loan scoring"


def test_an_edit_based_on_an_old_version_is_refused_and_changes_nothing(session, world, now) -> None:
    create(session, world, now)
    publish(session, world, now)
    edit(session, world, now, written("Second"), expected_version=1)
    with pytest.raises(Conflict):
        edit(session, world, now, written("Lost update"), expected_version=1)
    current = notice_editor.current_notice(session, organization_id=world["org"].id, slug="loan-scoring")
    assert current.version == 2 and current.text("title", "en") == "Second"


def test_incomplete_or_clashing_notices_are_refused_with_every_field_named(session, world, now) -> None:
    create(session, world, now)
    with pytest.raises(ValidationFailed) as refused:
        (create(session, world, now, slug="loan-scoring", data=written(title="x" * 201)),)
    errors = refused.value.errors
    assert errors["slug"] == ["taken"]
    assert errors["title_en"] == ["too_long"]
    with pytest.raises(ValidationFailed) as bad_slug:
        create(session, world, now, slug="Loan Scoring")
    assert bad_slug.value.errors == {"slug": ["slug_format"]}


def test_the_same_slug_may_be_used_by_another_organisation(session, world, now) -> None:
    create(session, world, now)
    other = notice_editor.create_notice(
        session, actor=world["admin"], organization_id=world["other"].id, slug="loan-scoring", data=written(), now=now
    )
    assert other.organization_id == world["other"].id


def test_another_organisations_notice_cannot_be_edited_or_published(session, world, now) -> None:
    notice_editor.create_notice(
        session, actor=world["admin"], organization_id=world["other"].id, slug="theirs", data=written(), now=now
    )
    with pytest.raises(NotFound):
        publish(session, world, now, slug="theirs")
    with pytest.raises(NotFound):
        edit(session, world, now, written(), expected_version=1, slug="theirs")


def test_every_change_is_on_the_audit_chain_and_the_chain_verifies(session, world, now) -> None:
    create(session, world, now)
    edit(session, world, now, written("Draft two"), expected_version=1)
    publish(session, world, now)
    edit(session, world, now, written("Published two"), expected_version=1)
    publish(session, world, now, published=False)
    session.commit()
    kinds = session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)).all()
    assert kinds == [
        "notice_created",
        "notice_edited",
        "notice_published",
        "notice_version_created",
        "notice_published",
        "notice_unpublished",
    ]
    assert verify_all(session).ok


def test_the_list_gives_each_notice_once_with_its_versions_and_objections(session, world, now) -> None:
    create(session, world, now)
    publish(session, world, now)
    file_against(session, world, now)
    edit(session, world, now, written("Second"), expected_version=1)
    create(session, world, now, slug="fraud-checks", data=written("Fraud checks"))

    summaries = notice_editor.list_notices(session, world["org"].id)

    assert [(s.current.slug, s.current.version, s.versions, s.objections) for s in summaries] == [
        ("fraud-checks", 1, 1, 0),
        ("loan-scoring", 2, 2, 1),
    ]
    assert [(v.version, count) for v, count in summaries[1].history] == [(2, 0), (1, 1)]


def test_two_admins_editing_the_same_draft_cannot_overwrite_each_other(session, world, now) -> None:
    draft = create(session, world, now)
    seen_by_both = notice_editor.content_digest(draft)
    notice_editor.edit_notice(
        session,
        actor=world["admin"],
        organization_id=world["org"].id,
        slug="loan-scoring",
        data=written("First admin's wording"),
        expected_version=1,
        expected_digest=seen_by_both,
        now=now,
    )
    with pytest.raises(Conflict):
        notice_editor.edit_notice(
            session,
            actor=world["admin"],
            organization_id=world["org"].id,
            slug="loan-scoring",
            data=written("Second admin's wording"),
            expected_version=1,
            expected_digest=seen_by_both,
            now=now,
        )
    assert draft.text("title", "en") == "First admin's wording"


def test_a_notice_made_outside_the_editor_is_never_changed_in_place_even_once_withdrawn(session, world, now) -> None:
    seeded = make_notice(session, world["org"], slug="seeded", published=True)  # as the demo or an import makes it
    publish(session, world, now, slug="seeded", published=False)
    revised = edit(session, world, now, written("Reworded"), expected_version=1, slug="seeded")
    assert revised.id != seeded.id and revised.version == 2
    assert seeded.text("title", "en") == "Scoring"


def test_a_slug_that_is_no_slug_is_simply_not_found(session, world, now) -> None:
    with pytest.raises(NotFound):
        notice_editor.current_notice(session, organization_id=world["org"].id, slug="bad\x00slug")
    with pytest.raises(ValidationFailed) as refused:
        create(session, world, now, slug="bad\x00slug")
    assert refused.value.errors == {"slug": ["slug_format"]}


def test_a_half_written_draft_is_saved_but_published_only_once_complete(session, world, now) -> None:
    half = written(data_used={"kk": "Кредиттік тарих", "ru": "", "en": ""})
    draft = create(session, world, now, data=half)
    assert not draft.published and draft.data_used == {"kk": "Кредиттік тарих", "ru": "", "en": ""}
    with pytest.raises(ValidationFailed) as refused:
        publish(session, world, now)
    assert refused.value.errors == {"data_used_ru": ["required"], "data_used_en": ["required"]}
    assert not draft.published
    edit(session, world, now, written(), expected_version=1)
    assert publish(session, world, now).published
    with pytest.raises(ValidationFailed) as gap:  # what citizens read stays complete
        edit(session, world, now, written(procedure={"kk": "", "ru": "x", "en": "y"}), expected_version=1)
    assert gap.value.errors == {"procedure_kk": ["required"]}
