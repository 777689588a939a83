"""GB 11643-1999 citizen identity numbers (居民身份证号码).

18 characters: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male) and a
MOD 11-2 check character. ``parse_id_number`` returns what the number says; the validator is
usable on model and form fields alike.
"""
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number as mask_id_number  # masked on every page and export: core/masking.py

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # index = S mod 11


@dataclass(frozen=True)
class IdNumberInfo:
    number: str  # normalised: 18 characters, upper-case X
    birth_date: datetime.date
    sex: str  # GB/T 2261.1 code: "1" 男, "2" 女
    area_code: str


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=False)) % 11]


def normalise_id_number(value: str) -> str:
    """Strip blanks (sheets often have them) and accept a lower-case x."""
    return "".join(str(value).split()).upper()


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdNumberInfo:
    """Return the facts in an 18-character number, or raise ValidationError saying what is wrong."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("身份证号应为 18 位（当前 %(n)d 位）。"), code="id_length", params={"n": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号前 17 位应为数字，最后一位为数字或 X。"), code="id_chars")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不存在。"), code="id_birth_date", params={"d": number[6:14]}
        ) from None
    today = today or timezone.localdate()  # Asia/Shanghai: a baby born today is not "in the future"
    # 1800: the standard's own example (440524188001010014) is born in 1880 and must pass.
    if birth > today or birth.year < 1800:
        raise ValidationError(
            _("身份证号中的出生日期 %(d)s 不合理。"), code="id_birth_date", params={"d": number[6:14]}
        )
    if check_char(number[:17]) != number[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对是否输错。"), code="id_check_digit")
    sex = "1" if int(number[16]) % 2 else "2"
    return IdNumberInfo(number=number, birth_date=birth, sex=sex, area_code=number[:6])


@deconstructible
class IdNumberValidator:
    """Model/form validator for GB 11643 numbers (18 characters, MOD 11-2)."""

    def __call__(self, value):
        parse_id_number(value)

    def __eq__(self, other):
        return isinstance(other, IdNumberValidator)


validate_id_number = IdNumberValidator()


def build_id_number(area_code: str, birth_date: datetime.date, sequence: int) -> str:
    """Compose a valid 18-character number (demo data and tests). ``sequence`` odd = male."""
    first17 = f"{area_code[:6]}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_char(first17)
