from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic commune: its generator, its loader and the `setup_demo` /
    `make_demo_commune` commands. Nothing else imports this app."""

    name = "backend.demo"
    label = "demo"
    verbose_name = "Demo commune"
