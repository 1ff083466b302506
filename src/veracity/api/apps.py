from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "veracity.api"
    verbose_name = "API"
