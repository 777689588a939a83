"""Password rules beyond Django's own (GB/T 22239 practice: length and complexity)."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of the four kinds a password uses: lower case, upper case, digits, other."""
    kinds = (str.islower, str.isupper, str.isdigit)
    used = {i for ch in password for i, is_kind in enumerate(kinds) if is_kind(ch)}
    if any(not (ch.islower() or ch.isupper() or ch.isdigit()) for ch in password):
        used.add(3)
    return len(used)


class CharacterClassesValidator:
    """At least ``min_classes`` of the four kinds and ``min_distinct`` different characters.

    ``zhangsan`` (one kind) and ``qqqqqqqq1`` (two kinds) fail the first rule; ``Qqqqqqq1!``
    has four kinds but only four different characters and fails the second.
    """

    def __init__(self, min_classes: int = 3, min_distinct: int = 5):
        self.min_classes = min_classes
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(n)d 类。"),
                code="password_too_simple", params={"n": self.min_classes},
            )
        if len(set(password)) < self.min_distinct:
            raise ValidationError(
                _("密码中不同的字符太少（至少 %(n)d 个），请勿使用重复的字符。"),
                code="password_too_repetitive", params={"n": self.min_distinct},
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号四类中的至少 %(n)d 类，且不能全是重复字符。") % {
            "n": self.min_classes}
