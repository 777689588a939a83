"""Staff users, the org tree (Township → Village) and the append-only, hash-chained audit trail."""
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.crypto import salted_hmac
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role, capabilities_of, granted, granted_capabilities


class TownshipQuerySet(models.QuerySet):
    def active(self):
        """The townships in use, in the county's order: every list, filter and figure shows them so."""
        return self.filter(is_active=True).order_by("sort_order", "code")


class Township(models.Model):
    class Kind(models.TextChoices):
        TOWN = "town", _("镇")
        SUBDISTRICT = "subdistrict", _("街道")

    code = models.CharField(
        _("区划代码"), max_length=12, unique=True,
        help_text=_("12 位统计用区划代码的前 9 位或完整代码，县内唯一。"),
    )
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.TOWN)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = TownshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("镇/街道")
        verbose_name_plural = _("镇/街道")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name

    def audit_label(self):  # the audit ledger's words for this record (accounts.ledger)
        return self.name

    @property
    def township(self):
        # Every record reaches its township; a township reaches itself.
        return self


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("村")
        COMMUNITY = "community", _("社区")

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("所属镇/街道")
    )
    code = models.CharField(_("区划代码"), max_length=12, unique=True, help_text=_("12 位统计用区划代码。"))
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.VILLAGE)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("村/社区")
        verbose_name_plural = _("村/社区")
        ordering = ["township__sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["township", "name"], name="accounts_village_name_unique_in_township"),
        ]

    def __str__(self):
        return self.name

    audit_select_related = ("township",)

    def audit_label(self):
        return f"{self.name}（{self.township.name}）"


def _new_session_token() -> str:
    return secrets.token_hex(16)


class StaffUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` makes a system administrator in the role sense too.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A member of staff. ``role`` decides what they may do, ``township`` where (clerks)."""

    name = models.CharField(_("姓名"), max_length=30, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CLERK)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
        verbose_name=_("所属镇/街道"), help_text=_("镇街专干必须填写；其他角色留空。"),
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    password_changed_at = models.DateTimeField(
        _("密码修改时间"), null=True, blank=True, editable=False,
        help_text=_("设置了密码有效期（PASSWORD_MAX_AGE_DAYS）时，据此提示修改密码。"),
    )
    session_token = models.CharField(
        _("会话令牌"), max_length=32, default=_new_session_token, editable=False,
        help_text=_("更换后，该用户在所有设备上的登录立即失效（“退出其他设备”）。"),
    )

    objects = StaffUserManager()

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.CLERK) | models.Q(township__isnull=False),
                name="accounts_clerk_has_township",
                violation_error_message=_("镇街专干必须指定所属镇/街道。"),
            ),
        ]

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or self.username

    audit_select_related = ("township",)

    def audit_label(self):
        """A staff account in the ledger: name, username, role and township (admin changes)."""
        parts = [self.get_role_display()] + ([self.township.name] if self.township_id else [])
        return f"{self.get_full_name()}（{self.username}，{'，'.join(str(p) for p in parts)}）"

    def get_short_name(self):
        return self.name or self.username

    def save(self, *args, **kwargs):
        # The Django admin is the system administrator's tool and nobody else's.
        self.is_staff = self.role == Role.ADMIN or self.is_superuser
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    # Sessions carry an HMAC of the password hash (Django) and, here, of ``session_token`` too:
    # replacing the token ends every session of this user at once ("log out everywhere").
    def _get_session_auth_hash(self, secret=None):
        key_salt = "accounts.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}|{self.session_token}", secret=secret,
                           algorithm="sha256").hexdigest()

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()

    def can(self, capability: str) -> bool:
        """The role's capability, or one a grant gives (accounts/roles.py ``GRANTS``)."""
        return self.is_active and (capability in capabilities_of(self.role) or granted(self, capability))

    @property
    def capabilities(self) -> frozenset[str]:
        return capabilities_of(self.role) | granted_capabilities(self) if self.is_active else frozenset()


class AuditEvent(models.Model):
    """One row per view, change, export, login or refusal. Append-only and hash-chained.

    Append-only is enforced by PostgreSQL (migrations 0002, 0003), not only here: Cybersecurity
    Law Art. 21 asks for logs kept ≥ 6 months, and GB/T 22239 for protected audit records. The
    application's database role may only INSERT and SELECT (accounts.db_roles); UPDATE, DELETE and
    TRUNCATE are refused by triggers for every role, and each row's ``hash`` covers its content and
    the previous row's hash (``seq``, ``prev_hash`` and ``hash`` are filled by the insert trigger,
    never by Python), so a rewrite that bypasses the triggers is found by ``verify_audit_chain``.
    How a row reads on the auditor's page: accounts.ledger.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        CREATE = "create", _("新增")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("作废/删除")
        EXPORT = "export", _("导出")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED = "locked", _("登录锁定")
        DENIED = "denied", _("拒绝访问")

    at = models.DateTimeField(_("时间"), default=timezone.now)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("用户")
    )
    username = models.CharField(
        _("用户名"), max_length=150, blank=True, help_text=_("登录时输入的用户名，失败的登录也记录。")
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("镇/街道")
    )
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    success = models.BooleanField(_("成功"), default=True)
    detail = models.CharField(_("说明"), max_length=255, blank=True)
    # The hash chain (accounts.audit_chain). Set by the PostgreSQL insert trigger under an advisory
    # lock, so two transactions appending at once get consecutive numbers; NULL on SQLite.
    seq = models.BigIntegerField(
        _("链序号"), null=True, blank=True, editable=False, help_text=_("审计链中的序号，从 1 起连续编号。")
    )
    prev_hash = models.CharField(_("上一条摘要"), max_length=64, blank=True, editable=False)
    hash = models.CharField(
        _("摘要"), max_length=64, blank=True, editable=False,
        help_text=_("本条内容与上一条摘要的 SHA-256，用于发现篡改。"),
    )

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["seq"], name="accounts_audit_seq_unique"),
        ]
        # Each index serves one of the auditor's page queries (accounts.selectors.audit_page): newest
        # first, keyset on (at, id), so any page of 2 million rows reads about 50 index entries.
        indexes = [
            # The unfiltered trail and the date filters.
            models.Index(F("at").desc(), F("id").desc(), name="accounts_audit_at_id"),
            # Filter by user (user_id, resolved from the username typed).
            models.Index(F("user").asc(), F("at").desc(), F("id").desc(), name="accounts_audit_user_at_id"),
            # Filter by action.
            models.Index(F("action").asc(), F("at").desc(), F("id").desc(), name="accounts_audit_action_at_id"),
            # Filter by township, and by township and action (a township's refusals, exports …).
            models.Index(F("township").asc(), F("at").desc(), F("id").desc(), name="accounts_audit_township_at_id"),
            models.Index(
                F("township").asc(), F("action").asc(), F("at").desc(), F("id").desc(),
                name="accounts_audit_town_action_at",
            ),
            # "Who did what to this record?": filter by record kind and number.
            models.Index(
                F("object_type").asc(), F("object_id").asc(), F("at").desc(), F("id").desc(),
                name="accounts_audit_object_at_id",
            ),
            # Filter by a username typed at login that no account has (failed logins, user NULL).
            models.Index(
                Upper("username"), F("at").desc(), F("id").desc(), name="accounts_audit_anon_username",
                condition=Q(user__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}#{self.object_id}"


class AuditChainCheck(models.Model):
    """One run of ``verify_audit_chain``: the head it found and whether the chain held.

    Append-only like the trail. The last good head is the anchor the next run checks: rows removed
    from the end of the trail, or a chain recomputed from an earlier row, no longer match it.
    """

    checked_at = models.DateTimeField(_("校验时间"), default=timezone.now)
    ok = models.BooleanField(_("完好"))
    rows = models.BigIntegerField(_("校验条数"), default=0)
    head_seq = models.BigIntegerField(_("末条序号"), null=True, blank=True)
    head_hash = models.CharField(_("末条摘要"), max_length=64, blank=True)
    first_bad_seq = models.BigIntegerField(
        _("首个异常序号"), null=True, blank=True, help_text=_("第一条对不上的记录的链序号；链完好时为空。")
    )
    problems = models.JSONField(_("发现的问题"), default=list, blank=True)
    seconds = models.FloatField(_("用时（秒）"), default=0)

    class Meta:
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")
        ordering = ["-checked_at", "-id"]

    def __str__(self):
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'} head={self.head_seq}"
