"""Attachments: the type comes from the content, sizes and counts are bounded, files live under generated names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from objections.domain.errors import NotFound, ValidationFailed
from objections.models import Attachment, ObjectionEvent
from objections.services import attachments
from tests.builders import make_objection, make_organization, pdf_bytes, png_bytes

JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


def upload(name: str, content: bytes) -> tuple[str, io.BytesIO]:
    return name, io.BytesIO(content)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (pdf_bytes(), ("application/pdf", "pdf")),
        (png_bytes(), ("image/png", "png")),
        (JPEG_HEAD + b"\x00" * 32, ("image/jpeg", "jpg")),
        (b"<html><script>alert(1)</script></html>", None),
        (b"just some text pretending to be a PDF", None),
        (b"GIF89a\x01\x00\x01\x00", None),
        (b"PK\x03\x04 a zip or a .docx", None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_leading_bytes(content: bytes, expected: tuple[str, str] | None) -> None:
    assert attachments.sniff(content[:16]) == expected


def test_a_text_file_named_pdf_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        attachments.check_uploads([upload("decision.pdf", b"This is plain text, not a PDF.")])
    assert caught.value.errors == {"attachments": ["file_type"]}


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        attachments.check_uploads([upload("empty.png", b"")])
    assert caught.value.errors == {"attachments": ["file_type"]}


def test_a_real_png_and_pdf_are_accepted_whatever_their_names_say() -> None:
    checked = attachments.check_uploads([upload("scan.pdf", png_bytes()), upload("decision", pdf_bytes())])
    assert [(c.content_type, c.extension) for c in checked] == [("image/png", "png"), ("application/pdf", "pdf")]
    assert checked[0].content == png_bytes()


def test_a_file_of_exactly_five_mb_is_accepted_and_one_byte_more_is_refused() -> None:
    limit = attachments.MAX_FILE_BYTES
    body = pdf_bytes()
    exactly = body + b"\n" * (limit - len(body))
    assert len(attachments.check_uploads([upload("a.pdf", exactly)])[0].content) == limit
    with pytest.raises(ValidationFailed) as caught:
        attachments.check_uploads([upload("a.pdf", exactly + b"\n")])
    assert caught.value.errors == {"attachments": ["file_too_large"]}


def test_four_files_are_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        attachments.check_uploads([upload(f"{n}.png", png_bytes()) for n in range(4)])
    assert caught.value.errors == {"attachments": ["too_many_files"]}


def test_three_files_are_accepted_and_unchosen_inputs_are_ignored() -> None:
    files = [upload(f"{n}.png", png_bytes()) for n in range(3)] + [upload("", b"")]
    assert len(attachments.check_uploads(files)) == 3


def test_every_problem_is_named_once() -> None:
    files = [upload("a.pdf", b"text"), upload("b.pdf", b"more text"), upload("c.pdf", b"%PDF-" + b"x" * (6 << 20))]
    with pytest.raises(ValidationFailed) as caught:
        attachments.check_uploads(files)
    assert caught.value.errors == {"attachments": ["file_too_large", "file_type"]}


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../app.py", "app.py"),
        ("C:\\Users\\me\\decision.pdf", "decision.pdf"),
        ("шешім\x00\n.pdf", "шешім.pdf"),
        ("/", "attachment"),
        ("x" * 300 + ".pdf", "x" * 255),
    ],
)
def test_the_display_name_has_no_folder_or_control_characters(given: str, kept: str) -> None:
    assert attachments.display_name(given) == kept


def test_stored_files_get_generated_names_under_instance_attachments(app, session, now) -> None:
    objection = make_objection(session, received_at=now)
    checked = attachments.check_uploads([upload("../../evil.pdf", pdf_bytes()), upload("photo.png", png_bytes())])
    paths = attachments.store_attachments(session, objection, checked, now=now)
    session.commit()
    rows = attachments.attachments_of(session, objection)
    assert [r.original_name for r in rows] == ["evil.pdf", "photo.png"]
    folder = attachments.attachments_dir()
    assert folder == Path(app.instance_path) / "attachments"
    for row, path in zip(rows, paths, strict=True):
        assert path.parent == folder
        assert path.name == row.stored_name
        assert "evil" not in row.stored_name and "photo" not in row.stored_name
        assert attachments.attachment_path(row).read_bytes() in (pdf_bytes(), png_bytes())
    assert rows[0].sha256 == checked[0].sha256
    assert rows[0].size == len(pdf_bytes())
    kinds = session.scalars(select(ObjectionEvent.kind).where(ObjectionEvent.objection_id == objection.id)).all()
    assert kinds.count("attachment_added") == 2


def test_attachments_dir_follows_configuration(app, tmp_path) -> None:
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "elsewhere")
    assert attachments.attachments_dir() == tmp_path / "elsewhere"


def test_a_failed_store_leaves_no_file_behind(app, session, now, monkeypatch) -> None:
    objection = make_objection(session, received_at=now)
    checked = attachments.check_uploads([upload("a.png", png_bytes()), upload("b.png", png_bytes())])

    def broken_event(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(attachments, "append_event", broken_event)
    with pytest.raises(RuntimeError):
        attachments.store_attachments(session, objection, checked, now=now)
    assert list(attachments.attachments_dir().iterdir()) == []


def test_discard_files_removes_what_was_written(app, session, now) -> None:
    objection = make_objection(session, received_at=now)
    paths = attachments.store_attachments(
        session, objection, attachments.check_uploads([upload("a.png", png_bytes())]), now=now
    )
    attachments.discard_files(paths)
    attachments.discard_files(paths)  # a second removal is harmless
    assert not paths[0].exists()


def test_attachment_for_refuses_another_objections_file(app, session, now) -> None:
    organization = make_organization(session)
    mine = make_objection(session, organization=organization, received_at=now)
    theirs = make_objection(session, received_at=now)
    attachments.store_attachments(session, theirs, attachments.check_uploads([upload("a.png", png_bytes())]), now=now)
    attachments.store_attachments(session, mine, attachments.check_uploads([upload("b.png", png_bytes())]), now=now)
    their_file = attachments.attachments_of(session, theirs)[0]
    my_file = attachments.attachments_of(session, mine)[0]
    assert attachments.attachment_for(session, mine, my_file.id) == my_file
    with pytest.raises(NotFound):
        attachments.attachment_for(session, mine, their_file.id)
    with pytest.raises(NotFound):
        attachments.attachment_for(session, mine, 99999)


def test_attachment_for_refuses_a_row_whose_file_is_gone(app, session, now) -> None:
    objection = make_objection(session, received_at=now)
    paths = attachments.store_attachments(
        session, objection, attachments.check_uploads([upload("a.png", png_bytes())]), now=now
    )
    paths[0].unlink()
    row = session.scalar(select(Attachment).where(Attachment.objection_id == objection.id))
    with pytest.raises(NotFound):
        attachments.attachment_for(session, objection, row.id)


@pytest.mark.parametrize(
    ("original", "stored", "expected"),
    [
        ("decision.pdf", "abc.pdf", "decision.pdf"),
        ("photo.JPEG", "abc.jpg", "photo.JPEG"),
        ("photo.jpg", "abc.jpg", "photo.jpg"),
        ("scan.pdf", "abc.png", "scan.pdf.png"),
        ("attachment", "abc.pdf", "attachment.pdf"),
    ],
)
def test_the_download_name_ends_with_what_the_file_really_is(original: str, stored: str, expected: str) -> None:
    row = Attachment(original_name=original, stored_name=stored)
    assert attachments.download_name(row) == expected
