"""Rectifications (整改) and supervision visits (督导): every write, audited, one transaction each.

The life cycle (docs/assessment.md "Rectifications"), every step a ``RectificationStep`` row
(who, when, from, to, why):

- **assign** (leaders, granted assessors): a problem of a built weekly report, every problem of a
  week at once, or what a supervision visit agreed → 待整改, with a deadline (default: the next
  Monday briefing) and a responsible clerk of that township;
- **report** (a clerk of that township): 待整改 or 已退回 → 待验收, with what was done and
  optionally photos or files, checked by content like enforcement evidence (``core.filetypes``);
- **accept** (leaders, assessors): 待验收 → 已完成; **return** with a reason: 待验收 → 已退回.
  Nobody accepts or returns a rectification they reported themselves.

Overdue is not a step: a rectification not accepted by its deadline is overdue from the next day,
computed from the deadline and today wherever it is shown (nobody has to touch it). When the
year's scheme counts the on-time rate in the regular score (``Scheme.rectification_points``),
every write recomputes that year like any other input.
"""
import datetime
import hashlib
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.roles import Cap, Role
from accounts.services import audit_log
from core.filetypes import JPEG, PNG, RefusedFile, identify
from core.images import RefusedImage, checked_image
from core.indicators import all_indicators

from ..models import (
    Liaison,
    Rectification,
    RectificationFile,
    RectificationStep,
    Scheme,
    SupervisionVisit,
    WeeklyReport,
    WeeklyReportSection,
)
from ..permissions import (
    CapabilityDenied,
    can_report_rectification,
    require_rectification_manage,
    require_supervision_record,
)
from ..weeks import WEEK, monday_of
from ..weekly_rules import problem_text
from .scoring import _recompute, lock_year

Status = Rectification.Status
CHUNK = 64 * 1024


def next_briefing(today: datetime.date | None = None) -> datetime.date:
    """The next Monday briefing after ``today``: the default deadline."""
    return monday_of(today or timezone.localdate()) + WEEK


def township_clerks(township_id):
    """The active clerks of a township: who may be made responsible."""
    return User.objects.filter(role=Role.CLERK, township_id=township_id, is_active=True).order_by("name", "username")


def _check_assignment(*, township, task: str, deadline, responsible, today) -> str:
    errors = {}
    task = (task or "").strip()
    if not task:
        errors["task"] = _("请写明整改要求。")
    if deadline is None:
        errors["deadline"] = _("请填写整改期限。")
    elif deadline < today:
        errors["deadline"] = _("整改期限不能早于今天。")
    if responsible is None or responsible.role != Role.CLERK or responsible.township_id != township.pk \
            or not responsible.is_active:
        errors["responsible"] = _("责任人须是%(township)s的在岗镇街专干。") % {"township": township.name}
    if errors:
        raise ValidationError(errors)
    return task


def _step(rect: Rectification, *, by, to_status: str, note: str, at=None, first: bool = False) -> RectificationStep:
    """The step row: from the rectification's current status (none for the first) to ``to_status``."""
    return RectificationStep.objects.create(rectification=rect, actor=by, at=at or timezone.now(),
                                            from_status="" if first else rect.status, to_status=to_status, note=note)


def _audit(rect: Rectification, *, by, request, action=AuditEvent.Action.UPDATE, detail: str) -> None:
    audit_log(action=action, request=request, user=by, obj=rect, township_id=rect.township_id,
              detail=f"rectification {rect.pk}: {detail}"[:255])


def _recompute_if_counted(year: int) -> None:
    """The on-time rate is an input of the year's score only when the scheme counts it."""
    if Scheme.objects.filter(year=year, rectification_points__gt=0, is_closed=False).exists():
        lock_year(year)
        _recompute(year)


def _create(*, by, township, source, task, deadline, responsible, report=None, visit=None, problem=None,
            request=None, today=None) -> Rectification:
    today = today or timezone.localdate()
    task = _check_assignment(township=township, task=task, deadline=deadline, responsible=responsible, today=today)
    rule = (problem or {}).get("rule", "")
    if report is not None and Rectification.objects.filter(report=report, township=township, rule=rule).exists():
        raise ValidationError(_("这个问题已经交办过了。"))
    rect = Rectification.objects.create(
        township=township, source=source, report=report, visit=visit, rule=rule, problem=problem or {},
        task=task, deadline=deadline, responsible=responsible, status=Status.OPEN, created_by=by)
    _step(rect, by=by, to_status=Status.OPEN, note=task, first=True)
    _audit(rect, by=by, request=request, action=AuditEvent.Action.CREATE,
           detail=f"assigned ({source}) to {responsible.username}, deadline {deadline}")
    _recompute_if_counted(deadline.year)
    return rect


