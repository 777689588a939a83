"""accounts' URLs (and the project-level ones in config/urls.py): what each role gets on GET."""
from django.contrib.contenttypes.models import ContentType

from tests.security.url_table import Url, admin_model_urls, everyone, only

URLS = {
    "home": Url(everyone(200)),
    "healthz": Url(everyone(200, anonymous=200)),  # public by design: JSON, names only for staff
    # Browsers ask for it on every site: a redirect to the static icon, login or not.
    "favicon": Url(everyone(301, anonymous=301)),
    # Django's view: a GET changes nothing and just goes back (POST switches the language).
    "set_language": Url(everyone(302, anonymous=302)),
    # Logged-in users opening the login page go home; the code step without a password step goes back.
    "accounts:login": Url(everyone(302, anonymous=200)),
    "accounts:login_otp": Url(everyone(302, anonymous=302)),
    "accounts:logout": Url(everyone(405)),  # POST only
    "accounts:audit": Url(only(auditor=200)),
    "accounts:audit_export": Url(only(auditor=200), html_checked=False),
    "accounts:profile": Url(everyone(200)),
    "accounts:password_change": Url(everyone(200)),
    # Everyone may set up two-factor login; the roles that must use it and have passed it are sent
    # to their profile (the cast's leader, auditor and admin have a device already).
    "accounts:otp_setup": Url(everyone(200, leader=302, auditor=302, admin=302)),
    "accounts:otp_recovery_codes": Url(everyone(405)),
    "accounts:otp_disable": Url(everyone(405)),
    "accounts:logout_other_sessions": Url(everyone(405)),
    # --- the Django admin: the admin role only -------------------------------------------------
    "admin:index": Url(only(admin=200)),
    "admin:login": Url(only(admin=302)),  # the app's own login page is the only one
    "admin:logout": Url(only(admin=405)),  # POST only (Django 5)
    "admin:password_change": Url(only(admin=200)),
    "admin:password_change_done": Url(only(admin=200)),
    "admin:autocomplete": Url(only(admin=403)),  # no model here offers autocomplete
    "admin:jsi18n": Url(only(admin=200), html_checked=False),  # JavaScript, not a page
    "admin:app_list": Url(only(admin=200), kwargs=lambda w: {"app_label": "accounts"}),
    "admin:view_on_site": Url(
        only(admin=404),  # a township has no page of its own to jump to
        kwargs=lambda w: {"content_type_id": ContentType.objects.get_for_model(w.township_a).pk,
                          "object_id": w.township_a.pk},
    ),
    "admin:auth_user_password_change": Url(only(admin=200), kwargs=lambda w: {"id": w.clerk_a.pk}),
    **admin_model_urls("accounts", "user", obj=lambda w: w.clerk_a),
    **admin_model_urls("accounts", "township", obj=lambda w: w.township_a),
    **admin_model_urls("accounts", "village", obj=lambda w: w.village_a),
}

# The admin's own unnamed patterns: redirects to a named page and the catch-all 404.
UNNAMED = {
    "admin/accounts/user/<path:object_id>/": "admin: redirects to the change page",
    "admin/accounts/township/<path:object_id>/": "admin: redirects to the change page",
    "admin/accounts/village/<path:object_id>/": "admin: redirects to the change page",
    "admin/(?P<url>.*)$": "admin: catch-all 404",
}
