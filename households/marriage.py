"""Marriage dates against the spouses' births (docs/register-rules.md, "Marriage dates").

One pure function, used by the register's services (``couple_create``, ``couple_update``: forms
and the walk-in registration) and by the Excel import's row checks, so every way in agrees:

- a marriage before either spouse was born is refused (an error);
- a marriage before the legal marriage age — 20 for the woman, 22 for the man (婚姻法 / 民法典
  第一千零四十七条) — is possible in a register (a customary marriage registered later, a typing
  slip) but unusual: the clerk is warned and must confirm, as with a likely duplicate. The import
  shows it as a row warning; confirming the import confirms it.
"""
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WIFE_MARRIAGE_AGE = 20
HUSBAND_MARRIAGE_AGE = 22


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class MarriageCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_marriage_date(marriage_date: datetime.date | None, *, wife_birth: datetime.date | None,
                        husband_birth: datetime.date | None) -> MarriageCheck:
    """What is wrong (errors) or unusual (warnings) about ``marriage_date``; a missing date or
    birth date is not checked."""
    result = MarriageCheck()
    if marriage_date is None:
        return result
    for who, birth, legal_age in ((_("妻子"), wife_birth, WIFE_MARRIAGE_AGE),
                                  (_("丈夫"), husband_birth, HUSBAND_MARRIAGE_AGE)):
        if birth is None:
            continue
        if marriage_date < birth:
            result.errors.append(_("结婚日期 %(m)s 早于%(who)s的出生日期 %(b)s，请核对。") % {
                "m": marriage_date.isoformat(), "who": who, "b": birth.isoformat()})
        elif age_on(birth, marriage_date) < legal_age:
            result.warnings.append(
                _("结婚时%(who)s %(age)d 岁，未到法定婚龄（%(legal)d 岁）。") % {
                    "who": who, "age": age_on(birth, marriage_date), "legal": legal_age})
    return result


class EarlyMarriage(ValidationError):
    """The marriage date is before a spouse's legal marriage age: the clerk must confirm it."""

    early_marriage = True  # callers outside households test this attribute, not the class

    def __init__(self, warnings):
        self.warnings = list(warnings)
        super().__init__(
            {"marriage_date": " ".join(self.warnings) + _("核对无误请勾选“确认结婚日期无误”后再保存。")},
            code="early_marriage")


def enforce_marriage_date(marriage_date, *, wife_birth, husband_birth, confirmed: bool) -> None:
    """Raise ``ValidationError`` on ``marriage_date`` for an error, ``EarlyMarriage`` for a warning
    not yet confirmed."""
    check = check_marriage_date(marriage_date, wife_birth=wife_birth, husband_birth=husband_birth)
    if check.errors:
        raise ValidationError({"marriage_date": check.errors})
    if check.warnings and not confirmed:
        raise EarlyMarriage(check.warnings)
