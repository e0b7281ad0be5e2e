"""Vietnam's provinces and centrally-run cities, for the profile's province field.

The 34 provincial-level units in force since the 2025 reorganisation (National
Assembly Resolution 202/2025/QH15), in Vietnamese alphabetical order
(docs/decisions/0035-province-list.md). Stored as their name, as before: a
profile that already holds another name (an older province) keeps it as a choice.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

PROVINCES: tuple[str, ...] = (
    "An Giang",
    "Bắc Ninh",
    "Cà Mau",
    "Cao Bằng",
    "Cần Thơ",
    "Đà Nẵng",
    "Đắk Lắk",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Phòng",
    "Thành phố Hồ Chí Minh",
    "Huế",
    "Hưng Yên",
    "Khánh Hòa",
    "Lai Châu",
    "Lạng Sơn",
    "Lào Cai",
    "Lâm Đồng",
    "Nghệ An",
    "Ninh Bình",
    "Phú Thọ",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sơn La",
    "Tây Ninh",
    "Thái Nguyên",
    "Thanh Hóa",
    "Tuyên Quang",
    "Vĩnh Long",
)


def province_choices(current: str = "") -> list[tuple[str, str]]:
    choices = [("", _("Choose your province or city"))]
    if current and current not in PROVINCES:
        choices.append((current, current))
    return choices + [(name, name) for name in PROVINCES]


class ProvinceField(forms.ChoiceField):
    """A select of the provinces; ``keep`` (the stored value) stays a valid choice."""

    def __init__(self, *, keep: str = "", **kwargs) -> None:
        kwargs.setdefault("label", _("Province / city"))
        kwargs.setdefault("required", False)
        super().__init__(choices=province_choices(keep), **kwargs)
        self.widget.attrs.setdefault("autocomplete", "address-level1")