# --- Assign -----------------------------------------------------------------------------------------
def _problem_of(section: WeeklyReportSection, index: int) -> dict:
    """A section's stored problem as the rectification keeps it: rule, parameters, text, the list behind it."""
    try:
        stored = section.problems[index]
    except (IndexError, TypeError):
        raise ValidationError(_("通报中没有这个问题，请刷新页面后重试。")) from None
    start = section.report.week_start
    url = ""
    indicator = next((i for i in all_indicators() if i.key == stored.get("indicator")), None)
    if indicator is not None and indicator.drilldown:
        try:
            url = reverse(indicator.drilldown) + "?" + urlencode({
                "township": section.township_id, "start": start.isoformat(), "end": (start + WEEK).isoformat()})
        except NoReverseMatch:
            url = ""
    return {"rule": stored.get("rule", ""), "params": stored.get("params", {}), "text": problem_text(stored),
            "indicator": stored.get("indicator"), "url": url, "week": start.isoformat()}


def default_task(problem: dict) -> str:
    return _("按每周通报整改：%(problem)s") % {"problem": problem.get("text", "")}


@transaction.atomic
def rectification_assign_problem(*, by, section: WeeklyReportSection, index: int, task: str = "",
                                 deadline: datetime.date, responsible, request=None) -> Rectification:
    """One problem of a built weekly report's township section → a rectification of that township."""
    require_rectification_manage(by)
    problem = _problem_of(section, index)
    return _create(by=by, township=section.township, source=Rectification.Source.WEEKLY, report=section.report,
                   problem=problem, task=task or default_task(problem), deadline=deadline, responsible=responsible,
                   request=request)


@transaction.atomic
def rectification_assign_week(*, by, report: WeeklyReport, deadline: datetime.date | None = None,
                              request=None) -> tuple[list[Rectification], list[str]]:
    """Every problem of the week not assigned yet, each to its township's first active clerk.

    Returns (the rectifications made, the names of townships skipped for want of a clerk).
    """
    require_rectification_manage(by)
    deadline = deadline or next_briefing()
    sections = list(report.sections.select_related("township", "report").order_by("position"))
    done = set(Rectification.objects.filter(report=report).values_list("township_id", "rule"))
    clerks = {}
    for clerk in User.objects.filter(role=Role.CLERK, is_active=True,
                                     township_id__in=[s.township_id for s in sections]).order_by("name", "username"):
        clerks.setdefault(clerk.township_id, clerk)
    made, skipped = [], []
    for section in sections:
        for index, stored in enumerate(section.problems):
            if (section.township_id, stored.get("rule", "")) in done:
                continue
            if section.township_id not in clerks:
                skipped.append(section.township.name)
                break
            problem = _problem_of(section, index)
            made.append(_create(by=by, township=section.township, source=Rectification.Source.WEEKLY, report=report,
                                problem=problem, task=default_task(problem), deadline=deadline,
                                responsible=clerks[section.township_id], request=request))
    return made, skipped


@transaction.atomic
def rectification_from_visit(*, by, visit: SupervisionVisit, task: str, deadline: datetime.date, responsible,
                             request=None) -> Rectification:
    """What a supervision visit agreed → a rectification of the visited township."""
    require_rectification_manage(by)
    return _create(by=by, township=visit.township, source=Rectification.Source.SUPERVISION, visit=visit,
                   problem={"text": visit.findings[:500]}, task=task, deadline=deadline, responsible=responsible,
                   request=request)


