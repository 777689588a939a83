"""Shared pieces of the rectification tests: a built week with problems, small valid files."""
import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessment.models import Rectification, RectificationStep, WeeklyReport, WeeklyReportSection
from tests.factories import UserFactory

from accounts.roles import Role

PROBLEMS = [
    {"rule": "overdue_long", "params": {"n": 3}, "text": "随访逾期超过 14 天：3 对夫妇",
     "indicator": "households.followups_overdue_long"},
    {"rule": "no_visits", "params": {}, "text": "本周没有记录随访", "indicator": None},
]


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def built_week(week_start: datetime.date, *sections) -> WeeklyReport:
    """A built report with the given (township, problems) sections, as the build would store them."""
    report = WeeklyReport.objects.create(week_start=week_start, status=WeeklyReport.Status.DONE,
                                         built_at=datetime.datetime(2026, 3, 9, tzinfo=datetime.UTC),
                                         figures={"problem_total": sum(len(p) for _t, p in sections)})
    for position, (township, problems) in enumerate(sections):
        WeeklyReportSection.objects.create(report=report, township=township, position=position,
                                           problems=problems, problem_count=len(problems))
    return report


def second_leader():
    return UserFactory(username="leader2", name="李副局长", role=Role.LEADER)


def make_rect(*, township, responsible, by, deadline, created_at=None, **extra) -> Rectification:
    """A rectification written directly (a fixture for counting), with its first step."""
    rect = Rectification.objects.create(township=township, source=Rectification.Source.SUPERVISION, task="整改",
                                        deadline=deadline, responsible=responsible, created_by=by,
                                        **({"created_at": created_at} if created_at else {}), **extra)
    RectificationStep.objects.create(rectification=rect, actor=by, at=created_at or rect.created_at,
                                     to_status=Rectification.Status.OPEN)
    return rect
