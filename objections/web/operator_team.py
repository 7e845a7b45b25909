"""Organisation admins' team page: their organisation's operators, invited, deactivated, reactivated and reset."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, NumberRange

from objections.clock import utcnow
from objections.domain.errors import NotFound, ValidationFailed
from objections.domain.timefmt import format_local_datetime
from objections.extensions import db
from objections.services import team
from objections.web import labels
from objections.web.confirm import account_action_needs_asking, account_action_question, ask_first, last_to_answer_for
from objections.web.form_errors import apply_errors
from objections.web.operator import actor, bp, org_admin_required, page_language
from objections.web.operator_forms import language_choices, options
from objections.web.reauth import recent_password_required

TEAM_ROLES = {role: labels.ROLE[role] for role in ("operator", "org_admin")}
ACTIONS = ("deactivate", "activate", "reset_second_factor", "new_password")
MAX_ID = 2**63 - 1  # a larger number cannot be a row id, and the database driver refuses it


class MemberForm(FlaskForm):
    """Shape only: the services check the address, the role and uniqueness."""

    email = EmailField(_l("E-mail"))
    full_name = StringField(_l("Full name"))
    role = SelectField(_l("Role"), choices=options(TEAM_ROLES.items()), validate_choice=False)
    language = SelectField(_l("Language"), choices=language_choices(), validate_choice=False)


class ActionForm(FlaskForm):
    """One row's button: whom (a hidden field) and what (the button's value)."""

    user_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=MAX_ID)])
    action = StringField(validators=[AnyOf(ACTIONS)])


def _page(  # type: ignore[no-untyped-def]
    form: MemberForm,
    *,
    new_password: str | None = None,
    new_email: str | None = None,
    reissued: bool = False,
    status: int = 200,
):
    language = page_language()
    return render_template(
        "operator/team.html",
        form=form,
        members=team.list_team(db.session, actor=actor()),
        me=actor().id,
        roles=TEAM_ROLES,
        last_sign_in=lambda moment: format_local_datetime(moment, language) if moment else gettext("Never"),
        new_password=new_password,
        new_email=new_email,
        reissued=reissued,
    ), status


@bp.get("/team", endpoint="team")
@org_admin_required
def show_team():  # type: ignore[no-untyped-def]
    return _page(MemberForm(formdata=None))


@bp.post("/team", endpoint="invite_member")
@org_admin_required
@recent_password_required
def invite_member():  # type: ignore[no-untyped-def]
    form = MemberForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        user, password = team.invite_member(
            db.session,
            actor=actor(),
            email=form.email.data or "",
            role=form.role.data,
            full_name=form.full_name.data or "",
            language=form.language.data,
            now=utcnow(),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _page(form, status=422)
    db.session.commit()
    return _page(MemberForm(formdata=None), new_password=password, new_email=user.email)


@bp.post("/team/actions", endpoint="team_action")
@org_admin_required
@recent_password_required
def team_action() -> Response | tuple[str, int]:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    user_id, action, now = form.user_id.data, form.action.data, utcnow()
    if account_action_needs_asking(action, on_self=user_id == actor().id):
        try:
            member = team.team_member(db.session, actor=actor(), user_id=user_id)
        except NotFound:
            abort(404)
        last = last_to_answer_for(db.session, member, page_language()) if action == "deactivate" else None
        question = account_action_question(member.email, action, last_to_answer_for=last)
        if asked := ask_first(**question, cancel_url=url_for("operator.team")):
            return asked
    try:
        if action == "new_password":
            member, password = team.issue_member_one_time_password(db.session, actor=actor(), user_id=user_id, now=now)
            db.session.commit()
            return _page(MemberForm(formdata=None), new_password=password, new_email=member.email, reissued=True)
        if action == "reset_second_factor":
            member = team.reset_member_second_factor(db.session, actor=actor(), user_id=user_id, now=now)
            message = gettext("%(email)s sets up a new second factor at the next sign-in.", email=member.email)
        else:
            active = action == "activate"
            member = team.set_member_active(db.session, actor=actor(), user_id=user_id, active=active, now=now)
            message = (
                gettext("%(email)s can sign in again.", email=member.email)
                if active
                else gettext("%(email)s is deactivated and signed out everywhere.", email=member.email)
            )
    except NotFound:
        abort(404)
    except ValidationFailed as exc:
        db.session.rollback()
        if "second_factor_reset" in exc.errors.get("password", []):
            message = str(labels.ERROR["second_factor_reset"])
        elif action == "new_password":
            message = gettext("Change your own password on your account page.")
        else:
            message = gettext("You cannot deactivate your own account.")
        flash(message, "error")
        return redirect(url_for("operator.team"), 303)
    db.session.commit()
    flash(message, "info")
    return redirect(url_for("operator.team"), 303)
