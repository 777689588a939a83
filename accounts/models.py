"""Staff users, the org tree (Township → Village) and the append-only audit trail."""
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role, capabilities_of


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

    class Meta:
        verbose_name = _("镇/街道")
        verbose_name_plural = _("镇/街道")
        ordering = ["sort_order", "code"]

    def __str__(self):
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
        return self.is_active and capability in capabilities_of(self.role)

    @property
    def capabilities(self) -> frozenset[str]:
        return capabilities_of(self.role) if self.is_active else frozenset()


class AuditEvent(models.Model):
    """One row per view, change, export, login or refusal. Append-only.

    Append-only is enforced by PostgreSQL triggers (migration 0002), not only here: Cybersecurity
    Law Art. 21 asks for logs kept ≥ 6 months, and GB/T 22239 for protected audit records.
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

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
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

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            # The auditor's page filters by user and by action, newest first.
            models.Index(fields=["user", "-at"], name="accounts_audit_user_at"),
            models.Index(fields=["action", "-at"], name="accounts_audit_action_at"),
            # "Who looked at this person?"
            models.Index(fields=["object_type", "object_id"], name="accounts_audit_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}#{self.object_id}"
