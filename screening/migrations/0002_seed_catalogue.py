"""Seed the catalogue: the 19 national items (women all; men 1–3, 6, 7, 9, 10, 11, 13, 18), their
structured result fields with reference and plausible ranges, and the rules that propose risk
factors and advice (docs/domain.md, Codes: screening items, risk factor domains).

Data frozen here on purpose: a county changes ranges and adds items in the admin site afterwards,
and this migration must keep seeding the same starting catalogue on a fresh database.
Ranges are common adult reference intervals (laboratories differ: that is why they are data).
"""
from django.db import migrations

MALE_ITEMS = {1, 2, 3, 6, 7, 9, 10, 11, 13, 18}
# (number, name, group)
ITEMS = [
    (1, "优生健康教育", "service"), (2, "病史询问", "exam"), (3, "体格检查", "exam"), (4, "阴道分泌物", "lab"),
    (5, "血常规", "lab"), (6, "尿常规", "lab"), (7, "血型", "lab"), (8, "血糖", "lab"), (9, "肝功能", "lab"),
    (10, "乙肝五项", "lab"), (11, "肾功能", "lab"), (12, "甲状腺功能", "lab"), (13, "梅毒", "lab"),
    (14, "风疹病毒", "lab"), (15, "巨细胞病毒", "lab"), (16, "弓形体", "lab"), (17, "妇科B超", "imaging"),
    (18, "风险评估和咨询指导", "service"), (19, "早孕和妊娠结局随访", "service"),
]
NEGPOS = [["neg", "阴性"], ["pos", "阳性"]]
NEG = ["neg"]
EITHER = ["neg", "pos"]
HAVE = [["no", "无"], ["yes", "有"]]
URINE = [["-", "−"], ["+-", "±"], ["1+", "+"], ["2+", "++"], ["3+", "+++"]]


def num(code, name, unit, low, high, p_low, p_high, decimals=1, male=None):
    field = dict(code=code, name=name, kind="number", unit=unit, decimals=decimals, ref_low=low, ref_high=high,
                 plausible_low=p_low, plausible_high=p_high)
    if male:
        field.update(ref_low_male=male[0], ref_high_male=male[1])
    return field


def choice(code, name, choices, normal):
    return dict(code=code, name=name, kind="choice", choices=choices, normal_values=normal)


def text(code, name):
    return dict(code=code, name=name, kind="text")


