from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inspections import policy
from inspections.auth.models import Role
from inspections.cases.models import Case
from inspections.documents import bp, render
from inspections.documents.models import Document, DocumentKind
from inspections.documents.services import Subject, content_of, generate_minutes, issue_conclusion
from inspections.errors import DomainError
from inspections.extensions import db
from inspections.files import storage_path
from inspections.findings.forms import IssueForm, PlainForm
from inspections.findings.loaders import load_case, load_visit
from inspections.visits.models import Visit

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _subject(kind: str, object_id: int) -> tuple[Subject, str]:
    if kind == "visit":
        visit = load_visit(object_id)
        return Subject(visit, None), url_for("visits.detail", visit_id=visit.id)
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


@bp.route("/<any(visit, case):kind>/<int:object_id>/minutes", methods=["POST"])
@login_required
def minutes(kind: str, object_id: int) -> Response:
    subject, back = _subject(kind, object_id)
    _leader_only(subject)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        document = generate_minutes(subject, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Minutes %(symbol)s are ready.", symbol=document.symbol), "success")
    return redirect(f"{back}#documents")


@bp.route("/<any(visit, case):kind>/<int:object_id>/conclusion", methods=["POST"])
@login_required
def conclusion(kind: str, object_id: int) -> Response:
    subject, back = _subject(kind, object_id)
    _leader_only(subject)
    form = IssueForm()
    if not form.validate_on_submit():
        flash(next(iter(form.errors.values()))[0], "error")
        return redirect(back)
    try:
        document = issue_conclusion(subject, actor=current_user, place=form.place.data.strip())
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    db.session.commit()
    flash(
        _("Conclusion %(symbol)s was issued and sent to the unit.", symbol=document.symbol),
        "success",
    )
    return redirect(f"{back}#documents")


@bp.route("/<int:document_id>")
@login_required
def show(document_id: int) -> str:
    document, subject = load_document(document_id)
    return render_template(
        "documents/show.html",
        document=document,
        c=content_of(document, subject),
        pdf_available=render.pdf_available(),
    )


@bp.route("/<int:document_id>.pdf")
@login_required
def pdf(document_id: int) -> Response:
    document, subject = load_document(document_id)
    if document.pdf_sha256 and storage_path(document.pdf_sha256, "documents").exists():
        data = storage_path(document.pdf_sha256, "documents").read_bytes()
    elif render.pdf_available():
        data, _digest = render.pdf_bytes(content_of(document, subject))
    else:
        flash(
            _("PDF is not available on this server (the Pango library is missing). Use the DOCX version."),
            "error",
        )
        return redirect(url_for("documents.show", document_id=document.id))
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=_name(document, "pdf"))


@bp.route("/<int:document_id>.docx")
@login_required
def docx(document_id: int) -> Response:
    document, subject = load_document(document_id)
    if document.docx_sha256 and storage_path(document.docx_sha256, "documents").exists():
        data = storage_path(document.docx_sha256, "documents").read_bytes()
    else:
        data, _digest = render.docx_bytes(content_of(document, subject))
    return send_file(
        io.BytesIO(data), mimetype=DOCX_TYPE, as_attachment=True, download_name=_name(document, "docx")
    )


def _name(document: Document, extension: str) -> str:
    prefix = "bien-ban" if document.kind == DocumentKind.MINUTES else "thong-bao-ket-luan"
    return f"{prefix}-{document.number:02d}-{document.id}.{extension}"
