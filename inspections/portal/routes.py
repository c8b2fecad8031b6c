"""The unit's pages, for its two audiences: a contact who follows a signed link in a mail
(no login: the link is the proof) and a unit contact with an account (the dashboard).

Both do the same things through the same code: each view only finds its object and its
actor (from the link, or through policy), then hands over to one implementation below.
The addresses are in mails already sent and in bookmarks: they never change.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.documents.models import Document
from inspections.extensions import db, limiter
from inspections.files import storage_path
from inspections.forms import ConfirmForm
from inspections.links import services as links
from inspections.links.models import ActionLink, LinkPurpose
from inspections.links.services import Actor, LinkRefused, Resolved
from inspections.outbox.tokens import preferences_token
from inspections.portal import bp, services
from inspections.portal.forms import ExtensionForm, FreshLinkForm, RemediationForm, UploadForm
from inspections.portal.models import UnitUpload
from inspections.remediation import services as remediation
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.units.models import UnitContact
from inspections.visits.models import Inspection, InspectionKind, Visit
from inspections.web import flash_form_errors, service_call

REFUSED_STATUS = 403


# --- throttling: each fresh link may mail, each upload is stored ---------------------------


def _typed_email() -> str:
    # An empty field is a form error, not an address to protect: counted by client there.
    email = (request.form.get("email") or "").strip().lower()[:254]
    return "fresh:" + (email or f"none@{get_remote_address()}")


def _limit(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


# One budget for every upload the unit's pages take, whichever page it comes through.
uploads_limited = limiter.shared_limit(_limit("UPLOAD_LIMIT"), scope="unit-uploads", methods=["POST"])


# --- what both audiences do --------------------------------------------------------------


def _acknowledge(visit: Visit, *, actor: Actor, link: ActionLink | None, success: str | None) -> bool:
    with service_call(success) as done:
        services.acknowledge(visit, actor=actor, link=link)
    return bool(done)


def _send_self_assessment(visit: Visit, *, actor: Actor, link: ActionLink | None) -> bool:
    upload = request.files.get("file")
    with service_call(_("Your self-assessment report was received.")) as done:
        services.upload_self_assessment(
            visit,
            stream=upload.stream if upload else None,  # type: ignore[arg-type]
            filename=upload.filename if upload else None,
            actor=actor,
        )
        if link is not None:
            links.audit_use(link, "self_assessment")
    return bool(done)


def _action_page(
    action: CorrectiveAction, *, actor: Actor, link: ActionLink | None, here: str, extension_to: str
) -> str | Response:
    """One corrective action: GET shows it and its verdict, POST reports on it."""
    form = RemediationForm()
    if form.validate_on_submit():
        files = [(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename]
        with service_call(_("Your report was sent to the inspection team.")) as done:
            services.report_remediation(action, text=form.text.data, files=files, actor=actor)
            if link is not None:
                links.audit_use(link, "report")
        if done:
            return redirect(here)
    elif request.method == "POST":
        flash_form_errors(form)
    elif link is not None:
        _viewed(link)
    return render_template(
        "portal/action.html",
        action=action,
        form=form,
        extension_form=ExtensionForm(),
        report_to=here,
        extension_to=extension_to,
        uploads=services.uploads(action_id=action.id),
        pending=remediation.pending_extension(action.id),
        extensions=remediation.extensions_of(action.id),
        can_report=action.status in (ActionStatus.OPEN, ActionStatus.RETURNED),
    )


def _ask_extension(action: CorrectiveAction, *, actor: Actor, link: ActionLink | None, back: str) -> Response:
    form = ExtensionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    with service_call(_("Your request for more time was sent to the coordinator.")):
        remediation.request_extension(action, until=form.until.data, reason=form.reason.data, actor=actor)
        if link is not None:
            links.audit_use(link, "extension")
    return redirect(back)


# --- from a signed link ---------------------------------------------------------------------


def _speak_as(link: ActionLink | None) -> None:
    """A recipient without a session sees the pages in the language their mail was in."""
    if link is None or link.contact_id is None or current_user.is_authenticated or "language" in session:
        return
    contact = db.session.get(UnitContact, link.contact_id)
    if contact is not None:
        session["language"] = str(contact.language)
        refresh()


def _open(token: str, purpose: LinkPurpose) -> Resolved | tuple[str, int]:
    """The link's target, or the refusal page (audited): it never names the object."""
    try:
        resolved = links.resolve(token, purpose, viewer=current_user)
    except LinkRefused as exc:
        db.session.rollback()
        _speak_as(exc.link)
        links.audit_refusal(exc.reason, exc.link)
        db.session.commit()
        page = render_template("portal/refused.html", reason=exc.reason, form=FreshLinkForm(token=token))
        return page, REFUSED_STATUS
    _speak_as(resolved.link)
    return resolved


