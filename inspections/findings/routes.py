from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from inspections import policy
from inspections.documents.models import DocumentKind
from inspections.extensions import db
from inspections.files import KINDS, max_bytes, storage_path
from inspections.findings import bp, checklists, media, scores, services
from inspections.findings.forms import CorrectiveActionForm, CriterionForm, EvidenceForm, FindingForm
from inspections.findings.loaders import load_finding
from inspections.findings.models import ChecklistTemplate, Criterion, Evidence, Finding, FindingResult
from inspections.findings.subject import Subject, documents_of
from inspections.forms import ConfirmForm, parse_id
from inspections.remediation.models import CorrectiveAction
from inspections.visits.models import Visit
from inspections.web import load_visit, service_call, wants_json


def _first_error(form: FindingForm | EvidenceForm) -> str:
    return next(iter(form.errors.values()))[0] if form.errors else _("The form is not valid.")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _client_time(millis: int | None) -> datetime | None:
    """The photo time the browser read from the file, if it is a possible time."""
    try:
        return datetime.fromtimestamp(millis / 1000, UTC) if millis else None
    except (OverflowError, OSError, ValueError):
        return None


def _answer(ok: bool, message: object, url: str, status: int = 200, **data: object) -> Response:
    """JSON for the page's offline queue, else a flash and a redirect."""
    if wants_json():
        return jsonify(ok=ok, message=str(message), **data), status
    flash(str(message), "success" if ok else "error")
    return redirect(url)


# --- the visit page ------------------------------------------------------------------------


def _visit_findings(visit: Visit) -> tuple[ChecklistTemplate | None, list[Criterion], list[Finding]]:
    template = checklists.template_for_visit(visit.id)
    criteria = (
        list(db.session.scalars(sa.select(Criterion).where(Criterion.template_id == template.id)))
        if template
        else []
    )
    findings = db.session.scalars(
        sa.select(Finding)
        .where(Finding.visit_id == visit.id)
        .options(selectinload(Finding.evidence), joinedload(Finding.author))
    ).all()
    return template, criteria, list(findings)


def _scores_context(visit: Visit, criteria: list[Criterion], findings: list[Finding]) -> dict[str, object]:
    areas = checklists.tree(criteria)
    previous_visit, previous = scores.previous_visit_scores(visit)
    return {
        "areas": areas,
        "scores": scores.compute(criteria, findings),
        "progress": scores.progress(areas, (f.criterion_id for f in findings)),
        "previous_visit": previous_visit,
        "previous": previous,
    }


def _client_rules() -> dict[str, object]:
    """The save rules the page checks before it queues a save (the server checks them again),
    and the page's own messages, in the user's language."""
    limit = max_bytes()
    return {
        "needs_severity": [FindingResult.NON_COMPLIANT.value],
        "max_text": services.MAX_TEXT,
        "max_files": services.MAX_FILES,
        "max_bytes": limit,
        "types": list(KINDS),
        "endings": [e for _name, endings in KINDS.values() for e in endings],
        "messages": {
            "choose_result": _("Choose a result."),
            "needs_severity": _("A non-compliant finding needs a severity."),
            "too_long": _("The notes are too long."),
            "too_many_files": _("At most %(n)s files can be sent with one save.", n=services.MAX_FILES),
            "too_large": _(
                "The file is too large: at most %(mb)s MB is accepted.", mb=f"{limit / 1024 / 1024:g}"
            ),
            "bad_type": _(
                "This kind of file is not accepted: send photos (JPEG, PNG, WebP) or documents (PDF, DOCX)."
            ),
            "saving": _("Saving…"),
            "saved": _("Saved."),
            "kept": _(
                "Not sent yet (no connection). It is kept on this device and will be sent when the "
                "connection returns."
            ),
            "waiting": _("%(n)s save(s) waiting to be sent.", n="%n"),
            "drafts": _("%(n)s draft(s) refused by the server: open them below.", n="%n"),
            "refused": _("Draft kept on this device. The server refused it: %(reason)s", reason="%m"),
            "login": _(
                "The server did not take the save (your session may have expired): log in again; "
                "the draft is kept on this device."
            ),
            "files": _("%(n)s file(s) chosen", n="%n"),
            "photo_waiting": _("Photo waiting to be sent"),
            "offline": _("Offline"),
            "discard": _("Discard this draft? What it holds will be lost."),
        },
    }


