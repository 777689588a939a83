"""Demo data for the org tree and one staff member per role (``seed_demo``).

Deterministic: names and codes come from fixed lists and a seeded RNG, and rows are upserted by
natural key (code, username), so a second run changes nothing.
"""
import random

from django.contrib.auth.hashers import make_password

from .models import Township, User, Village
from .roles import Role

# A fictional county; area code 411099 is not assigned to any real county.
COUNTY_CODE = "411099"
TOWNSHIP_NAMES = [
    ("城关镇", "town"), ("东关街道", "subdistrict"), ("西河镇", "town"), ("南岗镇", "town"),
    ("北山镇", "town"), ("石桥镇", "town"), ("柳林镇", "town"), ("白沙镇", "town"),
    ("青龙镇", "town"), ("双河镇", "town"), ("新集镇", "town"), ("马庄镇", "town"),
    ("桃园街道", "subdistrict"), ("杨湾镇", "town"), ("高店镇", "town"), ("龙泉镇", "town"),
]
VILLAGE_STEMS = [
    "李家", "王庄", "张湾", "刘营", "陈楼", "杨店", "赵岗", "黄河", "周寨", "吴桥", "徐集", "孙庄",
    "胡家", "朱楼", "高庙", "林场", "何湾", "郭店", "马岭", "罗家",
]
SCALES = {"small": {"townships": 4, "villages": 4}, "county": {"townships": 16, "villages": 12}}

DEMO_PASSWORD = "Demo@2026"
# (username, name, role, township index or None). Listed in the README.
DEMO_USERS = [
    ("clerk1", "张丽", Role.CLERK, 0),
    ("clerk2", "王芳", Role.CLERK, 1),
    ("bureau", "刘强", Role.BUREAU_STAFF, None),
    ("clinic", "陈静", Role.CLINICIAN, None),
    ("inspector", "赵刚", Role.INSPECTOR, None),
    ("leader", "李建国", Role.LEADER, None),
    ("auditor", "孙敏", Role.AUDITOR, None),
    ("admin", "周伟", Role.ADMIN, None),
]


def seed(*, rng: random.Random, scale: str, context: dict) -> dict:
    sizes = SCALES[scale]
    townships = []
    for i, (name, kind) in enumerate(TOWNSHIP_NAMES[: sizes["townships"]], start=1):
        code = f"{COUNTY_CODE}{i:03d}"
        township, _ = Township.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "sort_order": i}
        )
        townships.append(township)
        stems = VILLAGE_STEMS[:]
        random.Random(f"{code}").shuffle(stems)  # per township, stable across scales
        for j, stem in enumerate(stems[: sizes["villages"]], start=1):
            kind_v = "community" if township.kind == "subdistrict" else "village"
            suffix = "社区" if kind_v == "community" else "村"
            Village.objects.update_or_create(
                code=f"{code}{j:03d}", defaults={"township": township, "name": stem + suffix, "kind": kind_v}
            )
    # Hash once: PBKDF2 is deliberately slow, and every demo user shares the published password.
    password_hash = make_password(DEMO_PASSWORD)
    users = {}
    for username, name, role, township_index in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.password = password_hash
        user.name = name
        user.role = role
        user.township = townships[township_index] if township_index is not None else None
        user.phone = f"139{rng.randrange(10**8):08d}"
        user.save()
        users[username] = user
    # More clerks so every township has staff to assign (two per township).
    for township in townships:
        for k in (1, 2):
            username = f"clerk_{township.code[-3:]}_{k}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
                user.password = password_hash
            user.name = demo_name(random.Random(username))
            user.role = Role.CLERK
            user.township = township
            user.save()
            users[username] = user
    return {"townships": townships, "users": users}


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
FEMALE_CHARS = "秀英华兰芳玉梅丽娟敏静燕红霞艳娜婷雪琳慧倩颖洁晶欣怡佳蕾萍凤琴云"
MALE_CHARS = "伟强军磊勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帅峰龙建国成志新文"


def demo_name(rng: random.Random, sex: str | None = None) -> str:
    sex = sex or rng.choice("12")
    chars = MALE_CHARS if sex == "1" else FEMALE_CHARS
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given
