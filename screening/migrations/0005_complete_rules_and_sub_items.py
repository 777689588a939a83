"""Complete the seeded catalogue (docs/screening-rules.md):

- the sub-items the national forms have and 0002 lacked: 淋球菌 and 沙眼衣原体 under 阴道分泌物;
  生殖系统检查 under 体格检查 (item 3, so for both spouses); the white-cell differential in the
  blood count (five-part, reference intervals of WS/T 405-2012);
- a rule for every way a result can be judged abnormal, after the national pre-pregnancy risk
  assessment's mapping of findings to risk factors, or an explicit "no factor" entry with its
  reason where the finding is not a risk factor (e.g. a low ALT).

Data frozen here on purpose, like 0002: a county edits the catalogue in the admin site afterwards.
Rows a county has already created with the same code (field) or the same field, condition and
wording (rule) are left as they are.
"""
from django.db import migrations

NEGPOS = [["neg", "阴性"], ["pos", "阳性"]]

# (item number, sort order, field spec)
FIELDS = [
    (3, 4, dict(code="genital", name="生殖系统检查", kind="choice", choices=[["1", "未见异常"], ["0", "异常"]],
                normal_values=["1"])),
    (3, 5, dict(code="genital_text", name="生殖系统异常描述", kind="text")),
    (4, 7, dict(code="vag_gono", name="淋球菌", kind="choice", choices=NEGPOS, normal_values=["neg"])),
    (4, 8, dict(code="vag_chlam", name="沙眼衣原体", kind="choice", choices=NEGPOS, normal_values=["neg"])),
    (5, 4, dict(code="neut_pct", name="中性粒细胞 NEUT%", kind="number", unit="%", decimals=1,
                ref_low="40", ref_high="75", plausible_low="0", plausible_high="100")),
    (5, 5, dict(code="lymph_pct", name="淋巴细胞 LYMPH%", kind="number", unit="%", decimals=1,
                ref_low="20", ref_high="50", plausible_low="0", plausible_high="100")),
    (5, 6, dict(code="mono_pct", name="单核细胞 MONO%", kind="number", unit="%", decimals=1,
                ref_low="3", ref_high="10", plausible_low="0", plausible_high="100")),
    (5, 7, dict(code="eos_pct", name="嗜酸性粒细胞 EOS%", kind="number", unit="%", decimals=1,
                ref_low="0.4", ref_high="8.0", plausible_low="0", plausible_high="100")),
    (5, 8, dict(code="baso_pct", name="嗜碱性粒细胞 BASO%", kind="number", unit="%", decimals=1,
                ref_low="0", ref_high="1", plausible_low="0", plausible_high="100")),
]
# The differential sits under WBC: the platelet count moves after it.
REORDER = {"plt": (4, 9)}

BLOOD_RECHECK = "建议 2–4 周后复查血常规，查明原因；异常持续时到血液科就诊，在医生指导下计划怀孕。"
INFECTION_RECHECK = "建议 1–2 周后复查血常规，查明感染或血液系统疾病的原因，治愈后再计划怀孕。"
GENITAL_INFECTION = "建议夫妇同查同治，治愈并复查阴性后再计划怀孕。"
BV = "建议妇科治疗细菌性阴道病，治愈后复查再计划怀孕。"

