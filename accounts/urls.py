from django.contrib.auth import views as auth_views
from django.urls import path

from . import auth_views as security, views

app_name = "accounts"
urlpatterns = [
    path("login/", security.LoginView.as_view(), name="login"),
    path("login/code/", security.login_otp, name="login_otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_list, name="audit"),
    # One's own account: profile, password, two-factor login, sessions.
    path("profile/", security.profile, name="profile"),
    path("password/", security.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/", security.otp_setup, name="otp_setup"),
    path("2fa/recovery-codes/", security.otp_recovery_codes, name="otp_recovery_codes"),
    path("2fa/disable/", security.otp_disable, name="otp_disable"),
    path("sessions/logout-others/", security.logout_other_sessions, name="logout_other_sessions"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
