"""Pages behind the signed links (no login), the unit dashboard, the coordinator's
decisions on extension requests, and the admin's list of a unit's links."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.documents.models import Document
from inspections.errors import DomainError
from inspections.extensions import db
from inspections.links import bp, services
from inspections.links.forms import (
    DecisionForm,
    ExtensionForm,
    FreshLinkForm,
    PlainForm,
    RemediationForm,
    UploadForm,
)
from inspections.links.models import ActionLink, ExtensionRequest, ExtensionStatus, LinkPurpose
from inspections.links.services import Actor, LinkRefused, Resolved
from inspections.notifications.links import preferences_token
from inspections.remediation.models import ActionStatus, CorrectiveAction
from inspections.units.models import Unit, UnitContact
from inspections.visits.models import Inspection, Visit

REFUSED_STATUS = 403


def _speak_as(link: ActionLink | None) -> None:
    """A recipient without a session sees the pages in the language their mail was in."""
    if link is None or link.contact_id is None or current_user.is_authenticated or "language" in session:
        return
    contact = db.session.get(UnitContact, link.contact_id)
    if contact is not None:
        session["language"] = str(contact.language)
        refresh()


def _refused(token: str, exc: LinkRefused) -> tuple[str, int]:
    _speak_as(exc.link)
    services.audit_refusal(exc.reason, exc.link)
    db.session.commit()
    return (
        render_template("links/refused.html", reason=exc.reason, form=FreshLinkForm(token=token)),
        REFUSED_STATUS,
    )


def _open(token: str, purpose: LinkPurpose) -> Resolved | tuple[str, int]:
    try:
        resolved = services.resolve(token, purpose, viewer=current_user)
    except LinkRefused as exc:
        db.session.rollback()
        return _refused(token, exc)
    _speak_as(resolved.link)
    return resolved


def _viewed(resolved: Resolved) -> None:
    # Reading is a use, and every use is in the audit log.
    services.audit_use(resolved.link, "view")
    db.session.commit()


def _by(link: ActionLink) -> Actor:
    user = current_user if current_user.is_authenticated else None
    return Actor(contact_id=link.contact_id, user=user)


def _fail(exc: DomainError) -> None:
    db.session.rollback()
    flash(str(exc.message), "error")


# --- acknowledge a schedule notice (one-time) --------------------------------------------


@bp.route("/l/acknowledge/<token>", methods=["GET", "POST"])
def acknowledge(token: str) -> str | Response | tuple[str, int]:
    resolved = _open(token, LinkPurpose.ACKNOWLEDGE)
    if not isinstance(resolved, Resolved):
        return resolved
    visit: Visit = resolved.target  # type: ignore[assignment]
    form = PlainForm()
    if form.validate_on_submit():
        try:
            services.acknowledge(visit, by=_by(resolved.link), link=resolved.link)
        except DomainError as exc:
            _fail(exc)
        else:
            db.session.commit()
            return render_template("links/acknowledged.html", visit=visit)
    elif request.method == "GET":
        _viewed(resolved)
    return render_template("links/acknowledge.html", visit=visit, form=form, token=token)


# --- the self-assessment report, before an announced visit --------------------------------


@bp.route("/l/self-assessment/<token>", methods=["GET", "POST"])
def self_assessment(token: str) -> str | Response | tuple[str, int]:
    resolved = _open(token, LinkPurpose.SELF_ASSESSMENT)
    if not isinstance(resolved, Resolved):
        return resolved
    visit: Visit = resolved.target  # type: ignore[assignment]
    form = UploadForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            services.upload_self_assessment(
                visit,
                stream=upload.stream if upload else None,  # type: ignore[arg-type]
                filename=upload.filename if upload else None,
                by=_by(resolved.link),
            )
            services.audit_use(resolved.link, "self_assessment")
        except DomainError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(_("Your self-assessment report was received."), "success")
            return redirect(url_for("links.self_assessment", token=token))
    elif request.method == "GET":
        _viewed(resolved)
    return render_template(
        "links/self_assessment.html",
        visit=visit,
        form=form,
        token=token,
        uploads=services.uploads(visit_id=visit.id),
    )


# --- the issued conclusion ----------------------------------------------------------------


@bp.route("/l/conclusion/<token>")
def conclusion(token: str) -> str | tuple[str, int]:
    resolved = _open(token, LinkPurpose.CONCLUSION)
    if not isinstance(resolved, Resolved):
        return resolved
    document: Document = resolved.target  # type: ignore[assignment]
    _viewed(resolved)
    return render_template("links/conclusion.html", document=document, c=document.content or {})


# --- one corrective action: report, see the verdict, ask for more time --------------------


@bp.route("/l/action/<token>", methods=["GET", "POST"])
def remediation(token: str) -> str | Response | tuple[str, int]:
    resolved = _open(token, LinkPurpose.REMEDIATION)
    if not isinstance(resolved, Resolved):
        return resolved
    action: CorrectiveAction = resolved.target  # type: ignore[assignment]
    form = RemediationForm()
    if form.validate_on_submit():
        files = [(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename]
        try:
            services.report_remediation(action, text=form.text.data, files=files, by=_by(resolved.link))
            services.audit_use(resolved.link, "report")
        except DomainError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(_("Your report was sent to the inspection team."), "success")
            return redirect(url_for("links.remediation", token=token))
    elif request.method == "POST":
        flash(next(iter(form.errors.values()))[0], "error")
    else:
        _viewed(resolved)
    return _action_page(action, form=form, token=token)


def _action_page(action: CorrectiveAction, *, form: RemediationForm, token: str | None) -> str:
    return render_template(
        "links/action.html",
        action=action,
        form=form,
        extension_form=ExtensionForm(),
        token=token,
        uploads=services.uploads(action_id=action.id),
        pending=services.pending_extension(action.id),
        extensions=db.session.scalars(
            sa.select(ExtensionRequest)
            .where(ExtensionRequest.action_id == action.id)
            .order_by(ExtensionRequest.id)
        ).all(),
        can_report=action.status in (ActionStatus.OPEN, ActionStatus.RETURNED),
    )


@bp.post("/l/action/<token>/extension")
def extension(token: str) -> Response | tuple[str, int]:
    resolved = _open(token, LinkPurpose.REMEDIATION)
    if not isinstance(resolved, Resolved):
        return resolved
    action: CorrectiveAction = resolved.target  # type: ignore[assignment]
    form = ExtensionForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(url_for("links.remediation", token=token))
    try:
        services.request_extension(
            action, until=form.until.data, reason=form.reason.data, by=_by(resolved.link)
        )
        services.audit_use(resolved.link, "extension")
    except DomainError as exc:
        _fail(exc)
    else:
        db.session.commit()
        flash(_("Your request for more time was sent to the coordinator."), "success")
    return redirect(url_for("links.remediation", token=token))


# --- a fresh link, by email: the same answer whatever the address ---------------------------


@bp.post("/l/fresh")
def fresh() -> str:
    form = FreshLinkForm()
    if form.validate_on_submit():
        services.request_fresh(form.token.data or "", form.email.data)
        db.session.commit()
        return render_template("links/fresh_sent.html")
    return render_template("links/refused.html", reason="form", form=form)


# --- the unit dashboard: the same, for contacts with an account -----------------------------


def _require_unit_contact() -> None:
    if not policy.can_use_unit_dashboard(current_user):
        abort(403)


@bp.route("/unit/")
@login_required
def dashboard() -> str:
    _require_unit_contact()
    inspections = db.session.scalars(
        policy.visible_inspections(current_user).where(Inspection.kind == "joint").order_by(Inspection.id)
    ).all()
    visits = [v for i in inspections for v in i.visits if v.confirmed]
    actions = db.session.scalars(
        policy.visible_actions(current_user).order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    ).all()
    conclusions = {a.id: services.document_of_action(a) for a in actions}
    return render_template(
        "links/dashboard.html",
        visits=visits,
        acks={v.id: services.acknowledged(v.id) for v in visits},
        uploads={v.id: services.uploads(visit_id=v.id) for v in visits},
        upcoming={v.id: services.visit_is_upcoming(v) for v in visits},
        actions=actions,
        conclusions=conclusions,
        form=PlainForm(),
        upload_form=UploadForm(),
        preferences_token=preferences_token(current_user.email),
    )


def _own_visit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    visible = (
        policy.visible_inspections(current_user)
        .where(Inspection.kind == "joint")
        .with_only_columns(Inspection.id)
    )
    if visit is None or not visit.confirmed or visit.inspection_id not in db.session.scalars(visible).all():
        abort(404)
    return visit


@bp.post("/unit/visits/<int:visit_id>/acknowledge")
@login_required
def unit_acknowledge(visit_id: int) -> Response:
    _require_unit_contact()
    visit = _own_visit(visit_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        services.acknowledge(visit, by=Actor(user=current_user))
    except DomainError as exc:
        _fail(exc)
    else:
        db.session.commit()
        flash(_("Thank you: the notice is acknowledged."), "success")
    return redirect(url_for("links.dashboard"))


@bp.post("/unit/visits/<int:visit_id>/self-assessment")
@login_required
def unit_upload(visit_id: int) -> Response:
    _require_unit_contact()
    visit = _own_visit(visit_id)
    if not UploadForm().validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    try:
        services.upload_self_assessment(
            visit,
            stream=upload.stream if upload else None,  # type: ignore[arg-type]
            filename=upload.filename if upload else None,
            by=Actor(user=current_user),
        )
    except DomainError as exc:
        _fail(exc)
    else:
        db.session.commit()
        flash(_("Your self-assessment report was received."), "success")
    return redirect(url_for("links.dashboard"))


@bp.route("/unit/actions/<int:action_id>", methods=["GET", "POST"])
@login_required
def unit_action(action_id: int) -> str | Response:
    _require_unit_contact()
    action = db.session.scalar(policy.visible_actions(current_user).where(CorrectiveAction.id == action_id))
    if action is None:
        abort(404)
    form = RemediationForm()
    back = url_for("links.unit_action", action_id=action.id)
    if form.validate_on_submit():
        files = [(f.stream, f.filename) for f in request.files.getlist("files") if f and f.filename]
        try:
            services.report_remediation(action, text=form.text.data, files=files, by=Actor(user=current_user))
        except DomainError as exc:
            _fail(exc)
        else:
            db.session.commit()
            flash(_("Your report was sent to the inspection team."), "success")
            return redirect(back)
    elif request.method == "POST":
        flash(next(iter(form.errors.values()))[0], "error")
    return _action_page(action, form=form, token=None)


@bp.post("/unit/actions/<int:action_id>/extension")
@login_required
def unit_extension(action_id: int) -> Response:
    _require_unit_contact()
    action = db.session.scalar(policy.visible_actions(current_user).where(CorrectiveAction.id == action_id))
    if action is None:
        abort(404)
    back = url_for("links.unit_action", action_id=action.id)
    form = ExtensionForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(back)
    try:
        services.request_extension(
            action, until=form.until.data, reason=form.reason.data, by=Actor(user=current_user)
        )
    except DomainError as exc:
        _fail(exc)
    else:
        db.session.commit()
        flash(_("Your request for more time was sent to the coordinator."), "success")
    return redirect(back)


# --- the coordinator decides on requests for more time --------------------------------------


@bp.route("/extensions/")
@login_required
def extensions() -> str:
    if not policy.can_decide_extensions(current_user):
        abort(403)
    requests = db.session.scalars(
        policy.visible_extension_requests(current_user)
        .order_by((ExtensionRequest.status == ExtensionStatus.PENDING).desc(), ExtensionRequest.id.desc())
        .limit(200)
    ).all()
    actions = {r.action_id: db.session.get(CorrectiveAction, r.action_id) for r in requests}
    return render_template("links/extensions.html", requests=requests, actions=actions, form=DecisionForm())


@bp.post("/extensions/<int:request_id>/decide")
@login_required
def decide(request_id: int) -> Response:
    if not policy.can_decide_extensions(current_user):
        abort(403)
    req = db.session.scalar(
        policy.visible_extension_requests(current_user).where(ExtensionRequest.id == request_id)
    )
    if req is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()), [_("Check the form.")])[0], "error")
        return redirect(url_for("links.extensions"))
    grant = request.form.get("decision") == "grant"
    try:
        services.decide_extension(
            req, grant=grant, actor=current_user, granted_on=form.granted_on.data, note=form.note.data or ""
        )
    except DomainError as exc:
        _fail(exc)
    else:
        db.session.commit()
        flash(_("The decision was recorded and sent to the unit."), "success")
    return redirect(url_for("links.extensions"))


# --- admin: a unit's links, revocable -------------------------------------------------------


@bp.route("/admin/units/<int:unit_id>/links")
@login_required
def unit_links(unit_id: int) -> str:
    if not policy.can_manage_links(current_user):
        abort(403)
    unit = db.get_or_404(Unit, unit_id)
    links = db.session.scalars(
        sa.select(ActionLink).where(ActionLink.unit_id == unit.id).order_by(ActionLink.id.desc()).limit(500)
    ).all()
    return render_template("links/admin.html", unit=unit, links=links, form=PlainForm())


@bp.post("/admin/links/<int:link_id>/revoke")
@login_required
def revoke(link_id: int) -> Response:
    if not policy.can_manage_links(current_user):
        abort(403)
    link = db.get_or_404(ActionLink, link_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        services.revoke(link, actor=current_user)
    except DomainError as exc:
        _fail(exc)
    else:
        db.session.commit()
        flash(_("The link was revoked."), "success")
    return redirect(url_for("links.unit_links", unit_id=link.unit_id))


# --- what the unit sent: for the team, staff, and the unit's own contacts --------------------


@bp.app_template_global()
def unit_responses(*, visit_id: int | None = None, action_id: int | None = None) -> dict[str, object]:
    """For the visit page and the actions list: what the unit acknowledged and sent."""
    if action_id is not None:
        return {"ack": None, "uploads": _action_uploads().get(action_id, [])}
    return {"ack": services.acknowledged(visit_id), "uploads": services.uploads(visit_id=visit_id)}


def _action_uploads() -> dict[int, list[object]]:
    """Every file sent on the actions the viewer may see, in one query per request: a list
    of actions asks for each one's files."""
    from flask import g

    from inspections.links.models import UnitUpload

    if "links_action_uploads" not in g:
        visible = policy.visible_actions(current_user).with_only_columns(CorrectiveAction.id)
        found: dict[int, list[object]] = {}
        for upload in db.session.scalars(
            sa.select(UnitUpload).where(UnitUpload.action_id.in_(visible)).order_by(UnitUpload.id)
        ):
            found.setdefault(upload.action_id, []).append(upload)
        g.links_action_uploads = found
    return g.links_action_uploads


@bp.route("/unit-uploads/<int:upload_id>")
@login_required
def upload_file(upload_id: int) -> Response:
    from flask import send_file

    from inspections.files import storage_path
    from inspections.links.models import UnitUpload

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


def _visible_visit(visit_id: int) -> Visit | None:
    visit = db.session.get(Visit, visit_id)
    visible = policy.visible_inspections(current_user).where(
        Inspection.id == (visit.inspection_id if visit else 0)
    )
    return visit if visit is not None and db.session.scalar(visible) is not None else None