FIELDS = {
    2: [choice("hx_chronic", "慢性病史", HAVE, ["no"]), choice("hx_adverse", "不良孕产史", HAVE, ["no"]),
        choice("hx_genetic", "家族遗传病史", HAVE, ["no"]), choice("hx_exposure", "有毒有害物质接触", HAVE, ["no"]),
        text("hx_notes", "病史说明")],
    3: [num("bmi", "体重指数 BMI", "kg/m²", "18.5", "23.9", "10", "70"),
        num("sbp", "收缩压", "mmHg", "90", "139", "50", "260", decimals=0),
        num("dbp", "舒张压", "mmHg", "60", "89", "30", "160", decimals=0)],
    4: [choice("vag_clean", "清洁度", [["1", "Ⅰ度"], ["2", "Ⅱ度"], ["3", "Ⅲ度"], ["4", "Ⅳ度"]], ["1", "2"]),
        choice("vag_trich", "滴虫", NEGPOS, NEG), choice("vag_candida", "假丝酵母菌", NEGPOS, NEG),
        choice("vag_clue", "线索细胞", NEGPOS, NEG), choice("vag_amine", "胺试验", NEGPOS, NEG),
        choice("vag_ph", "pH", [["le45", "≤4.5"], ["gt45", ">4.5"]], ["le45"])],
    5: [num("hb", "血红蛋白 Hb", "g/L", "115", "150", "20", "250", decimals=0, male=("130", "175")),
        num("rbc", "红细胞 RBC", "×10¹²/L", "3.8", "5.1", "0.5", "10", decimals=2, male=("4.3", "5.8")),
        num("wbc", "白细胞 WBC", "×10⁹/L", "3.5", "9.5", "0.1", "100"),
        num("plt", "血小板 PLT", "×10⁹/L", "125", "350", "1", "2000", decimals=0)],
    6: [choice("u_pro", "尿蛋白", URINE, ["-"]), choice("u_glu", "尿糖", URINE, ["-"]),
        choice("u_ket", "酮体", URINE, ["-"]), choice("u_bld", "潜血", URINE, ["-"]),
        choice("u_leu", "白细胞", URINE, ["-"])],
    7: [choice("abo", "ABO 血型", [["A", "A 型"], ["B", "B 型"], ["O", "O 型"], ["AB", "AB 型"]], ["A", "B", "O", "AB"]),
        choice("rh", "Rh 血型", [["pos", "Rh 阳性"], ["neg", "Rh 阴性"]], ["pos"])],
    8: [num("glu", "空腹血糖", "mmol/L", "3.9", "6.1", "0.5", "50", decimals=2)],
    9: [num("alt", "丙氨酸氨基转移酶 ALT", "U/L", "7", "40", "0", "5000", decimals=0, male=("9", "50"))],
    10: [choice("hbsag", "乙肝表面抗原 HBsAg", NEGPOS, NEG), choice("hbsab", "乙肝表面抗体 HBsAb", NEGPOS, EITHER),
         choice("hbeag", "乙肝 e 抗原 HBeAg", NEGPOS, NEG), choice("hbeab", "乙肝 e 抗体 HBeAb", NEGPOS, EITHER),
         choice("hbcab", "乙肝核心抗体 HBcAb", NEGPOS, EITHER)],
    11: [num("cr", "肌酐 Cr", "µmol/L", "41", "73", "5", "3000", decimals=0, male=("57", "97"))],
    12: [num("tsh", "促甲状腺激素 TSH", "mIU/L", "0.27", "4.2", "0.001", "500", decimals=2)],
    13: [choice("syphilis", "梅毒螺旋体抗体", [["neg", "阴性"], ["pos", "阳性"], ["doubt", "可疑"]], NEG)],
    14: [choice("rubella_igg", "风疹病毒 IgG", NEGPOS, ["pos"])],
    15: [choice("cmv_igm", "巨细胞病毒 IgM", NEGPOS, NEG), choice("cmv_igg", "巨细胞病毒 IgG", NEGPOS, EITHER)],
    16: [choice("toxo_igm", "弓形体 IgM", NEGPOS, NEG), choice("toxo_igg", "弓形体 IgG", NEGPOS, EITHER)],
    17: [text("us_report", "报告编号"),
         choice("us_result", "B超结果", [["1", "正常"], ["0", "异常"], ["2", "不能确定"], ["3", "拒绝检查"]], ["1", "3"]),
         text("us_text", "异常描述")],
}

