"""What every URL answers to every role: the shared vocabulary of the per-app tables.

Each app keeps its own table in ``tests/<app>/url_roles.py``:

    from tests.security.url_table import Url, admin_model_urls, only

    URLS = {
        "screening:screening_detail": Url(
            only(clinician=200, clerk_a=200, clerk_b=404, leader=403),  # everyone else 403
            kwargs=lambda w: {"pk": w.screening_a.pk},
        ),
        **admin_model_urls("screening", "itemcatalogue", obj=lambda w: w.catalogue_item),
    }

    def build(world):  # optional: add this app's records to the shared world (township A)
        world.screening_a = ScreeningFactory(couple=world.couple_a)

``tests/security/test_url_roles.py`` enumerates every URL pattern (``get_resolver()``): a pattern
without an entry fails the suite, and so does an entry whose URL no longer exists. Requests are
GETs; a POST-only view answers 405 to whoever gets that far.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

# Who calls every URL. clerk_a works in township A, where the world's records are; clerk_b is a
# clerk of another township (records of A are 404 to them).
ROLES = ("anonymous", "clerk_a", "clerk_b", "bureau_staff", "clinician", "inspector", "leader", "auditor", "admin")
LOGIN = 302  # anonymous users go to the login page


@dataclass(frozen=True)
class Url:
    expect: dict[str, int]
    kwargs: Callable | None = None  # world -> URL kwargs
    query: str = ""  # appended as ?query
    html_checked: bool = True  # a 200 HTML answer is checked for CSP and inline script/style
    notes: str = field(default="", compare=False)


def only(default: int = 403, *, anonymous: int = LOGIN, **by_role: int) -> dict[str, int]:
    """Every role answers ``default`` except those named; anonymous goes to the login page."""
    unknown = set(by_role) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    return {role: by_role.get(role, default) for role in ROLES if role != "anonymous"} | {"anonymous": anonymous}


def everyone(status: int = 200, *, anonymous: int = LOGIN, **by_role: int) -> dict[str, int]:
    """Every logged-in role answers ``status`` (except those named)."""
    return only(status, anonymous=anonymous, **by_role)


def admin_model_urls(app_label: str, model_name: str, *, obj: Callable, add: int = 200, change: int = 200,
                     delete: int = 403) -> dict[str, Url]:
    """The Django admin's five pages of one model: the admin role only, nothing deleted (403)."""
    prefix = f"admin:{app_label}_{model_name}"
    object_id = lambda w: {"object_id": obj(w).pk}  # noqa: E731
    return {
        f"{prefix}_changelist": Url(only(admin=200)),
        f"{prefix}_add": Url(only(admin=add)),
        f"{prefix}_change": Url(only(admin=change), kwargs=object_id),
        f"{prefix}_history": Url(only(admin=200), kwargs=object_id),
        f"{prefix}_delete": Url(only(admin=delete), kwargs=object_id),
    }