def _viewed(link: ActionLink) -> None:
    # Reading is a use, and every use is in the audit log.
    links.audit_use(link, "view")
    db.session.commit()


def _link_actor(link: ActionLink) -> Actor:
    return Actor(contact_id=link.contact_id, user=current_user if current_user.is_authenticated else None)


@bp.route("/l/acknowledge/<token>", methods=["GET", "POST"])
def acknowledge(token: str) -> str | tuple[str, int]:
    resolved = _open(token, LinkPurpose.ACKNOWLEDGE)
    if not isinstance(resolved, Resolved):
        return resolved
    visit: Visit = resolved.target  # type: ignore[assignment]
    form = ConfirmForm()
    if form.validate_on_submit():
        link = resolved.link
        if _acknowledge(visit, actor=_link_actor(link), link=link, success=None):
            return render_template("portal/acknowledged.html", visit=visit)
    elif request.method == "GET":
        _viewed(resolved.link)
    return render_template("portal/acknowledge.html", visit=visit, form=form, token=token)


@bp.route("/l/self-assessment/<token>", methods=["GET", "POST"])
@uploads_limited
def self_assessment(token: str) -> str | Response | tuple[str, int]:
    resolved = _open(token, LinkPurpose.SELF_ASSESSMENT)
    if not isinstance(resolved, Resolved):
        return resolved
    visit: Visit = resolved.target  # type: ignore[assignment]
    form = UploadForm()
    if form.validate_on_submit():
        if _send_self_assessment(visit, actor=_link_actor(resolved.link), link=resolved.link):
            return redirect(url_for("portal.self_assessment", token=token))
    elif request.method == "GET":
        _viewed(resolved.link)
    return render_template(
        "portal/self_assessment.html",
        visit=visit,
        form=form,
        token=token,
        uploads=services.uploads(visit_id=visit.id),
    )


@bp.get("/l/conclusion/<token>")
def conclusion(token: str) -> str | tuple[str, int]:
    resolved = _open(token, LinkPurpose.CONCLUSION)
    if not isinstance(resolved, Resolved):
        return resolved
    document: Document = resolved.target  # type: ignore[assignment]
    _viewed(resolved.link)
    return render_template("portal/conclusion.html", document=document, c=document.content or {})


@bp.route("/l/action/<token>", methods=["GET", "POST"])
@uploads_limited
def action(token: str) -> str | Response | tuple[str, int]:
    resolved = _open(token, LinkPurpose.REMEDIATION)
    if not isinstance(resolved, Resolved):
        return resolved
    return _action_page(
        resolved.target,  # type: ignore[arg-type]
        actor=_link_actor(resolved.link),
        link=resolved.link,
        here=url_for("portal.action", token=token),
        extension_to=url_for("portal.extension", token=token),
    )


@bp.post("/l/action/<token>/extension")
def extension(token: str) -> Response | tuple[str, int]:
    resolved = _open(token, LinkPurpose.REMEDIATION)
    if not isinstance(resolved, Resolved):
        return resolved
    return _ask_extension(
        resolved.target,  # type: ignore[arg-type]
        actor=_link_actor(resolved.link),
        link=resolved.link,
        back=url_for("portal.action", token=token),
    )


@bp.post("/l/fresh")
@limiter.limit(_limit("FRESH_LINK_LIMIT_PER_EMAIL"), key_func=_typed_email)
@limiter.limit(_limit("FRESH_LINK_LIMIT_PER_ADDRESS"))
def fresh() -> str:
    """A fresh link, by email: the same answer whatever the address."""
    form = FreshLinkForm()
    if form.validate_on_submit():
        services.request_fresh(form.token.data or "", form.email.data)
        db.session.commit()
        return render_template("portal/fresh_sent.html")
    return render_template("portal/refused.html", reason="form", form=form)


# --- the unit dashboard: the same, for contacts with an account -----------------------------


def _require_unit_contact() -> None:
    if not policy.can_use_unit_dashboard(current_user):
        abort(403)


