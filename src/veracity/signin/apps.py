from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    name = "veracity.signin"
    label = "signin"
    verbose_name = _("Sign-in protection")
    default_auto_field = "django.db.models.BigAutoField"


class TotpDevicesConfig(AppConfig):
    """django-otp's TOTP devices under a name people read in the administration (the
    package calls the app by its label, "OTP_TOTP")."""

    name = "django_otp.plugins.otp_totp"
    label = "otp_totp"
    verbose_name = _("Two-factor login devices")
    default_auto_field = "django.db.models.AutoField"
