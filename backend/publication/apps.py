from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "backend.publication"
    label = "publication"
    verbose_name = "Báo cáo định kỳ và công bố kết quả / Periodic report and public results"
