"""The demo scenario of the 2024 plan: Cần Đước district (Long An province) and
its grassroots chapters. Codes are stable so the seed can run again."""

from orgs.models import UnitKind as K

DEMO_PASSWORD = "kindsteps-demo"
ORGANISER_EMAIL = "organiser@kindsteps.demo"
PROVINCE_ORGANISER_EMAIL = "longan@kindsteps.demo"
PARTICIPANT_EMAIL = "participant@kindsteps.demo"
ADMIN_EMAIL = "admin@kindsteps.demo"

# (code, name, kind, parent code)
UNITS: list[tuple[str, str, str, str | None]] = [
    ("VN", "Trung ương Hội Chữ thập đỏ Việt Nam", K.NATIONAL, None),
    ("LA", "Hội Chữ thập đỏ tỉnh Long An", K.PROVINCE, "VN"),
    ("LA-CD", "Hội Chữ thập đỏ huyện Cần Đước", K.DISTRICT, "LA"),
    ("LA-CG", "Hội Chữ thập đỏ huyện Cần Giuộc", K.DISTRICT, "LA"),
    ("LA-CD-TT", "Hội CTĐ CS thị trấn Cần Đước", K.COMMUNE, "LA-CD"),
    *[
        (f"LA-CD-{code}", f"Hội CTĐ CS xã {name}", K.COMMUNE, "LA-CD")
        for code, name in [
            ("LTR", "Long Trạch"),
            ("LKH", "Long Khê"),
            ("LDI", "Long Định"),
            ("PVA", "Phước Vân"),
            ("LCA", "Long Cang"),
            ("LSO", "Long Sơn"),
            ("LHO", "Long Hòa"),
            ("TTR", "Tân Trạch"),
            ("MLE", "Mỹ Lệ"),
            ("TLA", "Tân Lân"),
            ("PTU", "Phước Tuy"),
            ("PDO", "Phước Đông"),
            ("TAN", "Tân Ân"),
            ("TCH", "Tân Chánh"),
            ("LHD", "Long Hựu Đông"),
            ("LHT", "Long Hựu Tây"),
        ]
    ],
    ("LA-CD-YT", "Hội CTĐ CS Trung tâm Y tế huyện Cần Đước", K.HEALTH, "LA-CD"),
    ("LA-CD-THPT-CD", "Hội CTĐ CS Trường THPT Cần Đước", K.SCHOOL, "LA-CD"),
    ("LA-CD-THPT-RK", "Hội CTĐ CS Trường THPT Rạch Kiến", K.SCHOOL, "LA-CD"),
    ("LA-CD-THPT-CVA", "Hội CTĐ CS Trường THPT Chu Văn An", K.SCHOOL, "LA-CD"),
    ("LA-CG-TT", "Hội CTĐ CS thị trấn Cần Giuộc", K.COMMUNE, "LA-CG"),
    ("LA-CG-PL", "Hội CTĐ CS xã Phước Lý", K.COMMUNE, "LA-CG"),
]
