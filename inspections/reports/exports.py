"""The findings report as a workbook: one sheet per table of the page, numbers as numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from inspections.findings.models import Severity
from inspections.labels import label
from inspections.reports.findings import FindingsReport, Row

SEVERITIES = (Severity.HIGH, Severity.MEDIUM, Severity.LOW)


def _tally_header(first: str) -> list[Any]:
    return [first, _("Findings scored"), _("Non-compliant"), _("Non-compliance rate")] + [
        label(s) for s in SEVERITIES
    ]


def _rows(rows: list[Row], first: str, name: Any = None) -> Iterator[list[Any]]:
    yield _tally_header(first)
    for row in rows:
        t = row.tally
        shown = name(row) if name else row.label
        yield [shown, t.scored, t.non_compliant, t.rate] + [t.by_severity.get(s, 0) for s in SEVERITIES]


def findings_sheets(report: FindingsReport) -> dict[str, Any]:
    actions = report.actions
    return {
        _("Areas"): _rows(report.by_area, _("Area"), lambda r: f"{r.key}. {r.label}"),
        _("Criteria"): _rows(report.by_criterion, _("Criterion"), lambda r: f"{r.key} {r.label}"),
        _("Districts"): _rows(report.by_district, _("District")),
        _("Unit kinds"): _rows(report.by_unit_kind, _("Kind of unit"), lambda r: label(r.key)),
        _("Years"): _rows(report.by_year, _("Year")),
        _("Corrective actions"): [
            [_("Actions set"), _("Still open"), _("Overdue"), _("Accepted as done"), _("Mean days to close")],
            [actions.total, actions.open, actions.overdue, actions.closed, actions.mean_days_to_close],
        ],
        _("Units"): [
            [
                _("Code"),
                _("Unit"),
                _("Rate now"),
                _("Previous rate"),
                _("Previous year"),
                _("Change"),
            ],
            *([c.unit.code, c.unit.name, c.now, c.previous, c.previous_year, c.change] for c in report.units),
        ],
    }
