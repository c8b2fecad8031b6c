"""The default checklist: the six reform areas of Resolution 76/NQ-CP (2021-2030 master
programme), plus direction and management, and public-service discipline.

Criteria come from the practice the source document reports (../shared/seed): one-stop
shop, online public services at levels 3 and 4, monthly rating of staff, concurrent
part-time titles and their 50 % allowance, staff streamlining, autonomy of public service
units. Change the texts only together with VERSION: a visit keeps the version it began with.
"""

from __future__ import annotations

from decimal import Decimal

CODE = "cchc-default"
VERSION = 1
NAME_VI = "Bảng tiêu chí kiểm tra công tác cải cách hành chính"
NAME_EN = "Administrative reform inspection checklist"

# (code, weight, text_vi, text_en, guidance_vi, guidance_en, children) — an area, its
# criteria, their sub-criteria. Codes are unique within the template.
Node = tuple[str, Decimal, str, str, str, str, list["Node"]]


def _n(
    code: str,
    weight: str,
    vi: str,
    en: str,
    g_vi: str = "",
    g_en: str = "",
    children: list[Node] | None = None,
) -> Node:
    return (code, Decimal(weight), vi, en, g_vi, g_en, children or [])


AREAS: list[Node] = [
    _n(
        "I",
        "1",
        "Công tác chỉ đạo, điều hành cải cách hành chính",
        "Direction and management of administrative reform",
        children=[
            _n(
                "I.1",
                "1",
                "Ban hành kế hoạch CCHC năm đúng thời hạn, đầy đủ nhiệm vụ",
                "The year's reform plan is issued on time and covers every task",
                "Đối chiếu kế hoạch, ngày ban hành và các nhiệm vụ được giao.",
                "Compare the plan, its date of issue and the tasks assigned.",
            ),
            _n(
                "I.2",
                "1",
                "Tự kiểm tra, báo cáo định kỳ về CCHC đúng quy định",
                "Self-inspection and periodic reform reports as required",
            ),
            _n(
                "I.3",
                "1",
                "Tuyên truyền, phổ biến về cải cách hành chính",
                "Information and awareness on administrative reform",
            ),
        ],
    ),
    _n(
        "II",
        "1",
        "Cải cách thể chế",
        "Institutional reform",
        children=[
            _n(
                "II.1",
                "1",
                "Xây dựng, ban hành văn bản quy phạm pháp luật theo thẩm quyền đúng quy trình",
                "Legal documents within its remit are drafted and issued by the prescribed procedure",
            ),
            _n(
                "II.2",
                "1",
                "Rà soát, hệ thống hóa và kiểm tra văn bản",
                "Review, systematisation and checking of legal documents",
            ),
        ],
    ),
    _n(
        "III",
        "2",
        "Cải cách thủ tục hành chính",
        "Administrative procedure reform",
        children=[
            _n(
                "III.1",
                "2",
                "Thực hiện cơ chế một cửa, một cửa liên thông",
                "One-stop shop and inter-agency one-stop shop",
                "Quan sát bộ phận tiếp nhận và trả kết quả; kiểm tra sổ theo dõi hồ sơ.",
                "Observe the reception and results desk; check the dossier register.",
                children=[
                    _n(
                        "III.1.a",
                        "1",
                        "Niêm yết công khai, đầy đủ thủ tục hành chính tại bộ phận một cửa",
                        "Every administrative procedure is posted at the one-stop desk",
                    ),
                    _n(
                        "III.1.b",
                        "1",
                        "Hồ sơ trễ hạn có văn bản xin lỗi và hẹn lại thời gian trả kết quả",
                        "Late dossiers get a written apology and a new date for the result",
                    ),
                    _n(
                        "III.1.c",
                        "1",
                        "Giải quyết thủ tục liên thông giữa các cơ quan đúng quy trình",
                        "Inter-agency procedures follow the joint process",
                    ),
                ],
            ),
            _n(
                "III.2",
                "1",
                "Rà soát, đơn giản hóa thủ tục hành chính",
                "Review and simplification of administrative procedures",
            ),
            _n(
                "III.3",
                "1",
                "Tiếp nhận, xử lý phản ánh, kiến nghị của người dân và doanh nghiệp",
                "Complaints and suggestions from citizens and businesses are received and handled",
            ),
        ],
    ),
    _n(
        "IV",
        "1",
        "Cải cách tổ chức bộ máy hành chính nhà nước",
        "Reform of the state administrative apparatus",
        children=[
            _n(
                "IV.1",
                "1",
                "Sắp xếp tổ chức bộ máy tinh gọn theo quy định",
                "The organisation is streamlined as required",
            ),
            _n(
                "IV.2",
                "2",
                "Thực hiện tinh giản biên chế đúng đối tượng, đúng quy trình",
                "Staff streamlining reaches the right people by the right procedure",
                "Đối chiếu danh sách tinh giản (nghỉ hưu trước tuổi, thôi việc ngay) với hồ sơ.",
                "Compare the streamlining list (early retirement, immediate resignation) with the files.",
            ),
            _n(
                "IV.3",
                "2",
                "Thực hiện cơ chế tự chủ của đơn vị sự nghiệp công lập",
                "Autonomy of public service units",
                (
                    "Tự chủ về nhiệm vụ, tổ chức bộ máy, nhân sự "
                    "(như Quyết định 4111/QĐ-UBND đối với 17 bệnh viện)."
                ),
                "Autonomy over tasks, organisation and staff (as Decision 4111/QĐ-UBND for 17 hospitals).",
            ),
        ],
    ),
    _n(
        "V",
        "2",
        "Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức",
        "Building the quality of cadres, civil servants and public employees",
        children=[
            _n(
                "V.1",
                "2",
                "Đánh giá, xếp loại cán bộ, công chức, viên chức hằng tháng",
                "Monthly evaluation and rating of cadres, civil servants and public employees",
                "Kiểm tra phiếu đánh giá các tháng gần nhất và kết quả xếp loại.",
                "Check the rating sheets of recent months and the ratings given.",
            ),
            _n(
                "V.2",
                "2",
                "Bố trí kiêm nhiệm chức danh không chuyên trách cấp xã và phụ cấp kiêm nhiệm 50 %",
                "Concurrent part-time commune titles and their 50 % allowance",
                (
                    "Người kiêm nhiệm chức danh thứ hai được hưởng phụ cấp "
                    "bằng 50 % mức phụ cấp của chức danh đó."
                ),
                "A person holding a second part-time title receives 50 % of that title's allowance.",
                children=[
                    _n(
                        "V.2.a",
                        "1",
                        "Số lượng người hoạt động không chuyên trách trong định mức",
                        "The number of part-time workers is within the quota",
                    ),
                    _n(
                        "V.2.b",
                        "1",
                        "Chi trả phụ cấp kiêm nhiệm đúng mức 50 %",
                        "The concurrent-title allowance is paid at 50 %",
                    ),
                ],
            ),
            _n(
                "V.3",
                "1",
                "Tuyển dụng, bổ nhiệm, thi tuyển chức danh lãnh đạo đúng quy định",
                "Recruitment, appointment and competitive exams for leadership posts as required",
            ),
        ],
    ),
    _n(
        "VI",
        "1",
        "Cải cách tài chính công",
        "Public finance reform",
        children=[
            _n(
                "VI.1",
                "1",
                "Thực hiện cơ chế tự chủ tài chính, quy chế chi tiêu nội bộ",
                "Financial autonomy and internal spending rules",
            ),
            _n(
                "VI.2",
                "1",
                "Công khai ngân sách; thu phí, lệ phí đúng danh mục",
                "Budget transparency; fees and charges only as listed",
            ),
        ],
    ),
    _n(
        "VII",
        "2",
        "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
        "E-government and digital government",
        children=[
            _n(
                "VII.1",
                "2",
                "Cung cấp dịch vụ công trực tuyến mức độ 3, 4",
                "Online public services at levels 3 and 4",
                "Tỷ lệ thủ tục mức độ 3, 4 và tỷ lệ hồ sơ nộp trực tuyến.",
                "Share of procedures at levels 3 and 4 and of dossiers filed online.",
            ),
            _n(
                "VII.2",
                "1",
                "Ứng dụng công nghệ thông tin trong quản lý văn bản, điều hành",
                "IT in document management and direction",
            ),
            _n(
                "VII.3",
                "1",
                "Xây dựng khu dân cư điện tử",
                "Electronic residential areas",
            ),
        ],
    ),
    _n(
        "VIII",
        "2",
        "Kỷ luật, kỷ cương hành chính trong thực thi công vụ",
        "Public-service discipline",
        children=[
            _n(
                "VIII.1",
                "2",
                "Chấp hành giờ giấc làm việc, đeo thẻ công chức",
                "Working hours kept; civil-service badges worn",
            ),
            _n(
                "VIII.2",
                "2",
                "Thái độ, văn hóa ứng xử khi tiếp dân và giải quyết công việc",
                "Conduct and courtesy towards citizens",
            ),
            _n(
                "VIII.3",
                "1",
                "Không có hành vi nhũng nhiễu, gây phiền hà cho người dân",
                "No harassment or undue burden on citizens",
            ),
        ],
    ),
]
