"""Import pages: upload a file, follow its check, confirm it, follow its application."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from inspections import policy
from inspections.extensions import csrf, db
from inspections.forms import ConfirmForm
from inspections.imports import bp
from inspections.imports.forms import UploadForm
from inspections.imports.models import WAITING, WORKING, ImportJob, ImportKind, ImportStatus
from inspections.imports.parsing import KIND_LABELS, LAYOUTS, STATUS_LABELS, max_rows
from inspections.imports.samples import template_file
from inspections.imports.services import cancel, confirm, create_job, max_bytes, recent_jobs, row_errors
from inspections.spreadsheets import CSV_MIMETYPE, READ_FORMATS, XLSX_MIMETYPE
from inspections.web import send_task, service_call

RUN_TASK = "imports.run"
# Room above the file's own limit for the rest of the form (the kind, the CSRF token).
_FORM_ROOM = 64 * 1024


def _kinds() -> list[ImportKind]:
    return [kind for kind in ImportKind if policy.can_import(current_user, kind.value)]


def load_job(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None or not policy.can_view_import(current_user, job):
        abort(404)
    return job


def _index(form: UploadForm, status: int = 200) -> tuple[str, int]:
    return render_template(
        "imports/index.html",
        form=form,
        kinds=_kinds(),
        kind_labels=KIND_LABELS,
        layouts=LAYOUTS,
        jobs=recent_jobs(current_user, see_all=current_user.role.value == "admin"),
        status_labels=STATUS_LABELS,
        limit_mb=max_bytes() // 1_000_000,
        max_rows=max_rows(),
    ), status


# CSRF is checked by the form itself (UploadForm, as every BaseForm): the application-wide
# check would read the body before this view raises the request's size limit for the file.
@bp.route("/", methods=["GET", "POST"])
@csrf.exempt
@login_required
def index() -> tuple[str, int] | WerkzeugResponse:
    kinds = _kinds()
    if not kinds:
        abort(403)
    # The file may be far larger than an ordinary form: this request's own limit.
    request.max_content_length = max_bytes() + _FORM_ROOM
    form = UploadForm(kind=request.args.get("kind") if request.method == "GET" else None)
    form.kind.choices = [(kind.value, str(KIND_LABELS[kind])) for kind in kinds]
    if not form.validate_on_submit():
        return _index(form, 400 if request.method == "POST" else 200)
    kind = ImportKind(form.kind.data)
    upload = form.file.data
    if not policy.can_import(current_user, kind.value):
        abort(403)
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors = [_("Choose a file to import.")]
        return _index(form, 400)
    with service_call(flash_error=False) as done:
        job = create_job(actor=current_user, kind=kind, stream=upload.stream, filename=upload.filename)
    if not done:
        form.file.errors = [str(done.error)]
        return _index(form, 400)
    send_task(RUN_TASK, job.id)
    return redirect(url_for("imports.detail", job_id=job.id))


@bp.get("/<int:job_id>")
@login_required
def detail(job_id: int) -> str:
    job = load_job(job_id)
    partial = request.headers.get("HX-Request") == "true"
    return render_template(
        "imports/_progress.html" if partial else "imports/detail.html",
        job=job,
        errors=row_errors(job) if job.status == ImportStatus.INVALID else [],
        polling=job.status in WAITING or job.status in WORKING,
        kind_labels=KIND_LABELS,
        status_labels=STATUS_LABELS,
        layout=LAYOUTS[job.kind],
        form=ConfirmForm(),
    )


@bp.post("/<int:job_id>/confirm")
@login_required
def confirm_job(job_id: int) -> WerkzeugResponse:
    job = load_job(job_id)
    if ConfirmForm().validate_on_submit():
        with service_call(_("The import is queued: it is applied in the background.")) as done:
            confirm(job, actor=current_user)
        if done:
            send_task(RUN_TASK, job.id)
    else:
        flash(_("The form has expired. Please send it again."), "error")
    return redirect(url_for("imports.detail", job_id=job.id))


@bp.post("/<int:job_id>/cancel")
@login_required
def cancel_job(job_id: int) -> WerkzeugResponse:
    job = load_job(job_id)
    if ConfirmForm().validate_on_submit():
        with service_call(_("The import is cancelled; nothing of it was applied.")):
            cancel(job, actor=current_user)
    else:
        flash(_("The form has expired. Please send it again."), "error")
    return redirect(url_for("imports.detail", job_id=job.id))


@bp.get("/template/<kind>.<fmt>")
@login_required
def template(kind: str, fmt: str) -> Response:
    if kind not in {k.value for k in ImportKind} or fmt not in READ_FORMATS:
        abort(404)
    if not policy.can_import(current_user, kind):
        abort(403)
    data = template_file(ImportKind(kind), fmt)
    return Response(
        data,
        mimetype=CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE,
        headers={"Content-Disposition": f"attachment; filename=import-{kind}.{fmt}"},
    )