@bp.get("/visits/<int:visit_id>")
@login_required
def visit(visit_id: int) -> str:
    """The team's page on site: the checklist, findings, evidence, actions and documents."""
    visit = load_visit(visit_id)
    inspection = visit.inspection
    template, criteria, findings = _visit_findings(visit)
    actions: dict[int, list[CorrectiveAction]] = {}
    for action in db.session.scalars(
        sa.select(CorrectiveAction)
        .where(CorrectiveAction.finding_id.in_([f.id for f in findings]))
        .order_by(CorrectiveAction.id)
    ):
        actions.setdefault(action.finding_id, []).append(action)
    docs = documents_of(Subject(visit, None))
    conclusion = docs.get(DocumentKind.CONCLUSION)
    team = inspection.team
    return render_template(
        "findings/visit.html",
        visit=visit,
        inspection=inspection,
        template=template,
        findings={f.criterion_id: f for f in findings},
        actions=actions,
        minutes=docs.get(DocumentKind.MINUTES),
        conclusion=conclusion,
        locked=conclusion is not None and conclusion.issued,
        may_record=policy.can_record_findings(current_user, team),
        may_lead=policy.is_team_leader(current_user, team),
        may_see_names=policy.can_see_named_individuals(current_user, team, inspection.plan),
        finding_form=FindingForm,
        evidence_form=EvidenceForm(),
        action_form=CorrectiveActionForm(),
        confirm_form=ConfirmForm(),
        client_rules=_client_rules(),
        **_scores_context(visit, criteria, findings),
    )


def _refused_save(
    visit: Visit, criterion_id: int, expected_version: int | None, message: object, back: str
) -> Response:
    """A refused save, for the offline queue: 409 with the saved finding when the save clashed
    with what is stored now (changed meanwhile, or locked by the conclusion), else 400.

    A save the queue sent later (`queued`) is also noted for the member's inbox: the draft
    waits in the browser, which the server cannot see."""
    if request.form.get("queued") == "1":
        services.record_refused_save(
            visit, criterion_id=criterion_id, message=str(message), actor=current_user
        )
        db.session.commit()
    saved = db.session.scalar(
        sa.select(Finding).where(Finding.visit_id == visit.id, Finding.criterion_id == criterion_id)
    )
    if (saved is None or saved.version == expected_version) and not services.is_locked(visit_id=visit.id):
        return _answer(False, message, back, 400)
    current = (
        {
            "version": saved.version,
            "result": saved.result.value,
            "text": saved.text,
            "by": saved.author.full_name,
        }
        if saved
        else None
    )
    return _answer(False, message, back, 409, current=current)


def _uploads() -> list[services.Upload]:
    """The files sent with a save (empty file inputs left out), each with the time the
    browser read from it, in the same order."""
    times = request.form.getlist("taken_ms")
    uploads = []
    for i, upload in enumerate(request.files.getlist("file")):
        if not upload or not upload.filename:
            continue
        millis = _int_or_none(times[i]) if i < len(times) else None
        uploads.append(services.Upload(upload.stream, upload.filename, _client_time(millis)))
    return uploads


def _shown(score: float | None) -> str:
    """A score as the page shows it ("87.5", or a dash for none)."""
    return "—" if score is None else str(score)


