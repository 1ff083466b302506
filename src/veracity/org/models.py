"""Departments and staff profiles (D4.18, AG-10).

Both tables were created by ``veracity.access`` and keep their names (``access_department``,
``access_staffprofile``): the models changed owner, not the data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A department of the company; its head approves its staff's access requests first
    (D4.18)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("department head"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name_plural = _("departments")
        db_table = "access_department"
        verbose_name = _("department")

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """Where a user works: the department (whose head approves the user's requests) and, for
    channel staff, the sales channel whose files their work needs (AG-10)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, null=True, blank=True
    )
    channel = models.CharField(_("sales channel"), max_length=20, blank=True)

    class Meta:
        verbose_name_plural = _("staff profiles")
        db_table = "access_staffprofile"
        verbose_name = _("staff profile")

    def __str__(self) -> str:
        return f"{self.user} @ {self.department or '-'}"
