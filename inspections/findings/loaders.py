"""Loading what the field pages work on, through policy: 404 for what may not be seen."""

from __future__ import annotations

from flask import abort

from inspections.extensions import db
from inspections.findings.models import Finding
from inspections.findings.subject import Subject
from inspections.web import load_case, load_visit


def load_finding(finding_id: int) -> tuple[Finding, Subject]:
    """A finding with the visit or case it belongs to, if the user may see that."""
    finding = db.session.get(Finding, finding_id)
    if finding is None:
        abort(404)
    if finding.visit_id is not None:
        return finding, Subject(load_visit(finding.visit_id), None)
    return finding, Subject(None, load_case(finding.case_id))  # type: ignore[arg-type]
