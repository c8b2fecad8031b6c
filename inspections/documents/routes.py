from __future__ import annotations

import io
import os

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.auth.models import Role
from inspections.cases.models import Case
from inspections.documents import bp, render
from inspections.documents.content import content_of, minutes_record
from inspections.documents.forms import IssueForm, MinutesForm, VerifyForm
from inspections.documents.models import Document, DocumentKind
from inspections.documents.services import MinutesDetails, generate_minutes, issue_conclusion, verify_upload
from inspections.documents.storage import docx_of, pdf_of
from inspections.extensions import db, limiter
from inspections.findings.subject import Subject
from inspections.visits.models import Visit
from inspections.web import flash_form_errors, load_case, load_visit, service_call

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The public check of signed documents: each upload is read by pyHanko, so it is throttled.
VERIFY_LIMIT = "10 per minute; 60 per hour"


# The visit and case pages include templates/documents/_panel.html; they sit below this
# feature and do not import it, so the panel asks this package through template globals.


@bp.app_template_global()
def pdf_available() -> bool:
    return render.pdf_available()


bp.app_template_filter("nobreak")(render.nobreak)


@bp.app_template_global()
def conclusion_form() -> IssueForm:
    return IssueForm()


@bp.app_template_global()
def minutes_form(minutes: Document | None, kind: str, object_id: int) -> MinutesForm:
    """The minutes' record of the visit, filled with what they say now."""
    subject, _back = _subject(kind, object_id)
    record = minutes_record(minutes, subject)
    form = MinutesForm(formdata=None)
    form.venue.data = record.venue
    form.opened_at.data, form.closed_at.data = record.opened_at, record.closed_at
    form.representative.data = record.representative
    form.representative_title.data = record.representative_title
    form.participants.data = "\n".join(record.participants)
    return form


def _subject(kind: str, object_id: int) -> tuple[Subject, str]:
    if kind == "visit":
        visit = load_visit(object_id)
        return Subject(visit, None), url_for("findings.visit", visit_id=visit.id)
    case = load_case(object_id)
    return Subject(None, case), url_for("cases.detail", case_id=case.id)


def load_document(document_id: int) -> tuple[Document, Subject]:
    """Team and staff through the visit or case; a unit contact only its own unit's issued
    conclusion (by then the visit has taken place, so no surprise is given away)."""
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    if current_user.is_authenticated and current_user.role == Role.UNIT_CONTACT:
        subject = Subject(
            db.session.get(Visit, document.visit_id) if document.visit_id else None,
            db.session.get(Case, document.case_id) if document.case_id else None,
        )
        if not (
            document.kind == DocumentKind.CONCLUSION
            and document.issued
            and subject.unit.id == current_user.home_unit_id
        ):
            abort(404)
        return document, subject
    subject, _back = _subject("visit" if document.visit_id else "case", document.visit_id or document.case_id)
    return document, subject


def _leader_only(subject: Subject) -> None:
    if not policy.is_team_leader(current_user, subject.team):
        abort(403)


@bp.post("/<any(visit, case):kind>/<int:object_id>/minutes")
@login_required
def minutes(kind: str, object_id: int) -> Response:
    subject, back = _subject(kind, object_id)
    _leader_only(subject)
    form = MinutesForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(f"{back}#documents")
    details = MinutesDetails(
        venue=form.venue.data or "",
        opened_at=form.opened_at.data,
        closed_at=form.closed_at.data,
        representative=form.representative.data or "",
        representative_title=form.representative_title.data or "",
        participants=form.participants.data or "",
    )
    with service_call() as done:
        document = generate_minutes(subject, actor=current_user, details=details)
    if not done:
        return redirect(back)
    flash(_("Minutes %(symbol)s are ready.", symbol=document.symbol), "success")
    return redirect(f"{back}#documents")


@bp.post("/<any(visit, case):kind>/<int:object_id>/conclusion")
@login_required
def conclusion(kind: str, object_id: int) -> Response:
    subject, back = _subject(kind, object_id)
    _leader_only(subject)
    form = IssueForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    with service_call() as done:
        document = issue_conclusion(subject, actor=current_user, place=form.place.data.strip())
    if not done:
        return redirect(back)
    flash(_("Conclusion %(symbol)s was issued and sent to the unit.", symbol=document.symbol), "success")
    return redirect(f"{back}#documents")


def _verify_limit() -> str:
    return current_app.config.get("VERIFY_LIMIT") or os.environ.get("VERIFY_LIMIT") or VERIFY_LIMIT


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_verify_limit, methods=["POST"])
def verify() -> str:
    """Anyone with the link: upload a PDF, read who signed it, when, and whether it is intact."""
    form = VerifyForm()
    reports, filename = None, None
    if form.validate_on_submit():
        upload = request.files.get("file")
        filename = upload.filename if upload else None
        with service_call() as done:
            reports = verify_upload(stream=upload.stream if upload else None, filename=filename)
        if not done:
            reports = None
    return render_template("documents/verify.html", form=form, reports=reports, filename=filename)


@bp.get("/<int:document_id>")
@login_required
def show(document_id: int) -> str:
    document, subject = load_document(document_id)
    return render_template("documents/show.html", document=document, c=content_of(document, subject))


@bp.get("/<int:document_id>.pdf")
@login_required
def pdf(document_id: int) -> Response:
    document, subject = load_document(document_id)
    data = pdf_of(document, subject)
    if data is None:
        flash(
            _("PDF is not available on this server (the Pango library is missing). Use the DOCX version."),
            "error",
        )
        return redirect(url_for("documents.show", document_id=document.id))
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=_name(document, "pdf"))


@bp.get("/<int:document_id>.docx")
@login_required
def docx(document_id: int) -> Response:
    document, subject = load_document(document_id)
    return send_file(
        io.BytesIO(docx_of(document, subject)),
        mimetype=DOCX_TYPE,
        as_attachment=True,
        download_name=_name(document, "docx"),
    )


def _name(document: Document, extension: str) -> str:
    prefix = "bien-ban" if document.kind == DocumentKind.MINUTES else "thong-bao-ket-luan"
    return f"{prefix}-{document.number:02d}-{document.id}.{extension}"
