"""Demo data from the source document (../shared/seed): Hanoi's 2019 CCHC inspection plan.

The article gives the plan, its targets (15 joint units, 28 surprise units, 4 cases), the
30 district-level units of 2019 and the 17 autonomous hospitals of Decision 4111/QĐ-UBND.
It does not name the hospitals, the team members or the cases: those below are
illustrative, and marked so in the README.
"""

from __future__ import annotations

from datetime import date

from inspections.units.models import DivisionType, UnitKind

CITY = ("ubnd-hn", "Ủy ban nhân dân thành phố Hà Nội", "Hanoi People's Committee")

DEPARTMENTS = [
    ("so-noivu", "Sở Nội vụ", "Department of Home Affairs"),
    ("vp-ubnd", "Văn phòng UBND Thành phố", "Office of the People's Committee"),
    ("so-tuphap", "Sở Tư pháp", "Department of Justice"),
    ("so-tttt", "Sở Thông tin và Truyền thông", "Department of Information and Communications"),
    ("so-taichinh", "Sở Tài chính", "Department of Finance"),
    ("so-khdt", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    ("so-yte", "Sở Y tế", "Department of Health"),
    ("so-gddt", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("so-xaydung", "Sở Xây dựng", "Department of Construction"),
    ("so-gtvt", "Sở Giao thông vận tải", "Department of Transport"),
    ("so-tnmt", "Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment"),
    ("so-ldtbxh", "Sở Lao động - Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs"),
    ("so-vhtt", "Sở Văn hóa và Thể thao", "Department of Culture and Sports"),
    ("so-congthuong", "Sở Công Thương", "Department of Industry and Trade"),
    (
        "so-nnptnt",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Department of Agriculture and Rural Development",
    ),
    ("so-khcn", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("thanhtra-tp", "Thanh tra Thành phố", "City Inspectorate"),
]

# The 30 district-level units of 2019: 12 urban districts, 17 rural districts, 1 town.
URBAN_DISTRICTS = [
    ("q-badinh", "Quận Ba Đình"),
    ("q-hoankiem", "Quận Hoàn Kiếm"),
    ("q-tayho", "Quận Tây Hồ"),
    ("q-longbien", "Quận Long Biên"),
    ("q-caugiay", "Quận Cầu Giấy"),
    ("q-dongda", "Quận Đống Đa"),
    ("q-haibatrung", "Quận Hai Bà Trưng"),
    ("q-hoangmai", "Quận Hoàng Mai"),
    ("q-thanhxuan", "Quận Thanh Xuân"),
    ("q-namtuliem", "Quận Nam Từ Liêm"),
    ("q-bactuliem", "Quận Bắc Từ Liêm"),
    ("q-hadong", "Quận Hà Đông"),
]
RURAL_DISTRICTS = [
    ("h-socson", "Huyện Sóc Sơn"),
    ("h-donganh", "Huyện Đông Anh"),
    ("h-gialam", "Huyện Gia Lâm"),
    ("h-thanhtri", "Huyện Thanh Trì"),
    ("h-melinh", "Huyện Mê Linh"),
    ("h-bavi", "Huyện Ba Vì"),
    ("h-phuctho", "Huyện Phúc Thọ"),
    ("h-danphuong", "Huyện Đan Phượng"),
    ("h-hoaiduc", "Huyện Hoài Đức"),
    ("h-quocoai", "Huyện Quốc Oai"),
    ("h-thachthat", "Huyện Thạch Thất"),
    ("h-chuongmy", "Huyện Chương Mỹ"),
    ("h-thanhoai", "Huyện Thanh Oai"),
    ("h-thuongtin", "Huyện Thường Tín"),
    ("h-phuxuyen", "Huyện Phú Xuyên"),
    ("h-unghoa", "Huyện Ứng Hòa"),
    ("h-myduc", "Huyện Mỹ Đức"),
]
TOWNS = [("tx-sontay", "Thị xã Sơn Tây")]

# (code, name, district code, division type)
COMMUNES = [
    ("p-dienbien", "Phường Điện Biên", "q-badinh", DivisionType.WARD),
    ("p-hangbac", "Phường Hàng Bạc", "q-hoankiem", DivisionType.WARD),
    ("p-thuongthanh", "Phường Thượng Thanh", "q-longbien", DivisionType.WARD),
    ("p-quangtrung-hd", "Phường Quang Trung", "q-hadong", DivisionType.WARD),
    ("p-khuongtrung", "Phường Khương Trung", "q-thanhxuan", DivisionType.WARD),
    ("x-battrang", "Xã Bát Tràng", "h-gialam", DivisionType.COMMUNE),
    ("tt-trauquy", "Thị trấn Trâu Quỳ", "h-gialam", DivisionType.TOWNSHIP),
    ("x-kimchung", "Xã Kim Chung", "h-donganh", DivisionType.COMMUNE),
    ("x-tanlinh", "Xã Tản Lĩnh", "h-bavi", DivisionType.COMMUNE),
]

# The 17 hospitals given autonomy by Decision 4111/QĐ-UBND of 31/7/2019 (names illustrative).
HOSPITALS = [
    ("bv-xanhpon", "Bệnh viện Đa khoa Xanh Pôn", "q-badinh"),
    ("bv-thanhnhan", "Bệnh viện Thanh Nhàn", "q-haibatrung"),
    ("bv-ducgiang", "Bệnh viện Đa khoa Đức Giang", "q-longbien"),
    ("bv-hadong", "Bệnh viện Đa khoa Hà Đông", "q-hadong"),
    ("bv-timhn", "Bệnh viện Tim Hà Nội", "q-hoankiem"),
    ("bv-phusanhn", "Bệnh viện Phụ sản Hà Nội", "q-badinh"),
    ("bv-ungbuouhn", "Bệnh viện Ung bướu Hà Nội", "q-hoangmai"),
    ("bv-mathn", "Bệnh viện Mắt Hà Nội", "q-haibatrung"),
    ("bv-dalieuhn", "Bệnh viện Da liễu Hà Nội", "q-dongda"),
    ("bv-nhihn", "Bệnh viện Nhi Hà Nội", "q-namtuliem"),
    ("bv-dongda", "Bệnh viện Đa khoa Đống Đa", "q-dongda"),
    ("bv-bacthanglong", "Bệnh viện Bắc Thăng Long", "h-donganh"),
    ("bv-thanhn", "Bệnh viện Thận Hà Nội", "q-dongda"),
    ("bv-yhctHN", "Bệnh viện Y học cổ truyền Hà Nội", "q-hadong"),
    ("bv-sontay", "Bệnh viện Đa khoa Sơn Tây", "tx-sontay"),
    ("bv-vandinh", "Bệnh viện Đa khoa Vân Đình", "h-unghoa"),
    ("bv-melinh", "Bệnh viện Đa khoa Mê Linh", "h-melinh"),
]

# Where each demo unit's office is (the departments' and hospitals' as published; the
# wards' and communes' people's committees illustrative): shown on the team's visit cards.
ADDRESSES = {
    "ubnd-hn": "12 Lê Lai, Hoàn Kiếm, Hà Nội",
    "so-noivu": "18B Lê Thánh Tông, Hoàn Kiếm, Hà Nội",
    "vp-ubnd": "12 Lê Lai, Hoàn Kiếm, Hà Nội",
    "so-tuphap": "1B Trần Phú, Hà Đông, Hà Nội",
    "so-tttt": "185 Giảng Võ, Đống Đa, Hà Nội",
    "so-taichinh": "38B Hai Bà Trưng, Hoàn Kiếm, Hà Nội",
    "so-khdt": "16 Cát Linh, Đống Đa, Hà Nội",
    "so-yte": "4 Sơn Tây, Ba Đình, Hà Nội",
    "so-gddt": "23 Quang Trung, Hoàn Kiếm, Hà Nội",
    "so-xaydung": "52 Lê Đại Hành, Hai Bà Trưng, Hà Nội",
    "so-gtvt": "2 Phùng Hưng, Hà Đông, Hà Nội",
    "so-tnmt": "18 Huỳnh Thúc Kháng, Đống Đa, Hà Nội",
    "so-ldtbxh": "75 Nguyễn Chí Thanh, Đống Đa, Hà Nội",
    "so-vhtt": "47 Hàng Dầu, Hoàn Kiếm, Hà Nội",
    "so-congthuong": "331 Cầu Giấy, Cầu Giấy, Hà Nội",
    "so-nnptnt": "38 Tô Hiệu, Hà Đông, Hà Nội",
    "so-khcn": "5 Nguyễn Trãi, Hà Đông, Hà Nội",
    "thanhtra-tp": "5 Lê Lai, Hoàn Kiếm, Hà Nội",
    "q-badinh": "25 Liễu Giai, Ba Đình, Hà Nội",
    "q-hoankiem": "126 Hàng Trống, Hoàn Kiếm, Hà Nội",
    "q-tayho": "657 Lạc Long Quân, Tây Hồ, Hà Nội",
    "q-longbien": "1 Vạn Hạnh, Việt Hưng, Long Biên, Hà Nội",
    "q-caugiay": "36 Cầu Giấy, Cầu Giấy, Hà Nội",
    "q-dongda": "1 Lý Văn Phức, Đống Đa, Hà Nội",
    "q-haibatrung": "30 Lê Đại Hành, Hai Bà Trưng, Hà Nội",
    "q-hoangmai": "8 ngõ 6 Bùi Huy Bích, Hoàng Mai, Hà Nội",
    "q-thanhxuan": "9 Khương Đình, Thanh Xuân, Hà Nội",
    "q-namtuliem": "125 Hồ Tùng Mậu, Nam Từ Liêm, Hà Nội",
    "q-bactuliem": "1 Kỳ Vũ, Thụy Phương, Bắc Từ Liêm, Hà Nội",
    "q-hadong": "1 Hoàng Hoa Thám, Quang Trung, Hà Đông, Hà Nội",
    "h-socson": "1 Núi Đôi, thị trấn Sóc Sơn, Sóc Sơn, Hà Nội",
    "h-donganh": "68 Cao Lỗ, thị trấn Đông Anh, Đông Anh, Hà Nội",
    "h-gialam": "1 Cổ Bi, thị trấn Trâu Quỳ, Gia Lâm, Hà Nội",
    "h-thanhtri": "375 Ngọc Hồi, thị trấn Văn Điển, Thanh Trì, Hà Nội",
    "h-melinh": "Xã Đại Thịnh, Mê Linh, Hà Nội",
    "h-bavi": "Thị trấn Tây Đằng, Ba Vì, Hà Nội",
    "h-phuctho": "Thị trấn Phúc Thọ, Phúc Thọ, Hà Nội",
    "h-danphuong": "Thị trấn Phùng, Đan Phượng, Hà Nội",
    "h-hoaiduc": "Thị trấn Trạm Trôi, Hoài Đức, Hà Nội",
    "h-quocoai": "Thị trấn Quốc Oai, Quốc Oai, Hà Nội",
    "h-thachthat": "Thị trấn Liên Quan, Thạch Thất, Hà Nội",
    "h-chuongmy": "Thị trấn Chúc Sơn, Chương Mỹ, Hà Nội",
    "h-thanhoai": "Thị trấn Kim Bài, Thanh Oai, Hà Nội",
    "h-thuongtin": "Thị trấn Thường Tín, Thường Tín, Hà Nội",
    "h-phuxuyen": "Thị trấn Phú Xuyên, Phú Xuyên, Hà Nội",
    "h-unghoa": "Thị trấn Vân Đình, Ứng Hòa, Hà Nội",
    "h-myduc": "Thị trấn Đại Nghĩa, Mỹ Đức, Hà Nội",
    "tx-sontay": "1 Phó Đức Chính, Lê Lợi, Sơn Tây, Hà Nội",
    "p-dienbien": "2 Lê Trực, Điện Biên, Ba Đình, Hà Nội",
    "p-hangbac": "44 Hàng Bạc, Hàng Bạc, Hoàn Kiếm, Hà Nội",
    "p-thuongthanh": "Tổ 1, Thượng Thanh, Long Biên, Hà Nội",
    "p-quangtrung-hd": "2 Trưng Nhị, Quang Trung, Hà Đông, Hà Nội",
    "p-khuongtrung": "237 Khương Trung, Khương Trung, Thanh Xuân, Hà Nội",
    "x-battrang": "Thôn Giang Cao, Bát Tràng, Gia Lâm, Hà Nội",
    "tt-trauquy": "Ngô Xuân Quảng, Trâu Quỳ, Gia Lâm, Hà Nội",
    "x-kimchung": "Thôn Bầu, Kim Chung, Đông Anh, Hà Nội",
    "x-tanlinh": "Thôn Lặt, Tản Lĩnh, Ba Vì, Hà Nội",
    "bv-xanhpon": "12 Chu Văn An, Ba Đình, Hà Nội",
    "bv-thanhnhan": "42 Thanh Nhàn, Hai Bà Trưng, Hà Nội",
    "bv-ducgiang": "54 Trường Lâm, Đức Giang, Long Biên, Hà Nội",
    "bv-hadong": "2 Bế Văn Đàn, Quang Trung, Hà Đông, Hà Nội",
    "bv-timhn": "92 Trần Hưng Đạo, Hoàn Kiếm, Hà Nội",
    "bv-phusanhn": "929 La Thành, Ngọc Khánh, Ba Đình, Hà Nội",
    "bv-ungbuouhn": "Lĩnh Nam, Hoàng Mai, Hà Nội",
    "bv-mathn": "37 Minh Khai, Hai Bà Trưng, Hà Nội",
    "bv-dalieuhn": "79B Nguyễn Khuyến, Đống Đa, Hà Nội",
    "bv-nhihn": "Tây Mỗ, Nam Từ Liêm, Hà Nội",
    "bv-dongda": "192 Nguyễn Lương Bằng, Đống Đa, Hà Nội",
    "bv-bacthanglong": "Thị trấn Đông Anh, Đông Anh, Hà Nội",
    "bv-thanhn": "70 Nguyễn Chí Thanh, Đống Đa, Hà Nội",
    "bv-yhctHN": "99 Nguyễn Viết Xuân, Hà Đông, Hà Nội",
    "bv-sontay": "304 Lê Lợi, Sơn Tây, Hà Nội",
    "bv-vandinh": "Thị trấn Vân Đình, Ứng Hòa, Hà Nội",
    "bv-melinh": "Thôn Phú Mỹ, Tự Lập, Mê Linh, Hà Nội",
}

PLAN = {
    "year": 2019,
    "title": "Kế hoạch kiểm tra công tác cải cách hành chính năm 2019",
    "number": None,  # the article gives no number
    "issued_on": None,
    "window_start": date(2019, 3, 1),
    "window_end": date(2019, 12, 20),
    "content_areas": (
        "Công tác chỉ đạo, điều hành CCHC; cải cách thể chế; cải cách thủ tục hành chính "
        "(một cửa, một cửa liên thông; dịch vụ công trực tuyến mức độ 3, 4); cải cách tổ chức "
        "bộ máy (tự chủ của đơn vị sự nghiệp công lập; tinh giản biên chế); xây dựng và nâng "
        "cao chất lượng đội ngũ cán bộ, công chức, viên chức (đánh giá, xếp loại hàng tháng; "
        "kiêm nhiệm chức danh không chuyên trách cấp xã); cải cách tài chính công; "
        "xây dựng chính quyền điện tử; kỷ luật, kỷ cương hành chính."
    ),
    "targets": {"joint": 15, "surprise": 28, "case": 4},
}

# (username, full name, role, home unit code)
ACCOUNTS = [
    ("admin", "Quản trị hệ thống", "admin", "so-noivu"),
    ("coordinator", "Nguyễn Thị Lan", "coordinator", "so-noivu"),
    ("observer", "Trần Văn Hùng", "observer", "vp-ubnd"),
    ("leader.joint", "Lê Minh Tuấn", "inspector", "so-noivu"),
    ("leader.surprise", "Phạm Thu Hà", "inspector", "so-noivu"),
    ("member", "Đỗ Quang Huy", "inspector", "so-tuphap"),
    ("inspector.tttt", "Vũ Thị Mai", "inspector", "so-tttt"),
    ("inspector.vp", "Hoàng Đức Anh", "inspector", "vp-ubnd"),
    ("inspector.thanhtra", "Bùi Văn Nam", "inspector", "thanhtra-tp"),
    ("contact.q-hadong", "Nguyễn Văn Bình", "unit_contact", "q-hadong"),
    ("contact.h-gialam", "Trịnh Thị Hoa", "unit_contact", "h-gialam"),
    ("contact.bv-xanhpon", "Đặng Minh Châu", "unit_contact", "bv-xanhpon"),
    ("contact.p-dienbien", "Lý Thị Ngọc", "unit_contact", "p-dienbien"),
]

# (name, kind, decision number, decision date, signer, [(username, team role)])
TEAMS = [
    (
        "Đoàn kiểm tra liên ngành CCHC năm 2019",
        "joint",
        "1234/QĐ-UBND",
        date(2019, 3, 15),
        "Chủ tịch UBND Thành phố",
        [
            ("leader.joint", "head"),
            ("member", "deputy"),
            ("inspector.tttt", "member"),
            ("inspector.vp", "secretary"),
        ],
    ),
    (
        "Đoàn Kiểm tra công vụ Thành phố",
        "public_service",
        "1235/QĐ-UBND",
        date(2019, 3, 15),
        "Chủ tịch UBND Thành phố",
        [
            ("leader.surprise", "head"),
            ("inspector.thanhtra", "deputy"),
            ("member", "member"),
        ],
    ),
]

# (reference, source, unit code, title, summary, received on) — illustrative intake records.
CASES = [
    (
        "VV-2019-01",
        "complaint",
        "h-gialam",
        "Hồ sơ đất đai trễ hạn tại bộ phận một cửa",
        "Công dân phản ánh hồ sơ cấp giấy chứng nhận quyền sử dụng đất nộp tại bộ phận một cửa "
        "huyện quá hạn giải quyết 20 ngày mà không có văn bản xin lỗi, hẹn lại.",
        date(2019, 5, 6),
    ),
    (
        "VV-2019-02",
        "press",
        "p-dienbien",
        "Phản ánh của báo chí về thái độ công chức tiếp dân",
        "Báo điện tử phản ánh công chức bộ phận tiếp nhận và trả kết quả của phường có thái "
        "độ thiếu chuẩn mực khi hướng dẫn thủ tục chứng thực.",
        date(2019, 6, 12),
    ),
    (
        "VV-2019-03",
        "hotline",
        "bv-xanhpon",
        "Đường dây nóng: thu phí ngoài quy định",
        "Người bệnh phản ánh qua đường dây nóng việc thu thêm chi phí ngoài danh mục khi làm "
        "thủ tục nhập viện.",
        date(2019, 8, 20),
    ),
    (
        "VV-2019-04",
        "referral",
        "q-hadong",
        "Chuyển đơn: đánh giá, xếp loại công chức hàng tháng",
        "Thanh tra Thành phố chuyển đơn phản ánh việc đánh giá, xếp loại hằng tháng công chức "
        "tại một phòng chuyên môn chưa đúng quy định.",
        date(2019, 9, 10),
    ),
]


def district_units() -> list[tuple[str, str, UnitKind, DivisionType]]:
    return (
        [(c, n, UnitKind.DISTRICT, DivisionType.URBAN_DISTRICT) for c, n in URBAN_DISTRICTS]
        + [(c, n, UnitKind.DISTRICT, DivisionType.RURAL_DISTRICT) for c, n in RURAL_DISTRICTS]
        + [(c, n, UnitKind.DISTRICT, DivisionType.TOWN) for c, n in TOWNS]
    )


# The 15 units the joint team inspects (illustrative): none is the home unit of a member,
# nor above or below one, so no conflict of interest needs an override.
JOINT_TARGETS = [
    "so-yte",
    "so-gddt",
    "so-xaydung",
    "so-gtvt",
    "so-tnmt",
    "q-badinh",
    "q-hoankiem",
    "q-longbien",
    "q-caugiay",
    "q-hadong",
    "q-thanhxuan",
    "h-gialam",
    "h-donganh",
    "h-socson",
    "tx-sontay",
]
# The public-service team's 28 surprise targets are drawn from districts, communes and
# public service units. A fixed seed keeps the demo the same on every machine; a real draw
# makes a fresh secret seed.
SURPRISE_DRAW = {"count": 28, "seed": "demo-cchc-2019-surprise-draw"}
