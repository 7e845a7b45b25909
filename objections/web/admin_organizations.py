"""Administrators' organisation pages: the list with counts, create, edit, deactivate and reactivate."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, StringField

from objections.clock import utcnow
from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.organisations import MAX_INTERNAL_TARGET_HOURS
from objections.domain.permissions import Access
from objections.extensions import db
from objections.models import Organization
from objections.services import organizations
from objections.web.admin import bp
from objections.web.authz import requires
from objections.web.confirm import ask_first
from objections.web.form_errors import apply_errors

MAX_ID = 2**63 - 1  # a larger number cannot be a row id, and the database driver refuses it


class DetailsForm(FlaskForm):
    """The fields an administrator may change at any time; the services check every rule."""

    name_kk = StringField(_l("Name in Kazakh"))
    name_ru = StringField(_l("Name in Russian"))
    name_en = StringField(_l("Name in English"))
    contact_email = EmailField(_l("Contact e-mail for objections"))
    internal_target_hours = StringField(_l("Internal target in hours (optional)"))


class CreateForm(FlaskForm):
    """A new organisation: its fixed slug and BIN first, then the details, in the order the page shows them."""

    slug = StringField(_l("Short name for addresses (slug)"))
    bin = StringField(_l("BIN"))
    name_kk = StringField(_l("Name in Kazakh"))
    name_ru = StringField(_l("Name in Russian"))
    name_en = StringField(_l("Name in English"))
    contact_email = EmailField(_l("Contact e-mail for objections"))
    internal_target_hours = StringField(_l("Internal target in hours (optional)"))


class ActionForm(FlaskForm):
    pass


def _details(form: DetailsForm | CreateForm) -> organizations.OrganizationDetails:
    return organizations.OrganizationDetails(
        name_kk=form.name_kk.data or "",
        name_ru=form.name_ru.data or "",
        name_en=form.name_en.data or "",
        contact_email=form.contact_email.data or "",
        internal_target_hours=form.internal_target_hours.data or "",
    )


def _show_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    apply_errors(form, exc.errors)


def _hints() -> dict[str, str]:
    return {
        "slug": gettext(
            "Lowercase Latin letters, digits and hyphens, like dala-bank. It appears in addresses and the API "
            "and cannot be changed later."
        ),
        "bin": gettext("The 12-digit business identification number. It cannot be changed later."),
        "internal_target_hours": gettext(
            "A stricter target than the three-day term, from 1 to %(max)s hours: cases past it are shown as at "
            "risk. It never changes the legal deadline.",
            max=MAX_INTERNAL_TARGET_HOURS,
        ),
    }


def _list_page(form: CreateForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "admin/organizations.html",
        form=form,
        rows=organizations.list_organizations(db.session),
        hints=_hints(),
    ), status


def _organization(organization_id: int) -> Organization:
    try:
        return organizations.get_organization(db.session, organization_id)
    except NotFound:
        abort(404)


def _edit_page(organization: Organization, form: DetailsForm, status: int = 200) -> tuple[str, int]:
    answering = organizations.answering_staff(db.session, organization.id)
    page = render_template(
        "admin/organization_edit.html", organization=organization, form=form, hints=_hints(), answering=answering
    )
    return page, status


@bp.get("/organisations", endpoint="organizations")
@requires(Access.ADMINISTRATION)
def organizations_page() -> tuple[str, int]:
    return _list_page(CreateForm())


@bp.post("/organisations", endpoint="create_organization")
@requires(Access.ADMINISTRATION)
def create_organization() -> Response | tuple[str, int]:
    form = CreateForm()
    if not form.validate_on_submit():
        return _list_page(form, 400)
    try:
        organization = organizations.create_organization(
            db.session,
            actor=current_user,
            slug=form.slug.data or "",
            bin=form.bin.data or "",
            details=_details(form),
            now=utcnow(),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        _show_errors(form, exc)
        return _list_page(form, 422)
    db.session.commit()
    flash(
        gettext(
            "The organisation %(slug)s was created. It takes no objections yet: invite its staff, then activate it.",
            slug=organization.slug,
        ),
        "info",
    )
    return redirect(url_for("admin.edit_organization", organization_id=organization.id), 303)


@bp.get(f"/organisations/<int(max={MAX_ID}):organization_id>", endpoint="edit_organization")
@requires(Access.ADMINISTRATION)
def edit_organization(organization_id: int) -> tuple[str, int]:
    organization = _organization(organization_id)
    form = DetailsForm(formdata=None, obj=organization)
    return _edit_page(organization, form)


@bp.post(f"/organisations/<int(max={MAX_ID}):organization_id>", endpoint="update_organization")
@requires(Access.ADMINISTRATION)
def update_organization(organization_id: int) -> Response | tuple[str, int]:
    organization = _organization(organization_id)
    form = DetailsForm()
    if not form.validate_on_submit():
        return _edit_page(organization, form, 400)
    try:
        organizations.update_organization(
            db.session, actor=current_user, organization_id=organization_id, details=_details(form), now=utcnow()
        )
    except ValidationFailed as exc:
        db.session.rollback()
        _show_errors(form, exc)
        return _edit_page(_organization(organization_id), form, 422)
    db.session.commit()
    flash(gettext("The changes to %(slug)s were saved.", slug=organization.slug), "info")
    return redirect(url_for("admin.organizations"), 303)


def _set_active(organization_id: int, *, active: bool) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    if not active:
        organization = _organization(organization_id)
        asked = ask_first(
            question=gettext("Deactivate %(name)s?", name=organization.name(str(get_locale() or "kk"))),
            consequence=gettext(
                "Deactivating takes the organisation out of the public register and the objection form. "
                "Its staff keep access to its existing cases."
            ),
            button=gettext("Deactivate the organisation"),
            cancel_url=url_for("admin.organizations"),
        )
        if asked:
            return asked  # type: ignore[return-value]
    try:
        organization = organizations.set_organization_active(
            db.session, actor=current_user, organization_id=organization_id, active=active, now=utcnow()
        )
    except NotFound:
        abort(404)
    except ValidationFailed:
        db.session.rollback()
        flash(
            gettext(
                "Invite at least one operator or organisation admin first: objections to an organisation with "
                "nobody to answer them would all miss the three-day term."
            ),
            "error",
        )
        return redirect(url_for("admin.edit_organization", organization_id=organization_id), 303)
    db.session.commit()
    if active:
        flash(gettext("%(slug)s is active and in the public register.", slug=organization.slug), "info")
    else:
        flash(
            gettext(
                "%(slug)s is deactivated: it has left the public register and the objection form. "
                "Its staff keep access to its existing cases.",
                slug=organization.slug,
            ),
            "info",
        )
    return redirect(url_for("admin.organizations"), 303)


@bp.post(f"/organisations/<int(max={MAX_ID}):organization_id>/deactivate", endpoint="deactivate_organization")
@requires(Access.ADMINISTRATION)
def deactivate_organization(organization_id: int) -> Response:
    return _set_active(organization_id, active=False)


@bp.post(f"/organisations/<int(max={MAX_ID}):organization_id>/activate", endpoint="activate_organization")
@requires(Access.ADMINISTRATION)
def activate_organization(organization_id: int) -> Response:
    return _set_active(organization_id, active=True)
