from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "veracity.demo"
    verbose_name = "Demo"  # no models, so the name is never shown (hence not translated)
