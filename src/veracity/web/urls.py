from django.contrib.auth import views as auth_views
from django.urls import path

from veracity.web.views import applications, customers, home, problems

app_name = "web"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("customers/", customers.search, name="customer_search"),
    path("customers/<int:customer_id>/", customers.detail, name="customer_detail"),
    path("customers/<int:customer_id>/suspicion/", customers.suspicion, name="customer_suspicion"),
    path("applications/", applications.index, name="applications"),
    path("applications/<str:application_no>/", applications.detail, name="application_detail"),
    path("problems/", problems.index, name="problems"),
    path("problems/export.xlsx", problems.export, name="problems_export"),
]
