"""Masking personal data for pages and exports (PIPL "minimum necessary").

In core, the lowest layer, because core's exports mask ID numbers themselves; ``accounts.validators``
(the ID number's rules) re-exports it under the name every app already imports.
"""


def mask_id_number(value: str) -> str:
    """``11010519491231002X`` → ``110105********002X``: area code and last four stay readable."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * max(len(value) - 2, 0)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
