"""Organisation admins' notice editor: each part in kk, ru and en, a preview as citizens see it, versions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.core import Label
from wtforms.validators import Optional

from objections.clock import utcnow
from objections.domain.errors import Conflict, NotFound, ValidationFailed
from objections.domain.notices import (
    AUTONOMY_CLASSES,
    LANGUAGES,
    LEGAL_BASES,
    RISK_CLASSES,
    TEXT_FIELDS,
    missing_parts,
)
from objections.domain.timefmt import format_local_datetime
from objections.extensions import db
from objections.models import Organization, ProcessingNotice
from objections.services import notice_editor
from objections.services.notice_editor import DraftNotice, NoticeInput
from objections.web import labels
from objections.web.confirm import ask_first
from objections.web.i18n import LANGUAGE_NAMES
from objections.web.operator import actor, bp, org_admin_required, page_language
from objections.web.operator_forms import ConfirmForm, apply_errors, options

# What each part of a notice is called in the editor, and what helps to write it.
PARTS = {
    "title": (_l("Title"), _l("A short name people will recognise, like “Loan scoring”.")),
    "decided_automatically": (_l("What is decided automatically"), None),
    "procedure": (_l("How the decision is made"), _l("The procedure and its logic, in plain words.")),
    "data_used": (_l("Data used"), None),
    "consequences": (_l("Possible consequences for the person"), None),
    "legal_basis_reference": (
        _l("Reference of the legal basis"),
        _l("For a law: its name, article and paragraph. For consent: where and how it is given (optional)."),
    ),
    "how_to_object": (_l("How to object"), None),
    "how_to_protect": (
        _l("How to protect one's rights"),
        _l("The appeal routes: the organisation, the authorized body, the court."),
    ),
}
CONFLICT_MESSAGE = _l(
    "Someone else saved this notice while you were editing it, so nothing was saved. Your text is kept below: "
    "compare it with the newest version (open the notice in another tab) before you save again."
)


class NoticeForm(FlaskForm):
    """The editor: one field per part and language (`title_kk`, ...), the address, and the three classes."""

    slug = StringField(_l("Address in the register"))
    expected_version = HiddenField()
    expected_digest = HiddenField()
    legal_basis = SelectField(_l("Legal basis"), validators=[Optional()])
    risk_class = SelectField(_l("Risk class of the AI system"), validators=[Optional()])
    autonomy_class = SelectField(_l("Autonomy class of the AI system"), validators=[Optional()])
    preview_language = SelectField(_l("Preview in"), validators=[Optional()])

    def setup(self) -> None:
        self.legal_basis.choices = options((code, labels.LEGAL_BASIS[code]) for code in LEGAL_BASES)
        self.risk_class.choices = options((code, labels.RISK[code]) for code in RISK_CLASSES)
        self.autonomy_class.choices = options((code, labels.AUTONOMY[code]) for code in AUTONOMY_CLASSES)
        self.preview_language.choices = options(LANGUAGE_NAMES.items())
        for part in TEXT_FIELDS:
            for language in LANGUAGES:
                field = self[f"{part}_{language}"]
                field.label = Label(field.id, f"{PARTS[part][0]} — {LANGUAGE_NAMES[language]}")

    def data_input(self) -> NoticeInput:
        return NoticeInput(
            texts={part: {lang: self[f"{part}_{lang}"].data or "" for lang in LANGUAGES} for part in TEXT_FIELDS},
            legal_basis=self.legal_basis.data or "",
            risk_class=self.risk_class.data or "",
            autonomy_class=self.autonomy_class.data or "",
        )

    def fill(self, data: NoticeInput) -> None:
        for part in TEXT_FIELDS:
            for language in LANGUAGES:
                self[f"{part}_{language}"].data = (data.texts.get(part) or {}).get(language, "")
        self.legal_basis.data = data.legal_basis
        self.risk_class.data = data.risk_class
        self.autonomy_class.data = data.autonomy_class


for _part in TEXT_FIELDS:
    for _language in LANGUAGES:
        _kind = StringField if _part == "title" else TextAreaField
        setattr(NoticeForm, f"{_part}_{_language}", _kind(render_kw={"lang": _language}))


def _organization() -> Organization:
    organization = db.session.get(Organization, actor().organization_id)
    if organization is None:
        abort(403)
    return organization


def _form(formdata: object = None) -> NoticeForm:
    form = NoticeForm(formdata=formdata)
    form.setup()
    return form


def render_as_citizen(notice: ProcessingNotice | DraftNotice, language: str) -> Markup:
    """The notice's part of the citizen's page in `language`, headings included, exactly as the register shows it."""
    with force_locale(language):
        html = render_template("citizen/_notice_body.html", notice=notice, language=language, preview=True)
    return Markup(html)  # noqa: S704 - the output of an autoescaping template


def still_to_write(texts: dict, legal_basis: str) -> dict[str, list[str]]:
    """The parts not yet written, as their labels, by language code (only languages that lack some)."""
    missing = missing_parts(texts, legal_basis=legal_basis)
    return {language: [str(PARTS[name][0]) for name in names] for language, names in missing.items() if names}


def _editor(form: NoticeForm, *, notice: ProcessingNotice | None, status: int, preview: Markup | None = None):
    data = form.data_input()
    return (
        render_template(
            "operator/notice_form.html",
            form=form,
            notice=notice,
            parts=PARTS,
            text_fields=TEXT_FIELDS,
            languages=LANGUAGES,
            language_names=LANGUAGE_NAMES,
            preview=preview,
            preview_language=form.preview_language.data,
            missing=still_to_write(data.cleaned(), data.legal_basis) if preview is not None else {},
        ),
        status,
    )


def _preview_of(form: NoticeForm, organization: Organization, *, slug: str, version: int) -> Markup:
    language = form.preview_language.data if form.preview_language.data in LANGUAGES else LANGUAGES[0]
    form.preview_language.data = language
    draft = notice_editor.preview(organization, form.data_input(), slug=slug, version=version)
    return render_as_citizen(draft, language)


@bp.get("/notices", endpoint="notices")
@org_admin_required
def notices() -> str:
    organization = _organization()
    return render_template(
        "operator/notices.html",
        organization=organization,
        summaries=notice_editor.list_notices(db.session, organization.id),
    )


@bp.route("/notices/new", methods=["GET", "POST"], endpoint="new_notice")
@org_admin_required
def new_notice() -> Response | tuple[str, int]:
    organization = _organization()
    form = _form(request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.legal_basis.data, form.risk_class.data, form.autonomy_class.data = "consent", "high", "semi_autonomous"
        form.preview_language.data = LANGUAGES[0]
        return _editor(form, notice=None, status=200)
    if not form.validate_on_submit():
        return _editor(form, notice=None, status=422)
    slug = (form.slug.data or "").strip()
    if request.form.get("action") == "preview":
        return _editor(form, notice=None, status=200, preview=_preview_of(form, organization, slug=slug, version=1))
    try:
        notice = notice_editor.create_notice(
            db.session, actor=actor(), organization_id=organization.id, slug=slug, data=form.data_input(), now=utcnow()
        )
    except ValidationFailed as exc:
        db.session.rollback()
        for message in apply_errors(form, exc.errors):
            flash(message, "error")
        return _editor(form, notice=None, status=422)
    db.session.commit()
    flash(gettext("The notice is saved as a draft. Citizens see it once you publish it."), "info")
    return redirect(url_for("operator.notice", notice_slug=notice.slug), 303)


def _current(notice_slug: str) -> ProcessingNotice:
    try:
        return notice_editor.current_notice(db.session, organization_id=actor().organization_id or 0, slug=notice_slug)
    except NotFound:
        abort(404)


@bp.get("/notices/<notice_slug>", endpoint="notice")
@org_admin_required
def notice(notice_slug: str) -> str:
    organization = _organization()
    try:
        summary = notice_editor.notice_summary(db.session, organization_id=organization.id, slug=notice_slug)
    except NotFound:
        abort(404)
    language = request.args.get("language", LANGUAGES[0])
    language = language if language in LANGUAGES else LANGUAGES[0]
    shown = summary.current
    requested = request.args.get("version", type=int)
    if requested is not None:
        shown = next((version for version, _count in summary.history if version.version == requested), None)
        if shown is None:
            abort(404)
    return render_template(
        "operator/notice.html",
        summary=summary,
        shown=shown,
        language=language,
        language_names=LANGUAGE_NAMES,
        preview=render_as_citizen(shown, language),
        missing=still_to_write(
            {name: getattr(summary.current, name) or {} for name in TEXT_FIELDS}, summary.current.legal_basis
        ),
        saved_at={v.id: format_local_datetime(v.created_at, page_language()) for v, _count in summary.history},
    )


@bp.route("/notices/<notice_slug>/edit", methods=["GET", "POST"], endpoint="edit_notice")
@org_admin_required
def edit_notice(notice_slug: str) -> Response | tuple[str, int]:
    organization = _organization()
    current = _current(notice_slug)
    form = _form(request.form if request.method == "POST" else None)
    form.slug.data = current.slug
    if request.method == "GET":
        form.fill(notice_editor.input_of(current))
        form.expected_version.data = str(current.version)
        form.expected_digest.data = notice_editor.content_digest(current)
        form.preview_language.data = LANGUAGES[0]
        return _editor(form, notice=current, status=200)
    if not form.validate_on_submit():
        return _editor(form, notice=current, status=422)
    if request.form.get("action") == "preview":
        preview = _preview_of(form, organization, slug=current.slug, version=current.version)
        return _editor(form, notice=current, status=200, preview=preview)
    try:
        expected = int(form.expected_version.data or "")
    except ValueError:
        expected = -1
    if notice_editor.is_unchanged(current, form.data_input()):
        flash(gettext("Nothing was changed, so nothing was saved."), "info")
        return redirect(url_for("operator.notice", notice_slug=current.slug), 303)
    try:
        saved = notice_editor.edit_notice(
            db.session,
            actor=actor(),
            organization_id=organization.id,
            slug=current.slug,
            data=form.data_input(),
            expected_version=expected,
            expected_digest=form.expected_digest.data or None,
            now=utcnow(),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        for message in apply_errors(form, exc.errors):
            flash(message, "error")
        return _editor(form, notice=current, status=422)
    except Conflict:
        db.session.rollback()
        # The text typed here is kept; the form now rests on the newest version, so saving again is deliberate.
        newest = _current(notice_slug)
        form.expected_version.data = str(newest.version)
        form.expected_digest.data = notice_editor.content_digest(newest)
        flash(str(CONFLICT_MESSAGE), "error")
        return _editor(form, notice=newest, status=409)
    version = saved.version
    db.session.commit()
    if version != current.version:
        flash(
            gettext(
                "Saved as version %(version)s. Objections filed against earlier versions keep the version they were "
                "filed against.",
                version=version,
            ),
            "info",
        )
    else:
        flash(gettext("The draft is saved."), "info")
    return redirect(url_for("operator.notice", notice_slug=current.slug), 303)


@bp.post("/notices/<notice_slug>/publish", endpoint="publish_notice", defaults={"action": "publish"})
@bp.post("/notices/<notice_slug>/unpublish", endpoint="unpublish_notice", defaults={"action": "unpublish"})
@org_admin_required
def publish_notice(notice_slug: str, action: str) -> Response:
    organization = _organization()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if action == "unpublish":
        try:
            current = notice_editor.current_notice(db.session, organization_id=organization.id, slug=notice_slug)
        except NotFound:
            abort(404)
        if current.published:
            asked = ask_first(
                question=gettext(
                    "Withdraw the notice “%(title)s” from the register?", title=current.text("title", page_language())
                ),
                consequence=gettext(
                    "Citizens no longer find it in the register or the objection form, and its link says it was "
                    "withdrawn. Objections already filed against it are not affected. You can publish it again."
                ),
                button=gettext("Withdraw from the register"),
                cancel_url=url_for("operator.notice", notice_slug=notice_slug),
            )
            if asked:
                return asked  # type: ignore[return-value]
    try:
        notice_editor.set_published(
            db.session,
            actor=actor(),
            organization_id=organization.id,
            slug=notice_slug,
            published=action == "publish",
            now=utcnow(),
        )
    except NotFound:
        abort(404)
    except ValidationFailed:
        db.session.rollback()
        flash(
            gettext("It cannot be published yet: every part must be written in Kazakh, Russian and English first."),
            "error",
        )
        return redirect(url_for("operator.notice", notice_slug=notice_slug), 303)
    db.session.commit()
    if action == "publish":
        flash(gettext("The notice is published: citizens see it in the register and can object to it."), "info")
    else:
        flash(
            gettext("The notice is withdrawn from the register. Objections already filed against it are not affected."),
            "info",
        )
    return redirect(url_for("operator.notice", notice_slug=notice_slug), 303)
