"""Each couple's next step on the pathway, stored (``PathwayState``) so the queue is index reads.

What a couple's next step is and when it is due is decided by one SQL statement
(``selectors.queue.pathway_steps``) from the couple's register columns and its current
screening's pathway columns. Running it for every couple in scope on each request cost
130–450 ms at county scale, because the queue's order (overdue, high risk, earliest due) needs
every couple's answer. ``services.pathway_state`` stores the answer, one row per couple that
has a next step, and keeps it:

- in the same transaction as every write that changes the answer (screening services, the
  households services through ``households.signals.couples_changed``);
- when a date alone changes it: ``rank`` is "overdue" as of ``computed_on``, and ``valid_until``
  is the first day a date-driven branch turns (a pregnancy past the serum window, an exam past
  the early follow-up's close). A row is stale when ``valid_until <= today``, when it was not yet
  overdue and its due date has passed, or when it was computed for a later day; the queue
  refreshes stale rows in its scope before reading, and the nightly task refreshes them all.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Township


class Step(models.TextChoices):
    SCREEN = "screen", _("待孕前检查")
    COMPLETE = "complete", _("待完成检查")
    ASSESS = "assess", _("待风险评估")
    ADVISE = "advise", _("待告知转诊")
    EARLY = "early", _("待早孕随访")
    PRENATAL = "prenatal", _("待产前筛查")
    DIAGNOSIS = "diagnosis", _("待产前诊断")
    OUTCOME = "outcome", _("待妊娠结局随访")


class QueueRank(models.IntegerChoices):
    """The queue's order before the due date: overdue first, then high risk."""
    OVERDUE_HIGH_RISK = 0, _("逾期 · 高风险")
    OVERDUE = 1, _("逾期")
    HIGH_RISK = 2, _("高风险")
    OTHER = 3, _("其他")


class PathwayState(models.Model):
    couple = models.OneToOneField(
        "households.Couple", on_delete=models.CASCADE, primary_key=True, related_name="pathway_state",
        verbose_name=_("育龄夫妇"),
    )
    # The couple's own township (a household never changes township), for the clerk's index.
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("镇/街道"))
    step = models.CharField(_("下一步"), max_length=16, choices=Step.choices)
    due_on = models.DateField(_("应完成日期"), null=True)
    high_risk = models.BooleanField(_("高风险"))
    rank = models.PositiveSmallIntegerField(_("排序"), choices=QueueRank.choices)
    computed_on = models.DateField(_("计算日期"))
    valid_until = models.DateField(_("有效至"))

    class Meta:
        verbose_name = _("服务进度")
        verbose_name_plural = _("服务进度")
        indexes = [
            # The queue's order, county-wide and inside a township: a page is a range of one index.
            models.Index(fields=["rank", "due_on", "couple"], name="screening_pathway_order"),
            models.Index(fields=["township", "rank", "due_on", "couple"], name="screening_pathway_town_order"),
            # Rows a date made stale (see the module's docstring).
            models.Index(fields=["valid_until"], name="screening_pathway_valid"),
            models.Index(fields=["computed_on"], name="screening_pathway_computed"),
        ]

    def __str__(self):
        return f"{self.couple_id} {self.step} {self.due_on}"
