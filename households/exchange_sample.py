"""A realistic sample of the townships' sheet, for demos, manual testing and training.

Good rows in the township's own villages, written the way real sheets are (mixed date spellings,
codes and words, a lower-case x, an old 15-digit number), followed — unless asked not to — by one
bad row of each kind the preview reports. Deterministic for a given seed.
"""
import datetime
import random

from django.utils import timezone

from accounts.demo import demo_name
from accounts.validators import build_id_number

from . import sheets

# Not an area code the demo data uses: the sample's people are not registered yet.
SAMPLE_AREA_CODE = "411023"
TIMINGS = ["一年内", "两年内", "三年内", "更晚", "未计划", "1", "2"]
GROUPS = ["一组", "二组", "三组", "四组", "五组", "六组"]


def _date_text(day: datetime.date, style: int):
    return [day, day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
            day.strftime("%Y%m%d")][style % 5]


def sample_rows(*, villages: list[str], count: int = 20, seed: int = 1, with_errors: bool = True,
                foreign_village: str = "", today: datetime.date | None = None) -> list[dict]:
    """``count`` good rows (field → value) in ``villages``, then the bad rows."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    rows = []
    for n in range(count):
        wife_birth = today.replace(year=today.year - rng.randint(22, 40), day=min(today.day, 28))
        # 1–4 years older: married at her 21, he is past the legal age of 22 (no warning on a good row).
        husband_birth = wife_birth.replace(year=wife_birth.year - rng.randint(1, 4))
        husband_name, wife_name = demo_name(rng, "1"), demo_name(rng, "2")
        wife_id = build_id_number(SAMPLE_AREA_CODE, wife_birth, 2 * (n + 1))
        husband_id = build_id_number(SAMPLE_AREA_CODE, husband_birth, 2 * (n + 1) + 1)
        rows.append({
            "village": rng.choice(villages), "address": f"{rng.choice(GROUPS)} {n + 1} 号", "head_name": husband_name,
            "phone": f"13{rng.randint(100000000, 999999999)}", "hukou_type": rng.choice(["农业", "非农业", "2", "1"]),
            "wife_name": wife_name, "wife_id": wife_id.lower() if n % 7 == 3 else wife_id,
            "husband_name": husband_name, "husband_id": husband_id,
            "marriage_date": _date_text(wife_birth.replace(year=wife_birth.year + 21), n),
            "boys": rng.randint(0, 1), "girls": rng.randint(0, 1), "planned_timing": rng.choice(TIMINGS),
            "surveyed_on": _date_text(today - datetime.timedelta(days=rng.randint(1, 60)), n + 1), "notes": "",
        })
    # A legacy 15-digit number (born in the 1900s), converted on import with a warning.
    legacy = next((r for r in rows if r["husband_id"][6:8] == "19"), None)
    if legacy is not None:
        legacy["husband_id"] = legacy["husband_id"][:6] + legacy["husband_id"][8:17]
    if with_errors and rows:
        rows.extend(_bad_rows(rows[0], villages=villages, foreign_village=foreign_village, today=today))
    return rows


def _bad_rows(good: dict, *, villages, foreign_village, today) -> list[dict]:
    wife_birth = today.replace(year=today.year - 30, day=1)
    husband_birth = today.replace(year=today.year - 32, day=1)
    sequence = iter(range(900, 1000, 2))

    def bad(note, **changes):
        n = next(sequence)
        return {
            **good, "address": f"九组 {n} 号", "notes": note,
            "wife_id": build_id_number(SAMPLE_AREA_CODE, wife_birth, n),
            "husband_id": build_id_number(SAMPLE_AREA_CODE, husband_birth, n + 1), **changes,
        }

    valid = build_id_number(SAMPLE_AREA_CODE, wife_birth, 998)
    wrong_check = valid[:17] + ("1" if valid[17] != "1" else "2")
    too_old = wife_birth.replace(year=today.year - 55)
    return [
        bad("错误示例：身份证号校验位错误", wife_id=wrong_check),
        bad("错误示例：妻子身份证号为男性", wife_id=build_id_number(SAMPLE_AREA_CODE, wife_birth, 997)),
        bad("错误示例：妻子年龄超过 49 岁", wife_id=build_id_number(SAMPLE_AREA_CODE, too_old, 996)),
        bad("错误示例：本镇没有的村", village="不存在村"),
        *([bad("错误示例：其他镇/街道的村", village=foreign_village)] if foreign_village else []),
        bad("错误示例：缺少妻子姓名", wife_name=""),
        bad("错误示例：计划生育时间无法识别", planned_timing="马上"),
        bad("错误示例：同一身份证号出现两次", wife_id=build_id_number(SAMPLE_AREA_CODE, wife_birth, 994)),
        bad("错误示例：同一身份证号出现两次", wife_id=build_id_number(SAMPLE_AREA_CODE, wife_birth, 994)),
    ]


def sample_workbook(**kwargs) -> bytes:
    return sheets.template_workbook(rows=sample_rows(**kwargs), title="摸底登记表（样例）")