# --- Report, accept, return --------------------------------------------------------------------------
def _locked(rectification: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("township").get(pk=rectification.pk)


def _refuse_status(rect: Rectification, allowed: tuple[str, ...], step: str) -> None:
    if rect.status not in allowed:
        message = {
            "report": _("这项整改现在是“%(status)s”，不能上报。"),
            "accept": _("这项整改现在是“%(status)s”，不能验收。"),
            "return": _("这项整改现在是“%(status)s”，不能退回。"),
        }[step]
        raise ValidationError(message % {"status": rect.get_status_display()})


IMAGE_FORMATS = {JPEG: "JPEG", PNG: "PNG"}


def _check_files(uploads) -> list[tuple]:
    """Every upload checked by content before anything is written: [(upload, filetype, content_type,
    image)]. A photo also goes through core.images (size from its header before decoding, then
    re-encoded without metadata such as GPS positions, or a polyglot's payload): ``image`` holds the
    clean copy to store, None for other files."""
    uploads = list(uploads or [])
    if len(uploads) > settings.ASSESSMENT_RECTIFICATION_MAX_FILES:
        raise ValidationError({"files": _("一次最多上传 %(n)s 个文件。") % {
            "n": settings.ASSESSMENT_RECTIFICATION_MAX_FILES}})
    checked = []
    for upload in uploads:
        try:
            filetype, content_type = identify(upload, name=upload.name or "", size=upload.size,
                                              max_bytes=settings.ASSESSMENT_RECTIFICATION_MAX_BYTES)
        except RefusedFile as refused:
            raise ValidationError({"files": f"{(upload.name or '')[-60:]}：{refused.message}"}) from None
        image = None
        if filetype in IMAGE_FORMATS:
            upload.seek(0)
            try:
                image = checked_image(upload.read(), formats=(IMAGE_FORMATS[filetype],))
            except RefusedImage as refused:
                raise ValidationError({"files": f"{(upload.name or '')[-60:]}：{refused.message}"}) from None
        checked.append((upload, filetype, content_type, image))
    return checked


def _store(rect, step, by, checked, now) -> list[str]:
    """Save the checked files under random names; returns the stored names (to remove on failure)."""
    names = []
    try:
        for upload, filetype, content_type, image in checked:
            if image is not None:  # the re-encoded photo is stored; the record keeps the upload's hash
                sha256, stored = image.original_sha256, ContentFile(image.content)
            else:
                upload.seek(0)
                digest = hashlib.sha256()
                for chunk in upload.chunks(CHUNK):
                    digest.update(chunk)
                upload.seek(0)
                sha256, stored = digest.hexdigest(), upload
            name = default_storage.save(
                f"assessment/rectifications/{now:%Y}/{uuid.uuid4().hex}.{filetype.extensions[0]}", stored)
            names.append(name)
            RectificationFile.objects.create(
                rectification=rect, step=step, file=name, original_name=(upload.name or "")[-200:],
                kind=filetype.kind, content_type=content_type, size=upload.size, sha256=sha256,
                uploaded_by=by, uploaded_at=now)
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise
    return names


def rectification_report(*, rectification: Rectification, by, text: str, files=(), request=None) -> Rectification:
    """A clerk of the township reports what was done (待整改/已退回 → 待验收), with optional files."""
    if not can_report_rectification(by, rectification):
        raise CapabilityDenied(Cap.RECTIFICATION_REPORT)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请写明整改了什么、怎么整改的。")})
    checked = _check_files(files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            rect = _locked(rectification)
            _refuse_status(rect, (Status.OPEN, Status.RETURNED), "report")
            now = timezone.now()
            step = _step(rect, by=by, to_status=Status.REPORTED, note=text, at=now)
            stored = _store(rect, step, by, checked, now)
            rect.status, rect.reported_at = Status.REPORTED, now
            rect.save(update_fields=["status", "reported_at", "updated_at"])
            _audit(rect, by=by, request=request, detail=f"reported with {len(stored)} files")
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return rect


def _check_reviewer(rect: Rectification, by) -> None:
    """Nobody reports and accepts (or returns) the same rectification."""
    if rect.responsible_id == by.pk or rect.steps.filter(actor=by, to_status=Status.REPORTED).exists():
        raise ValidationError(_("上报和验收不能是同一个人：这项整改须由其他领导或考核人员验收。"))


@transaction.atomic
def rectification_accept(*, rectification: Rectification, by, note: str = "", request=None) -> Rectification:
    """待验收 → 已完成. On time when the accepted report came in on or before the deadline."""
    require_rectification_manage(by)
    rect = _locked(rectification)
    _refuse_status(rect, (Status.REPORTED,), "accept")
    _check_reviewer(rect, by)
    now = timezone.now()
    _step(rect, by=by, to_status=Status.DONE, note=(note or "").strip(), at=now)
    rect.status, rect.done_at = Status.DONE, now
    rect.done_on_time = timezone.localdate(rect.reported_at) <= rect.deadline
    rect.save(update_fields=["status", "done_at", "done_on_time", "updated_at"])
    _audit(rect, by=by, request=request, detail="accepted " + ("on time" if rect.done_on_time else "late"))
    _recompute_if_counted(rect.deadline.year)
    return rect


@transaction.atomic
def rectification_return(*, rectification: Rectification, by, reason: str, request=None) -> Rectification:
    """待验收 → 已退回, with the reason the township reads."""
    require_rectification_manage(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回的原因。")})
    rect = _locked(rectification)
    _refuse_status(rect, (Status.REPORTED,), "return")
    _check_reviewer(rect, by)
    _step(rect, by=by, to_status=Status.RETURNED, note=reason)
    rect.status = Status.RETURNED
    rect.save(update_fields=["status", "updated_at"])
    _audit(rect, by=by, request=request, detail=f"returned: {reason}")
    return rect


# --- Supervision visits ------------------------------------------------------------------------------
@transaction.atomic
def supervision_record(*, by, township, visit_date: datetime.date, participants: str, findings: str,
                       agreed: str = "", request=None) -> SupervisionVisit:
    """A liaison leader records a visit to one of their townships of that year."""
    require_supervision_record(by)
    errors = {}
    if visit_date > timezone.localdate():
        errors["visit_date"] = _("督导日期不能晚于今天。")
    elif not Liaison.objects.filter(leader=by, township=township, year=visit_date.year).exists():
        errors["township"] = _("您不是%(township)s %(year)s 年度的联系领导，不能记录对它的督导。") % {
            "township": township.name, "year": visit_date.year}
    if not (findings or "").strip():
        errors["findings"] = _("请写明发现的问题。")
    if errors:
        raise ValidationError(errors)
    visit = SupervisionVisit.objects.create(
        leader=by, township=township, visit_date=visit_date, participants=participants.strip(),
        findings=findings.strip(), agreed=(agreed or "").strip(), created_by=by)
    audit_log(action=AuditEvent.Action.CREATE, request=request, user=by, obj=visit, township_id=township.pk,
              detail=f"supervision visit {visit_date}")
    return visit