def _saved_answer(visit: Visit, finding: Finding, back: str) -> Response:
    """After a save: JSON with the re-rendered scores and gallery for the page, else a redirect."""
    if not wants_json():
        flash(_("Saved."), "success")
        return redirect(back)
    _template, criteria, findings = _visit_findings(visit)
    context = _scores_context(visit, criteria, findings)
    saved = next(f for f in findings if f.id == finding.id)
    progress = context["progress"]
    return jsonify(
        ok=True,
        message=_("Saved."),
        finding_id=finding.id,
        version=finding.version,
        scores_html=render_template("findings/_scores.html", **context),
        overall=_shown(context["scores"].overall),  # type: ignore[attr-defined]
        gallery_html=render_template("findings/_gallery.html", finding=saved),
        progress={
            "done": progress.done,  # type: ignore[attr-defined]
            "total": progress.total,  # type: ignore[attr-defined]
            "areas": {code: list(pair) for code, pair in progress.by_area.items()},  # type: ignore[attr-defined]
        },
    )


@bp.post("/visits/<int:visit_id>/findings")
@login_required
def save_visit_finding(visit_id: int) -> Response:
    visit = load_visit(visit_id)
    if not policy.can_record_findings(current_user, visit.inspection.team):
        abort(403)
    form = FindingForm()
    criterion_id = parse_id(form.criterion_id.data)
    back = url_for("findings.visit", visit_id=visit.id, _anchor=f"c{criterion_id}")
    if not form.validate_on_submit() or criterion_id is None:
        if criterion_id is not None:
            version = _int_or_none(form.version.data)
            return _refused_save(visit, criterion_id, version, _first_error(form), back)
        return _answer(False, _first_error(form), back, 400)
    expected_version = _int_or_none(form.version.data)
    with service_call(flash_error=False) as done:
        finding = services.save_visit_finding(
            visit,
            criterion_id=criterion_id,
            result=form.result.data,
            severity=form.severity.data,
            text=form.text.data or "",
            named_individuals=form.named_individuals.data or "",
            expected_version=expected_version,
            uploads=_uploads(),
            actor=current_user,
        )
    if not done:
        return _refused_save(visit, criterion_id, expected_version, done.error, back)
    return _saved_answer(visit, finding, back)


@bp.post("/findings/<int:finding_id>/evidence")
@login_required
def upload_evidence(finding_id: int) -> Response:
    finding, subject = load_finding(finding_id)
    if not policy.can_record_findings(current_user, subject.team):
        abort(403)
    back = (
        url_for("findings.visit", visit_id=finding.visit_id, _anchor=f"c{finding.criterion_id}")
        if finding.visit_id
        else url_for("cases.detail", case_id=finding.case_id)
    )
    form = EvidenceForm()
    if not form.validate_on_submit():
        return _answer(False, _first_error(form), back, 400)
    upload = request.files.get("file")
    with service_call(flash_error=False) as done:
        item = services.add_evidence(
            finding,
            stream=upload.stream if upload else None,  # type: ignore[arg-type]
            filename=upload.filename if upload else None,
            client_time=_client_time(_int_or_none(form.taken_ms.data)),
            actor=current_user,
        )
    if not done:
        return _answer(False, done.error, back, 400)
    return _answer(True, _("The file %(name)s was added.", name=item.filename), back, evidence_id=item.id)


@bp.get("/evidence/<int:evidence_id>")
@login_required
def evidence(evidence_id: int) -> Response:
    item = db.session.get(Evidence, evidence_id)
    if item is None:
        abort(404)
    load_finding(item.finding_id)
    path = storage_path(item.sha256)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=item.content_type,
        download_name=item.filename,
        as_attachment=not item.content_type.startswith("image/"),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/evidence/<int:evidence_id>/thumb")
@login_required
def evidence_thumb(evidence_id: int) -> Response:
    item = db.session.get(Evidence, evidence_id)
    if item is None or not item.content_type.startswith("image/"):
        abort(404)
    load_finding(item.finding_id)
    path = media.thumbnail_of(item.sha256)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg")


# --- the offline visit: the service worker and the web app manifest ------------------------

STATIC = Path(__file__).resolve().parent.parent / "static" / "field"