# (field code, when, value, domain, factor, advice, no_factor_reason)
RULES = [
    ("dbp", "high", "", "chronic", "血压偏高", "建议心内科就诊，控制血压后再计划怀孕，孕期监测血压。", ""),
    ("sbp", "low", "", "", "", "", "血压偏低在孕前风险评估中不列为风险因素；有头晕、乏力等症状时由医生另行评估。"),
    ("dbp", "low", "", "", "", "", "血压偏低在孕前风险评估中不列为风险因素；有头晕、乏力等症状时由医生另行评估。"),
    ("genital", "abnormal", "", "reproductive_abnormality", "生殖系统检查异常",
     "建议妇科（女方）或男科、泌尿外科（男方）专科进一步诊治，评估对生育的影响。", ""),
    ("vag_clue", "equals", "pos", "infection", "细菌性阴道病", BV, ""),
    ("vag_amine", "equals", "pos", "infection", "细菌性阴道病", BV, ""),
    ("vag_ph", "equals", "gt45", "infection", "细菌性阴道病", BV, ""),
    ("vag_gono", "equals", "pos", "infection", "淋球菌感染（生殖道感染）", GENITAL_INFECTION, ""),
    ("vag_chlam", "equals", "pos", "infection", "沙眼衣原体感染（生殖道感染）", GENITAL_INFECTION, ""),
    ("hb", "high", "", "", "", "",
     "血红蛋白偏高多与脱水、吸烟或高原居住有关，孕前风险评估不列为风险因素；医生认为需要时可另加。"),
    ("rbc", "abnormal", "", "chronic", "红细胞计数异常（需复查）",
     "建议复查血常规，结合血红蛋白查明原因（必要时做地中海贫血筛查），在医生指导下计划怀孕。", ""),
    ("wbc", "abnormal", "", "infection", "白细胞计数异常（需复查）", INFECTION_RECHECK, ""),
    ("neut_pct", "abnormal", "", "infection", "白细胞分类异常（需复查）", INFECTION_RECHECK, ""),
    ("lymph_pct", "abnormal", "", "infection", "白细胞分类异常（需复查）", INFECTION_RECHECK, ""),
    ("mono_pct", "abnormal", "", "infection", "白细胞分类异常（需复查）", INFECTION_RECHECK, ""),
    ("eos_pct", "abnormal", "", "infection", "白细胞分类异常（需复查）", INFECTION_RECHECK, ""),
    ("baso_pct", "abnormal", "", "infection", "白细胞分类异常（需复查）", INFECTION_RECHECK, ""),
    ("plt", "low", "", "chronic", "血小板减少", BLOOD_RECHECK, ""),
    ("plt", "high", "", "chronic", "血小板增多（需复查）", BLOOD_RECHECK, ""),
    ("u_pro", "abnormal", "", "chronic", "尿蛋白阳性（肾脏疾病待查）",
     "建议复查尿常规，肾内科就诊查明原因，评估能否妊娠。", ""),
    ("u_glu", "abnormal", "", "chronic", "尿糖阳性（糖尿病待查）",
     "建议查空腹血糖或做口服葡萄糖耐量试验，内分泌科就诊；控制血糖后再计划怀孕。", ""),
    ("u_ket", "abnormal", "", "", "", "",
     "尿酮体阳性多因空腹、饥饿或呕吐，复查尿常规即可，不列为风险因素；同时尿糖阳性时由尿糖的规则提出。"),
    ("u_bld", "abnormal", "", "chronic", "尿潜血阳性（需复查）",
     "建议避开月经期复查尿常规；仍阳性时到肾内科或泌尿外科就诊。", ""),
    ("u_leu", "abnormal", "", "infection", "尿白细胞阳性（泌尿系感染待查）",
     "建议复查尿常规，必要时做尿培养，治愈后再计划怀孕。", ""),
    ("glu", "low", "", "", "", "", "空腹血糖偏低多与空腹过久有关，复查即可，不列为风险因素；反复偏低时由医生另行评估。"),
    ("alt", "low", "", "", "", "", "转氨酶低于参考下限没有临床意义，不列为风险因素。"),
    ("hbeag", "equals", "pos", "infection", "乙肝 e 抗原阳性（传染性强）",
     "建议感染科或肝病专科就诊，查乙肝病毒 DNA 和肝功能，在医生指导下计划怀孕；孕期做好母婴阻断，"
     "新生儿出生后及时接种乙肝疫苗和乙肝免疫球蛋白。", ""),
    ("cr", "low", "", "", "", "", "肌酐偏低多与肌肉量少有关，不列为风险因素。"),
]


def seed(apps, schema_editor):
    Item = apps.get_model("screening", "ScreeningItem")
    Field = apps.get_model("screening", "ResultField")
    Rule = apps.get_model("screening", "RiskRule")
    items = {item.number: item for item in Item.objects.filter(number__in={n for n, _o, _s in FIELDS})}
    for number, order, spec in FIELDS:
        if number in items:
            Field.objects.get_or_create(code=spec["code"], defaults={**spec, "item": items[number], "sort_order": order})
    for code, (old, new) in REORDER.items():
        Field.objects.filter(code=code, sort_order=old).update(sort_order=new)
    fields = {f.code: f for f in Field.objects.filter(code__in={r[0] for r in RULES})}
    start = max(Rule.objects.order_by("-sort_order").values_list("sort_order", flat=True)[:1] or [0])
    for order, (code, when, value, domain, factor, advice, reason) in enumerate(RULES, start=start + 1):
        if code in fields:
            Rule.objects.get_or_create(
                field=fields[code], when=when, value=value, factor=factor, no_factor_reason=reason,
                defaults={"domain": domain, "advice": advice, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("screening", "0004_rule_no_factor_reason")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
