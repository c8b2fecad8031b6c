"""Render the documents the product issues, as a person would receive them, into docs/documents/.

    .venv/bin/python scripts/render_documents.py            # writes docs/documents/
    .venv/bin/python scripts/render_documents.py --out /tmp/docs

A scratch instance (SQLite in a temp folder) loads the demo; the joint team's leader visits
Quận Hà Đông on 14/10/2019, records a finding in every area of the checklist (two of them
non-compliant, each with a corrective action), writes the minutes with the unit's
representative and issues the conclusion (dated the day the script runs). The issued
minutes and conclusion, signed with a demo certificate made in the scratch instance, are
written as PDF and DOCX, and each PDF page as a PNG (poppler's pdftoppm, at 80 dpi) for
the README.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from inspections import create_app  # noqa: E402
from inspections.auth.models import User  # noqa: E402
from inspections.demo.services import load_demo  # noqa: E402
from inspections.documents.models import Document, DocumentKind  # noqa: E402
from inspections.documents.services import MinutesDetails, generate_minutes, issue_conclusion  # noqa: E402
from inspections.documents.storage import docx_of, pdf_of  # noqa: E402
from inspections.extensions import db  # noqa: E402
from inspections.findings.models import Criterion  # noqa: E402
from inspections.findings.services import save_visit_finding  # noqa: E402
from inspections.findings.subject import Subject  # noqa: E402
from inspections.i18n import compile_catalogs  # noqa: E402
from inspections.plans.models import Plan  # noqa: E402
from inspections.remediation.services import add_action  # noqa: E402
from inspections.units.models import Unit  # noqa: E402
from inspections.visits.models import Inspection  # noqa: E402
from inspections.visits.services import create_visit  # noqa: E402

NAMES = {DocumentKind.MINUTES: "bien-ban-kiem-tra", DocumentKind.CONCLUSION: "thong-bao-ket-luan"}
NOTES = {
    0: (
        "non_compliant",
        "Kế hoạch CCHC năm 2019 ban hành ngày 15/02/2019, chậm so với yêu cầu",
        "Ban hành kế hoạch CCHC bổ sung.",
    ),
    7: (
        "non_compliant",
        "Một số công chức tại Bộ phận một cửa không đeo thẻ công chức",
        "Chấn chỉnh việc đeo thẻ công chức.",
    ),
}


def build(instance: Path) -> dict[DocumentKind, Document]:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'docs.sqlite3'}"}, instance_path=str(instance)
    )
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    with app.test_request_context():
        load_demo(password="render-documents")  # noqa: S106 - a scratch instance
        db.session.commit()
        leader = db.session.scalar(sa.select(User).where(User.username == "leader.joint"))
        inspection = db.session.scalar(
            sa.select(Inspection)
            .join(Unit, Inspection.unit_id == Unit.id)
            .join(Plan, Inspection.plan_id == Plan.id)
            .where(Unit.name == "Quận Hà Đông", Plan.year == 2019)
        )
        visit = create_visit(
            inspection, day=date(2019, 10, 14), slot="morning", actor=leader, today=date(2019, 10, 1)
        )
        areas = list(
            db.session.scalars(
                sa.select(Criterion).where(Criterion.parent_id.is_(None)).order_by(Criterion.position)
            )
        )
        for i, area in enumerate(areas):
            criterion = db.session.scalar(
                sa.select(Criterion).where(Criterion.parent_id == area.id).order_by(Criterion.position)
            )
            result, text, action = NOTES.get(i, ("compliant", "Thực hiện đầy đủ, đúng quy định", None))
            finding = save_visit_finding(
                visit,
                criterion_id=criterion.id,
                result=result,
                severity="medium" if result == "non_compliant" else "none",
                text=text,
                expected_version=None,
                actor=leader,
            )
            if action:
                add_action(
                    finding,
                    description=action,
                    working_days=20,
                    unit_id=inspection.unit_id,
                    actor=leader,
                    today=date(2019, 10, 14),
                )
        subject = Subject(visit, None)
        details = MinutesDetails(
            venue="trụ sở UBND Quận Hà Đông, số 1 Quang Trung, Hà Đông",
            opened_at=time(8, 0),
            closed_at=time(11, 30),
            representative="Nguyễn Văn An",
            representative_title="Phó Chủ tịch UBND Quận Hà Đông",
            participants=(
                "Trần Thị Bình, Chánh Văn phòng HĐND và UBND Quận\nLê Văn Cường, Trưởng phòng Nội vụ Quận"
            ),
        )
        generate_minutes(subject, actor=leader, details=details)
        issue_conclusion(subject, actor=leader)
        db.session.commit()
        documents = {d.kind: d for d in db.session.scalars(sa.select(Document).where(subject.where()))}
        files = {}
        for kind, document in documents.items():
            pdf = pdf_of(document, subject)
            files[kind] = (pdf, docx_of(document, subject))
        return files  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "documents")
    args = parser.parse_args()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.exit("pdftoppm is missing: apt-get install poppler-utils")
    compile_catalogs()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        files = build(Path(scratch))
    for kind, (pdf, docx) in files.items():
        name = NAMES[kind]
        if pdf is None:
            sys.exit("PDF is not available here (WeasyPrint cannot load Pango)")
        (args.out / f"{name}.pdf").write_bytes(pdf)
        (args.out / f"{name}.docx").write_bytes(docx)
        for old in args.out.glob(f"{name}-*.png"):
            old.unlink()
        subprocess.run(  # noqa: S603 - poppler's pdftoppm on files written here
            [pdftoppm, "-r", "80", "-png", str(args.out / f"{name}.pdf"), str(args.out / name)], check=True
        )
        pages = sorted(args.out.glob(f"{name}-*.png"))
        print(f"{name}: {len(pdf):,} bytes PDF, {len(docx):,} bytes DOCX, {len(pages)} pages")
        for page in pages:
            print(f"  {page.relative_to(ROOT) if page.is_relative_to(ROOT) else page}")


if __name__ == "__main__":
    main()
