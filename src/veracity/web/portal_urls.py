"""The customer portal's addresses, under ``/my/`` (its own session: ``veracity.portal``)."""

from django.urls import path

from veracity.web.views import portal

app_name = "portal"
urlpatterns = [
    path("", portal.home, name="home"),
    path("login/", portal.login, name="login"),
    path("logout/", portal.logout, name="logout"),
    path("register/", portal.register, name="register"),
    path("forgot-password/", portal.reset, name="reset"),
    path("code/", portal.code, name="code"),
    path("password/", portal.password, name="password"),
    path("language/", portal.language, name="language"),
    path("policies/<str:policy_no>/", portal.policy, name="policy"),
    path("notices/", portal.notices, name="notices"),
    path("contact/", portal.contact, name="contact"),
]
