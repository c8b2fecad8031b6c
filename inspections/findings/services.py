"""Findings and their evidence, on a visit or a case.

Two members editing the same finding never overwrite each other: every save names the
version it was based on, and a save based on an old version is refused (the database's
version counter backs this up against a race between the check and the write).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from inspections import files, policy
from inspections.audit.services import record, snapshot
from inspections.auth.models import User
from inspections.cases.models import Case
from inspections.db import utcnow
from inspections.documents.models import Document, DocumentKind, DocumentStatus
from inspections.errors import Conflict, InvalidInput
from inspections.extensions import db
from inspections.findings import checklists, media
from inspections.findings.models import Criterion, Evidence, Finding, FindingResult, RefusedSave, Severity
from inspections.visits.models import Visit
from inspections.visits.services import mark_in_progress

AUDITED = ("result", "severity", "text", "named_individuals", "criterion_id", "version")
MAX_TEXT = 10_000
MAX_FILES = 10  # photos sent with one save


@dataclass(frozen=True)
class Upload:
    """A file sent with a save: its stream, its name, and the time the browser gave it."""

    stream: IO[bytes]
    filename: str | None
    client_time: datetime | None = None


def is_locked(*, visit_id: int | None = None, case_id: int | None = None) -> bool:
    """A visit or case whose conclusion was issued: its findings are final."""
    where = Document.visit_id == visit_id if visit_id is not None else Document.case_id == case_id
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    where, Document.kind == DocumentKind.CONCLUSION, Document.status == DocumentStatus.ISSUED
                )
            )
        )
    )


def _ensure_open(*, visit_id: int | None = None, case_id: int | None = None) -> None:
    if is_locked(visit_id=visit_id, case_id=case_id):
        raise Conflict(_l("The conclusion has been issued: its findings can no longer be changed."))


def ensure_started(*, visit_id: int | None) -> None:
    """Nothing is recorded on a visit before it starts (findings, evidence, corrective
    actions): nothing has been seen on site yet, and a surprise visit is still a secret.
    A case has its own rule (`visit_id` None: nothing to check here)."""
    if visit_id is None:
        return
    starts_at = db.session.scalar(sa.select(Visit.starts_at).where(Visit.id == visit_id))
    if starts_at is not None and starts_at > utcnow():
        raise Conflict(_l("The visit has not started yet: nothing can be recorded on it before it starts."))


def _clean(result: str, severity: str, text: str, named_individuals: str) -> tuple[FindingResult, Severity]:
    try:
        result_value = FindingResult(result)
    except ValueError:
        raise InvalidInput(_l("Choose a result.")) from None
    try:
        severity_value = Severity(severity or Severity.NONE)
    except ValueError:
        raise InvalidInput(_l("Choose a severity.")) from None
    if len(text) > MAX_TEXT or len(named_individuals) > MAX_TEXT:
        raise InvalidInput(_l("The notes are too long."))
    if result_value == FindingResult.NON_COMPLIANT and severity_value == Severity.NONE:
        raise InvalidInput(_l("A non-compliant finding needs a severity."))
    return result_value, severity_value


def _stale(finding: Finding) -> Conflict:
    return Conflict(
        _l(
            "%(name)s changed this finding while you were editing it. Your text is still in the "
            "form: compare it with the saved version below, then save again.",
            name=finding.author.full_name,
        )
    )


def save_visit_finding(
    visit: Visit,
    *,
    criterion_id: int,
    result: str,
    severity: str = "none",
    text: str = "",
    named_individuals: str = "",
    expected_version: int | None,
    uploads: Sequence[Upload] = (),
    actor: User,
) -> Finding:
    """Create or update the visit's finding on one criterion, with the photos taken for it.

    `expected_version` is the version the form was loaded with (None: a new finding). The
    finding and its photos are one unit: a refused photo refuses the save.
    """
    if len(uploads) > MAX_FILES:
        raise InvalidInput(_l("At most %(n)s files can be sent with one save.", n=MAX_FILES))
    finding = _save_visit_finding(
        visit,
        criterion_id=criterion_id,
        result=result,
        severity=severity,
        text=text,
        named_individuals=named_individuals,
        expected_version=expected_version,
        actor=actor,
    )
    for upload in uploads:
        add_evidence(
            finding,
            stream=upload.stream,
            filename=upload.filename,
            client_time=upload.client_time,
            actor=actor,
        )
    db.session.execute(
        sa.delete(RefusedSave).where(
            RefusedSave.user_id == actor.id,
            RefusedSave.visit_id == visit.id,
            RefusedSave.criterion_id == criterion_id,
        )
    )
    return finding


def _save_visit_finding(
    visit: Visit,
    *,
    criterion_id: int,
    result: str,
    severity: str,
    text: str,
    named_individuals: str,
    expected_version: int | None,
    actor: User,
) -> Finding:
    _ensure_open(visit_id=visit.id)
    ensure_started(visit_id=visit.id)
    result_value, severity_value = _clean(result, severity, text, named_individuals)
    template = checklists.start_checklist(visit.id)
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.template_id != template.id or criterion.parent_id is None:
        raise InvalidInput(_l("This criterion is not on the visit's checklist."))
    finding = db.session.scalar(
        sa.select(Finding).where(Finding.visit_id == visit.id, Finding.criterion_id == criterion_id)
    )
    mark_in_progress(visit)
    if finding is None:
        if expected_version:
            raise InvalidInput(_l("This finding no longer exists."))
        finding = Finding(
            visit_id=visit.id,
            criterion_id=criterion_id,
            result=result_value,
            severity=severity_value,
            text=text,
            named_individuals=named_individuals,
            author_id=actor.id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(finding)
        except sa.exc.IntegrityError:
            raise Conflict(
                _l("Another member saved a finding on this criterion a moment ago: reload the page.")
            ) from None
        record(
            "finding.create",
            actor=actor,
            object_type="finding",
            object_id=finding.id,
            after=snapshot(finding, *AUDITED) | {"visit_id": visit.id},
        )
        return finding
    return _update(
        finding,
        result=result_value,
        severity=severity_value,
        text=text,
        named_individuals=named_individuals,
        expected_version=expected_version,
        actor=actor,
    )


def _update(
    finding: Finding,
    *,
    result: FindingResult,
    severity: Severity,
    text: str,
    named_individuals: str,
    expected_version: int | None,
    actor: User,
    criterion_id: int | None = None,
) -> Finding:
    if expected_version != finding.version:
        raise _stale(finding)
    before = snapshot(finding, *AUDITED)
    with db.session.no_autoflush:  # one UPDATE, so one version step per save
        finding.result = result
        finding.severity = severity
        finding.text = text
        finding.named_individuals = named_individuals
        finding.author = actor
        if finding.case_id is not None:
            finding.criterion_id = criterion_id
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_l("Another member saved this finding at the same moment: reload the page.")) from None
    record(
        "finding.update",
        actor=actor,
        object_type="finding",
        object_id=finding.id,
        before=before,
        after=snapshot(finding, *AUDITED),
    )
    return finding


def save_case_finding(
    case: Case,
    *,
    finding: Finding | None = None,
    criterion_id: int | None,
    result: str,
    severity: str = "none",
    text: str = "",
    named_individuals: str = "",
    expected_version: int | None,
    actor: User,
) -> Finding:
    """A case finding: against a checklist criterion, or free-form with its own text.

    The case's own status follows in `cases.services.save_finding`, which calls this.
    """
    _ensure_open(case_id=case.id)
    result_value, severity_value = _clean(result, severity, text, named_individuals)
    if criterion_id is not None:
        criterion = db.session.get(Criterion, criterion_id)
        if criterion is None or criterion.parent_id is None:
            raise InvalidInput(_l("Choose a criterion of the checklist, or none for a free-form finding."))
    elif not text.strip():
        raise InvalidInput(_l("A free-form finding needs a text."))
    if finding is not None:
        if finding.case_id != case.id:
            raise InvalidInput(_l("This finding no longer exists."))
        return _update(
            finding,
            result=result_value,
            severity=severity_value,
            text=text,
            named_individuals=named_individuals,
            expected_version=expected_version,
            actor=actor,
            criterion_id=criterion_id,
        )
    finding = Finding(
        case_id=case.id,
        criterion_id=criterion_id,
        result=result_value,
        severity=severity_value,
        text=text,
        named_individuals=named_individuals,
        author_id=actor.id,
    )
    db.session.add(finding)
    db.session.flush()
    record(
        "finding.create",
        actor=actor,
        object_type="finding",
        object_id=finding.id,
        after=snapshot(finding, *AUDITED) | {"case_id": case.id},
    )
    return finding


def add_evidence(
    finding: Finding,
    *,
    stream: IO[bytes],
    filename: str | None,
    client_time: datetime | None = None,
    actor: User,
) -> Evidence:
    """Check the file by its content and size, then store it by hash and attach it."""
    _ensure_open(visit_id=finding.visit_id, case_id=finding.case_id)
    ensure_started(visit_id=finding.visit_id)
    checked = files.check_upload(stream, filename, client_time=client_time)
    files.store(checked.data, checked.sha256)
    item = Evidence(
        finding_id=finding.id,
        filename=checked.filename,
        content_type=checked.content_type,
        size_bytes=len(checked.data),
        sha256=checked.sha256,
        taken_at=checked.taken_at,
        uploaded_by_id=actor.id,
    )
    db.session.add(item)
    db.session.flush()
    if checked.is_photo:
        media.make_thumbnail(checked.data, checked.sha256)
    record(
        "evidence.add",
        actor=actor,
        object_type="evidence",
        object_id=item.id,
        after=snapshot(item, "finding_id", "filename", "content_type", "size_bytes", "sha256", "taken_at"),
    )
    return item


# --- saves the offline queue sent and the server refused --------------------------------


def record_refused_save(visit: Visit, *, criterion_id: int, message: str, actor: User) -> None:
    """Note that a queued save of `actor` on this criterion was refused, and why (the inbox
    shows it); a later refusal replaces the earlier one. Nothing for an unknown criterion."""
    criterion = db.session.get(Criterion, criterion_id)
    template = checklists.template_for_visit(visit.id)
    if (
        criterion is None
        or criterion.parent_id is None
        or template is None
        or criterion.template_id != template.id
    ):
        return
    message = message[:2000]
    row = db.session.scalar(
        sa.select(RefusedSave).where(
            RefusedSave.user_id == actor.id,
            RefusedSave.visit_id == visit.id,
            RefusedSave.criterion_id == criterion_id,
        )
    )
    if row is None:
        db.session.add(
            RefusedSave(user_id=actor.id, visit_id=visit.id, criterion_id=criterion_id, message=message)
        )
    else:
        row.message, row.refused_at = message, utcnow()
    db.session.flush()


def refused_saves_of(user: User) -> sa.Select[tuple[RefusedSave]]:
    """The user's offline saves the server refused, newest first, on visits the user may
    still see (the drafts wait in that user's browser). Bound it with `.limit()`."""
    return (
        sa.select(RefusedSave)
        .join(Visit, Visit.id == RefusedSave.visit_id)
        .where(RefusedSave.user_id == user.id, policy.visit_visible(user))
        .order_by(RefusedSave.refused_at.desc(), RefusedSave.id.desc())
    )