def _announced_visits() -> sa.Select[tuple[Visit]]:
    """The unit's confirmed announced visits (a surprise one never shows here)."""
    joint = sa.select(Inspection.id).where(Inspection.kind == InspectionKind.JOINT)
    return policy.visible_visits(current_user).where(Visit.inspection_id.in_(joint))


def _own_visit(visit_id: int) -> Visit:
    visit = db.session.scalar(_announced_visits().where(Visit.id == visit_id))
    if visit is None:
        abort(404)
    return visit


def _own_action(action_id: int) -> CorrectiveAction:
    action = db.session.scalar(policy.visible_actions(current_user).where(CorrectiveAction.id == action_id))
    if action is None:
        abort(404)
    return action


@bp.get("/unit/")
@login_required
def dashboard() -> str:
    _require_unit_contact()
    visits = db.session.scalars(_announced_visits().order_by(Visit.inspection_id, Visit.starts_at)).all()
    actions = db.session.scalars(
        policy.visible_actions(current_user).order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    ).all()
    return render_template(
        "portal/dashboard.html",
        visits=visits,
        acks={v.id: services.acknowledged(v.id) for v in visits},
        uploads={v.id: services.uploads(visit_id=v.id) for v in visits},
        upcoming={v.id: services.visit_is_upcoming(v) for v in visits},
        actions=actions,
        conclusions={a.id: links.document_of_action(a) for a in actions},
        confirm_form=ConfirmForm(),
        upload_form=UploadForm(),
        preferences_token=preferences_token(current_user.email),
    )


@bp.post("/unit/visits/<int:visit_id>/acknowledge")
@login_required
def unit_acknowledge(visit_id: int) -> Response:
    _require_unit_contact()
    visit = _own_visit(visit_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _acknowledge(
        visit, actor=Actor(user=current_user), link=None, success=_("Thank you: the notice is acknowledged.")
    )
    return redirect(url_for("portal.dashboard"))


@bp.post("/unit/visits/<int:visit_id>/self-assessment")
@login_required
@uploads_limited
def unit_upload(visit_id: int) -> Response:
    _require_unit_contact()
    visit = _own_visit(visit_id)
    if not UploadForm().validate_on_submit():
        abort(400)
    _send_self_assessment(visit, actor=Actor(user=current_user), link=None)
    return redirect(url_for("portal.dashboard"))


@bp.route("/unit/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
@uploads_limited
def unit_action(action_id: int) -> str | Response:
    _require_unit_contact()
    action = _own_action(action_id)
    return _action_page(
        action,
        actor=Actor(user=current_user),
        link=None,
        here=url_for("portal.unit_action", action_id=action.id),
        extension_to=url_for("portal.unit_extension", action_id=action.id),
    )


@bp.post("/unit/actions/<int:action_id>/extension")
@login_required
def unit_extension(action_id: int) -> Response:
    _require_unit_contact()
    action = _own_action(action_id)
    return _ask_extension(
        action,
        actor=Actor(user=current_user),
        link=None,
        back=url_for("portal.unit_action", action_id=action.id),
    )


# --- what the unit sent: for the team, staff, and the unit's own contacts --------------------


@bp.app_template_global()
def unit_responses(*, visit_id: int) -> dict[str, object]:
    """For the visit page: what the unit acknowledged and sent."""
    return {"ack": services.acknowledged(visit_id), "uploads": services.uploads(visit_id=visit_id)}


def _visible_visit(visit_id: int) -> Visit | None:
    return db.session.scalar(policy.visible_visits(current_user).where(Visit.id == visit_id))


@bp.get("/unit-uploads/<int:upload_id>")
@login_required
def upload_file(upload_id: int) -> Response:
    upload = db.get_or_404(UnitUpload, upload_id)
    if upload.visit_id is not None:
        visit = _visible_visit(upload.visit_id)
        unit_contact = policy.can_use_unit_dashboard(current_user)
        if visit is None or not (unit_contact or policy.can_view_field(current_user, visit.inspection)):
            abort(404)
    else:
        visible = policy.visible_actions(current_user).where(CorrectiveAction.id == upload.action_id)
        if db.session.scalar(visible) is None:
            abort(404)
    path = storage_path(upload.sha256, services.UPLOAD_FOLDER)
    return send_file(path, mimetype=upload.content_type, as_attachment=True, download_name=upload.filename)
