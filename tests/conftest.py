"""The fixed cast (docs/architecture.md, checklist): two townships with a village each and one user per role."""
import pytest
from django.conf import settings
from django.core.cache import cache
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.db.backends.postgresql.operations import DatabaseOperations

from accounts.roles import Role

from .factories import TEST_PASSWORD, TownshipFactory, UserFactory, VillageFactory

# The audit trail and its checks refuse TRUNCATE for every role (migration accounts/0003), which is
# what `manage.py flush` does. Transactional tests (live server, worker) empty the database that
# way between tests, so the suite — and only the suite — lifts those two triggers inside the
# flush's own transaction. It can because it migrates as the owner; the app role could not.
_TRUNCATE_GUARDS = {
    "accounts_auditevent": "accounts_audit_no_truncate",
    "accounts_auditchaincheck": "accounts_chaincheck_no_truncate",
}
_sql_flush = DatabaseOperations.sql_flush


def _sql_flush_past_audit_guards(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    statements = _sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    guarded = [(table, trigger) for table, trigger in _TRUNCATE_GUARDS.items() if table in tables]
    if not statements or not guarded:
        return statements
    return (
        [f"ALTER TABLE {table} DISABLE TRIGGER {trigger};" for table, trigger in guarded]
        + statements
        + [f"ALTER TABLE {table} ENABLE TRIGGER {trigger};" for table, trigger in guarded]
    )


DatabaseOperations.sql_flush = _sql_flush_past_audit_guards


@pytest.fixture(autouse=True)
def _clear_cache():
    # The suite's Redis database (15) is shared by every test: lockout counters must not leak.
    cache.clear()
    yield


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def township_a(db):
    return TownshipFactory(code="411099001", name="城关镇")


@pytest.fixture
def township_b(db):
    return TownshipFactory(code="411099002", name="东关街道", kind="subdistrict")


@pytest.fixture
def village_a(township_a):
    return VillageFactory(township=township_a, code="411099001001", name="李家村")


@pytest.fixture
def village_b(township_b):
    return VillageFactory(township=township_b, code="411099002001", name="王庄社区", kind="community")


@pytest.fixture
def clerk_a(township_a):
    return UserFactory(username="clerk_a", name="张丽", role=Role.CLERK, township=township_a)


@pytest.fixture
def clerk_b(township_b):
    return UserFactory(username="clerk_b", name="王芳", role=Role.CLERK, township=township_b)


@pytest.fixture
def bureau_staff(db):
    return UserFactory(username="bureau", name="刘强", role=Role.BUREAU_STAFF)


@pytest.fixture
def clinician(db):
    return UserFactory(username="clinic", name="陈静", role=Role.CLINICIAN)


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", name="赵刚", role=Role.INSPECTOR)


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", name="李建国", role=Role.LEADER)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", name="孙敏", role=Role.AUDITOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="sysadmin", name="周伟", role=Role.ADMIN)


@pytest.fixture
def cast(clerk_a, clerk_b, bureau_staff, clinician, inspector, leader, auditor, admin_user):
    return {
        "clerk_a": clerk_a, "clerk_b": clerk_b, "bureau_staff": bureau_staff, "clinician": clinician,
        "inspector": inspector, "leader": leader, "auditor": auditor, "admin": admin_user,
    }


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client logged in as that user (past two-factor login too).

    force_login sends user_logged_in, so it writes one ``login`` audit row per call.
    """

    def login(user):
        client.force_login(user)
        pass_second_factor(client, user)
        return client

    return login


def pass_second_factor(client, user):
    """Mark the client's session as having passed two-factor login, for the roles that need it
    (settings.TWO_FACTOR_REQUIRED_ROLES); force_login skips the login page that asks for the code.
    Without this those roles only reach the two-factor setup page (TwoFactorRequiredMiddleware)."""
    if user.role not in settings.TWO_FACTOR_REQUIRED_ROLES:
        return
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
