from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "backend.registers"
    label = "registers"
    verbose_name = "Sổ hộ / Household register"

    def ready(self):
        # The register follows ingest through the signal; submissions does not import registers.
        from backend.registers.ingest import on_submission_version_stored
        from backend.registers.ingest_bulk import on_submission_versions_stored
        from backend.submissions.signals import submission_version_stored, submission_versions_stored

        submission_version_stored.connect(on_submission_version_stored, dispatch_uid="registers.entity_ingest")
        submission_versions_stored.connect(on_submission_versions_stored, dispatch_uid="registers.entity_ingest")
