"""The government's announcements of the civil service's days off and make-up working days.

Each year the Prime Minister decides, through the Government Office (Văn phòng Chính phủ,
VPCP), how the statutory holidays fall for cán bộ, công chức, viên chức: which weekday
between a holiday and a weekend is given off ("hoán đổi", a bridge day) and which Saturday
is worked in exchange ("làm bù"); the Ministry (until 2025 of Labour, Invalids and Social
Affairs, LĐTBXH; since then of Home Affairs, BNV) announces it in a Thông báo.

The `holidays` package carries most of them. What it lacks is written here, each with its
source beside it; `AUDITED` below lists every announcement of 2019-2027 that was held against
the calendar (tests/workdays/test_special_days.py checks every special day of those years).
An announcement made after a release is entered on the admin's page (/admin/calendar), whose
rows take precedence over both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from inspections.workdays.models import DayKind


@dataclass(frozen=True)
class Announced:
    day: date
    kind: DayKind
    source: str


# Days the `holidays` package (0.109) gets wrong for the civil service.
ANNOUNCED: tuple[Announced, ...] = (
    # Tết Dương lịch 2026: 4 days, Thursday 1 to Sunday 4 January; Friday 2 January is
    # swapped for Saturday 10 January. The package has only 1 January.
    Announced(
        date(2026, 1, 2),
        DayKind.DAY_OFF,
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ (Tết Dương lịch 2026)",
    ),
    Announced(
        date(2026, 1, 10),
        DayKind.WORKING_DAY,
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ (làm bù cho ngày 02/01/2026)",
    ),
)

BY_DAY: dict[date, Announced] = {a.day: a for a in ANNOUNCED}


# The announcements of 2019-2027 the calendar was checked against (what each decided is in
# the test's table). Dates given where the document itself was read in a reliable copy.
AUDITED: dict[int, tuple[str, ...]] = {
    2019: (
        "Công văn 6519/VPCP-KGVX (07/2018) và Thông báo 3238/TB-LĐTBXH (2018): nghỉ thứ Hai "
        "31/12/2018, làm bù thứ Bảy 05/01/2019; Tết 04-08/02; nghỉ thứ Hai 29/4, làm bù thứ Bảy 04/5",
    ),
    2020: ("Tết Âm lịch 23-29/01/2020 (Thông báo của Bộ LĐTBXH, 2019); no swap that year",),
    2021: ("Thông báo 4875/TB-LĐTBXH (2020): Tết 10-16/02/2021; Quốc khánh 02-03/9/2021",),
    2022: ("Công văn 245/VPCP-KGVX ngày 11/01/2022 và Thông báo 119/TB-LĐTBXH: Tết 31/01-04/02/2022",),
    2023: (
        "Công văn 8056/VPCP-KGVX ngày 01/12/2022 và Thông báo 5034/TB-LĐTBXH: Tết 20-26/01/2023; "
        "Quốc khánh 01-04/9/2023",
    ),
    2024: (
        "Công văn 8662/VPCP-KGVX ngày 03/11/2023 và Thông báo 5015/TB-LĐTBXH: Tết 08-14/02/2024; "
        "Quốc khánh 31/8-03/9/2024",
        "Công văn 2450/VPCP-KGVX ngày 12/4/2024 và Thông báo 1570/TB-LĐTBXH: nghỉ thứ Hai 29/4, "
        "làm bù thứ Bảy 04/5/2024",
    ),
    2025: (
        "Công văn 8726/VPCP-KGVX ngày 26/11/2024 và Thông báo 6150/TB-BLĐTBXH: Tết 27-31/01/2025; "
        "nghỉ thứ Sáu 02/5, làm bù thứ Bảy 26/4/2025; Quốc khánh 01-02/9/2025",
    ),
    2026: (
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025: nghỉ thứ Sáu 02/01, làm bù thứ Bảy 10/01/2026",
        "Thông báo 9441/TB-BNV ngày 16/10/2025: Tết 16-20/02/2026; Quốc khánh 01-02/9, nghỉ thứ Hai "
        "31/8, làm bù thứ Bảy 22/8/2026",
        "Công văn 3383/BNV-CVL ngày 10/4/2026: no swap around 30/4-01/5/2026",
        "Nghị quyết 28/2026/QH16: Ngày Văn hóa Việt Nam 24/11 is a day off from 2026",
    ),
    2027: ("Công văn 10065/VPCP-KGVX ngày 02/10/2026: Tết 04-10/02/2027; Quốc khánh 02-05/9/2027",),
}
