from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "backend.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Each app declares the jobs it can run in its `jobs.py` (`@job_handler(kind)`); load
        # them all so any process, web or worker, can run any job kind.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
