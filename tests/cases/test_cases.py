"""Cases: each demo case from intake to conclusion, through the pages."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from inspections.auth.models import Role
from inspections.cases.models import Case, CaseAttachment, CaseStatus
from inspections.demo.services import load_demo
from inspections.documents.models import Document
from inspections.findings.models import Finding
from inspections.outbox.models import Notification
from inspections.plans.models import Plan
from inspections.plans.progress import plan_progress
from inspections.teams.models import Team
from inspections.units.models import Unit
from tests import fieldwork
from tests.conftest import csrf_token

PASSWORD = "demo password for cases"
TEAM = "Đoàn Kiểm tra công vụ Thành phố"


def _as(client, login, username):
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert login(username, PASSWORD).status_code == 302


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def test_each_demo_case_goes_from_intake_to_conclusion(db, client, login):
    load_demo(password=PASSWORD)
    db.session.commit()
    team_id = db.session.scalar(sa.select(Team.id).where(Team.name == TEAM))
    cases = db.session.scalars(sa.select(Case).order_by(Case.reference)).all()
    assert [c.status for c in cases] == [CaseStatus.INTAKE] * 4
    ids = [c.id for c in cases]

    for case_id in ids:
        _as(client, login, "coordinator")
        assert _post(client, f"/cases/{case_id}/assign", team_id=team_id).status_code == 302
        _as(client, login, "leader.surprise")
        assert client.get(f"/cases/{case_id}").status_code == 200
        _post(
            client,
            f"/cases/{case_id}/findings",
            criterion="",
            result="non_compliant",
            severity="medium",
            text="Phản ánh có cơ sở: chưa thực hiện đúng quy định.",
            named_individuals="Công chức Nguyễn Văn Y",
        )
        finding_id = db.session.scalar(sa.select(Finding.id).where(Finding.case_id == case_id))
        assert finding_id, "the finding was saved"
        _post(
            client,
            f"/actions/finding/{finding_id}",
            description="Chấn chỉnh, rút kinh nghiệm.",
            working_days=15,
        )
        assert _post(client, f"/documents/case/{case_id}/minutes").status_code == 302
        assert _post(client, f"/documents/case/{case_id}/conclusion", place="Hà Nội").status_code == 302

    db.session.expire_all()
    concluded = db.session.scalars(sa.select(Case).order_by(Case.reference)).all()
    assert [c.status for c in concluded] == [CaseStatus.CONCLUDED] * 4
    kinds = db.session.scalars(sa.select(Document.kind)).all()
    assert sorted(k.value for k in kinds) == ["conclusion"] * 4 + ["minutes"] * 4
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.kind == "conclusion_issued")
        )
        == 4
    )
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2019))
    case_progress = next(p for p in plan_progress([plan])[plan.id] if p.kind.value == "case")
    assert (case_progress.target, case_progress.concluded) == (4, 4)


def test_a_coordinator_registers_a_case_with_an_attachment(db, client, login, make):
    coordinator = make.user(Role.COORDINATOR)
    plan = make.plan()
    plan.coordinators.append(coordinator)
    unit = make.unit(name="Phường Điện Biên")
    db.session.commit()
    login(coordinator.username)
    token = csrf_token(client, "/cases/new")
    response = client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "plan_id": plan.id,
            "unit_code": unit.code,
            "source": "hotline",
            "title": "Đường dây nóng: hồ sơ chứng thực trễ hẹn",
            "summary": "Người dân phản ánh qua đường dây nóng.",
            "received_on": "04/11/2019",  # typed as a Vietnamese office writes it
            "attachment": (io.BytesIO(fieldwork.PDF), "don-phan-anh.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case = db.session.scalar(sa.select(Case))
    assert (case.reference, case.status, case.unit_id) == ("VV-2019-01", CaseStatus.INTAKE, unit.id)
    assert case.received_on == date(2019, 11, 4)
    assert db.session.scalar(sa.select(CaseAttachment.filename)) == "don-phan-anh.pdf"
    assert db.session.get(Unit, unit.id) is not None