# (field code, when, value, domain, factor, advice)
RULES = [
    ("rubella_igg", "equals", "neg", "infection", "风疹病毒 IgG 阴性（易感）",
     "建议接种风疹疫苗，接种后避孕 3 个月再怀孕。"),
    ("hbsag", "equals", "pos", "infection", "乙肝表面抗原阳性",
     "建议转诊至感染科或肝病专科进一步检查（乙肝病毒 DNA、肝功能），在医生指导下计划怀孕；配偶未免疫者接种乙肝疫苗。"),
    ("syphilis", "abnormal", "", "infection", "梅毒螺旋体抗体阳性或可疑",
     "建议转诊至皮肤性病专科确诊，规范治疗后再计划怀孕，夫妇同查同治。"),
    ("cmv_igm", "equals", "pos", "infection", "巨细胞病毒 IgM 阳性（近期感染）",
     "建议暂缓怀孕，到专科复查，待 IgM 转阴后再计划怀孕。"),
    ("toxo_igm", "equals", "pos", "infection", "弓形体 IgM 阳性（近期感染）",
     "建议暂缓怀孕，到专科诊治；避免接触猫狗粪便，不吃未熟肉类。"),
    ("tsh", "abnormal", "", "chronic", "甲状腺功能异常（TSH 异常）",
     "建议内分泌科就诊，复查甲状腺功能；TSH 控制正常后再计划怀孕，孕期继续监测。"),
    ("hb", "low", "", "nutrition", "贫血",
     "建议查明贫血原因，补充铁剂和叶酸，多吃富含铁的食物，1 个月后复查血常规。"),
    ("glu", "high", "", "chronic", "空腹血糖升高",
     "建议内分泌科就诊，做口服葡萄糖耐量试验；控制血糖后再计划怀孕。"),
    ("alt", "high", "", "chronic", "肝功能异常（ALT 升高）",
     "建议消化科或肝病科就诊，查明原因，复查肝功能后再计划怀孕。"),
    ("cr", "high", "", "chronic", "肾功能异常（肌酐升高）",
     "建议肾内科就诊，评估能否妊娠。"),
    ("sbp", "high", "", "chronic", "血压偏高", "建议心内科就诊，控制血压后再计划怀孕，孕期监测血压。"),
    ("bmi", "low", "", "nutrition", "体重过低", "建议均衡营养，增加体重至正常范围后再计划怀孕。"),
    ("bmi", "high", "", "nutrition", "超重或肥胖", "建议合理膳食、适量运动，控制体重。"),
    ("vag_clean", "abnormal", "", "infection", "阴道清洁度异常（生殖道感染）", "建议妇科治疗生殖道感染后复查。"),
    ("vag_trich", "equals", "pos", "infection", "滴虫感染", "建议夫妇同治，治愈后再计划怀孕。"),
    ("vag_candida", "equals", "pos", "infection", "假丝酵母菌感染", "建议妇科治疗，治愈后再计划怀孕。"),
    ("us_result", "abnormal", "", "reproductive_abnormality", "妇科B超异常",
     "建议妇科专科进一步诊治（如子宫肌瘤、卵巢囊肿等），评估对妊娠的影响。"),
    ("rh", "equals", "neg", "genetic", "Rh 阴性血型",
     "建议孕期检测 Rh 抗体，到有条件的医院产检和分娩。"),
    ("hx_adverse", "equals", "yes", "adverse_reproductive", "不良孕产史",
     "建议到遗传咨询或产科门诊咨询，孕早期及时检查。"),
    ("hx_genetic", "equals", "yes", "genetic", "家族遗传病史", "建议做遗传咨询，必要时做产前诊断。"),
    ("hx_chronic", "equals", "yes", "chronic", "慢性病史", "建议专科评估病情，在医生指导下计划怀孕和调整用药。"),
    ("hx_exposure", "equals", "yes", "environment", "接触有毒有害物质",
     "建议脱离有毒有害环境至少 3 个月后再计划怀孕。"),
]


def seed(apps, schema_editor):
    Item = apps.get_model("screening", "ScreeningItem")
    Field = apps.get_model("screening", "ResultField")
    Rule = apps.get_model("screening", "RiskRule")
    items = {}
    for number, name, group in ITEMS:
        items[number], _ = Item.objects.get_or_create(
            number=number, defaults={"name": name, "group": group, "for_female": True,
                                     "for_male": number in MALE_ITEMS})
    fields = {}
    for number, specs in FIELDS.items():
        for order, spec in enumerate(specs, start=1):
            fields[spec["code"]], _ = Field.objects.get_or_create(
                code=spec["code"], defaults={**spec, "item": items[number], "sort_order": order})
    for order, (code, when, value, domain, factor, advice) in enumerate(RULES, start=1):
        Rule.objects.get_or_create(
            field=fields[code], when=when, value=value, factor=factor,
            defaults={"domain": domain, "advice": advice, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_catalogue_screenings_followups")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