@bp.get("/sw.js")
def service_worker() -> Response:
    """Served from the root so that its scope covers the visit pages (/visits/…)."""
    response = send_file(STATIC / "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def web_manifest() -> Response:
    return send_file(STATIC / "manifest.webmanifest", mimetype="application/manifest+json", max_age=3600)


# --- checklist templates (admin) ----------------------------------------------------------


@bp.get("/checklists/")
@login_required
def checklist_index() -> str:
    if not policy.can_view_checklists(current_user):
        abort(403)
    templates = db.session.scalars(
        sa.select(ChecklistTemplate).order_by(ChecklistTemplate.code, ChecklistTemplate.version.desc())
    ).all()
    return render_template("findings/checklists.html", templates=templates, form=ConfirmForm())


@bp.get("/checklists/<int:template_id>")
@login_required
def checklist_detail(template_id: int) -> str:
    if not policy.can_view_checklists(current_user):
        abort(403)
    template = db.get_or_404(ChecklistTemplate, template_id)
    return render_template(
        "findings/checklist.html",
        template=template,
        areas=checklists.tree(template.criteria),
        form=ConfirmForm(),
    )


@bp.post("/checklists/<int:template_id>/new-version")
@login_required
def checklist_new_version(template_id: int) -> Response:
    if not policy.can_manage_checklists(current_user):
        abort(403)
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy = checklists.new_version(template, actor=current_user)
    db.session.commit()
    flash(_("Version %(n)s was created as a draft.", n=copy.version), "success")
    return redirect(url_for("findings.checklist_detail", template_id=copy.id))


@bp.post("/checklists/<int:template_id>/publish")
@login_required
def checklist_publish(template_id: int) -> Response:
    if not policy.can_manage_checklists(current_user):
        abort(403)
    template = db.get_or_404(ChecklistTemplate, template_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with service_call(_("Version %(n)s is now the one new visits use.", n=template.version)):
        checklists.publish(template, actor=current_user)
    return redirect(url_for("findings.checklist_detail", template_id=template.id))


def _criterion_form(template: ChecklistTemplate, criterion: Criterion | None) -> CriterionForm:
    form = CriterionForm(obj=criterion) if request.method == "GET" else CriterionForm()
    if request.method == "GET" and criterion is not None:
        form.parent_id.data = str(criterion.parent_id or "")
    form.parent_id.choices = [SelectChoice("", _("(an area)"))] + [
        SelectChoice(str(c.id), f"{c.code} {c.text_vi[:60]}")
        for c in template.criteria
        if criterion is None or c.id != criterion.id
    ]
    return form


def _edit_criterion(template: ChecklistTemplate, criterion: Criterion | None) -> str | Response:
    if not policy.can_manage_checklists(current_user):
        abort(403)
    form = _criterion_form(template, criterion)
    if not form.validate_on_submit():
        return render_template("findings/criterion.html", form=form, template=template)
    with service_call(_("Saved.")) as done:
        checklists.save_criterion(
            template,
            criterion=criterion,
            parent_id=parse_id(form.parent_id.data),
            code=form.code.data,
            text_vi=form.text_vi.data,
            text_en=form.text_en.data,
            guidance_vi=form.guidance_vi.data or "",
            guidance_en=form.guidance_en.data or "",
            weight=form.weight.data,
            actor=current_user,
        )
    if not done:
        return render_template("findings/criterion.html", form=form, template=template), 400
    return redirect(url_for("findings.checklist_detail", template_id=template.id))


@bp.route("/checklists/<int:template_id>/criteria/new", methods=["GET", "POST"])
@login_required
def criterion_new(template_id: int) -> str | Response:
    return _edit_criterion(db.get_or_404(ChecklistTemplate, template_id), None)


@bp.route("/checklists/criteria/<int:criterion_id>", methods=["GET", "POST"])
@login_required
def criterion_edit(criterion_id: int) -> str | Response:
    criterion = db.get_or_404(Criterion, criterion_id)
    return _edit_criterion(criterion.template, criterion)


@bp.get("/field/offline")
def offline_page() -> str:
    """What a visit page that was never kept on this device shows without a network."""
    return render_template("findings/offline.html")
