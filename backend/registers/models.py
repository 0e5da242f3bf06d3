"""The household register: the entity list `households` that phones download, its history,
the visits that settled each household in a round, and the conflicts nobody may overwrite.

After ODK Central's entities (`lib/model/query/entities.js`, `lib/data/entity.js`): one row per
household with its current version; every change is a `HouseholdChange` written in the same
transaction as what caused it (a submission, an import, a person). Per-round status is not
stored: it is derived on read from `HouseholdVisit` and the round windows (which are
editable), in `backend/registers/selectors.py`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

DATASET = "households"
CSV_NAME = "households.csv"
# The CSV phones receive: the spec's name,label,__version then the agreed properties.
PROPERTIES = ("ap", "ma_ho", "ten_goi", "mo_ta", "geometry")


class Source(models.TextChoices):
    FORM = "form", "Biểu mẫu / Form submission"
    IMPORT = "import", "Nhập danh sách / CSV import"
    DEMO = "demo", "Dữ liệu mẫu / Demo"
    USER = "user", "Người dùng / Person"


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, help_text="The entity name phones know it by")
    hamlet = models.ForeignKey("places.Hamlet", on_delete=models.PROTECT, related_name="households")
    ma_ho = models.CharField(max_length=32, blank=True, help_text="Mã hộ (household code), unique in its hamlet")
    label = models.CharField(max_length=300)
    ten_goi = models.CharField(max_length=100, blank=True, help_text="Head of household's given name")
    mo_ta = models.CharField(max_length=300, blank=True, help_text="House description")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    properties = models.JSONField(default=dict, blank=True, help_text="Every entity property, as last saved")
    source = models.CharField(max_length=10, choices=Source.choices)
    added_in_field = models.BooleanField(
        default=False, help_text="Added by a volunteer; the hamlet head has not confirmed it yet"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        help_text="A field-added duplicate the hamlet head merged into this household (then deleted)",
    )

    class Meta:
        ordering = ["hamlet", "ma_ho", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hamlet", "ma_ho"],
                condition=Q(deleted_at__isnull=True) & ~Q(ma_ho=""),
                name="household_live_code_unique",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="household_version_positive"),
        ]
        indexes = [models.Index(fields=["hamlet", "updated_at"], name="household_hamlet_updated")]

    def __str__(self) -> str:
        return self.label


class HouseholdChange(models.Model):
    """One version of a household: its whole state after the change, and where it came from.
    For an offline update, the versions the phone knew (`base_version`, `trunk_version`) and
    its offline branch (`branch_id`), as the phone sent them."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    data = models.JSONField(help_text="label and properties after this change")
    changed = models.JSONField(default=list, help_text="names of the properties this change altered")
    source = models.CharField(max_length=10, choices=Source.choices)
    submission = models.ForeignKey(
        "submissions.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission_version = models.ForeignKey(
        "submissions.SubmissionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    import_name = models.CharField(max_length=255, blank=True, help_text="file name of the import")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    trunk_version = models.PositiveIntegerField(null=True, blank=True)
    branch_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household", "version"]
        constraints = [models.UniqueConstraint(fields=["household", "version"], name="household_change_version")]


class VisitOutcome(models.TextChoices):
    VISITED = "visited", "Đã khảo sát / Visited"
    REFUSED = "refused", "Từ chối / Refused"
    MOVED = "moved", "Đã chuyển đi / Moved away"
    NOT_FOUND = "not_found", "Không tìm thấy / Not found"


class HouseholdVisit(models.Model):
    """A submission of the household form that visited a household (one per submission; an
    edit replaces its visit). Which visit settles a round is decided on read."""

    submission = models.OneToOneField("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="visits")
    outcome = models.CharField(max_length=10, choices=VisitOutcome.choices)
    visited_on = models.DateField(null=True, blank=True, help_text="the interview day (else the day received)")
    volunteer = models.ForeignKey(
        "accounts.Volunteer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The offline branch step this visit's entity block applied (set once applied, also when
    # it changed nothing; never while held): what the next step of the branch waits for.
    branch_id = models.CharField(max_length=64, blank=True)
    base_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household", "visited_on", "submission_id"]
        indexes = [models.Index(fields=["visited_on"], name="household_visit_day")]


class ConflictKind(models.TextChoices):
    SOFT = "soft", "Cập nhật song song, khác trường / Parallel updates, different fields"
    HARD = "hard", "Cùng trường, khác giá trị / Same fields, different values"


class Resolution(models.TextChoices):
    KEEP = "keep", "Giữ bản hiện tại / Keep the current version"
    RESTORE = "restore", "Khôi phục bản trước / Restore the other version"


class HouseholdConflict(models.Model):
    """Two phones updated one household from the same version while offline. The later
    update was applied (as Central does) and this row says what it overwrote, until someone
    resolves it: nothing is silently overwritten."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=4, choices=ConflictKind.choices)
    base_version = models.PositiveIntegerField(help_text="the version the phone edited")
    server_version = models.PositiveIntegerField(help_text="the household's version when the update arrived")
    version = models.PositiveIntegerField(help_text="the version the conflicting update became")
    fields = models.JSONField(default=list, help_text="properties both sides changed (hard) or this side changed")
    values = models.JSONField(default=dict, help_text="{property: {'before': server value, 'after': phone value}}")
    submission = models.ForeignKey(
        "submissions.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=8, choices=Resolution.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["household", "resolved_at"], name="household_conflict_open")]


class EntityProblem(models.Model):
    """An entity block the register could not apply (unknown hamlet, update of a household
    it does not hold, a malformed id…). The submission is stored regardless: the problem is
    kept here for the hamlet head and the admin, never raised into ingest."""

    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    entity_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500)
    block = models.JSONField(default=dict)
    hamlet_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class HeldUpdate(models.Model):
    """An offline update that arrived before the update it continues (ODK Central's "entity
    submission backlog"): a phone's branch update n+1 sent before update n, or a follow-up of
    a household whose offline creation has not arrived. It is held, not applied over the
    wrong base, and applied as soon as what it needs arrives; after REGISTER_BACKLOG_DAYS it
    is force-applied on the household's current version (or recorded as a problem)."""

    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    submission_version = models.ForeignKey(
        "submissions.SubmissionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    household_id = models.UUIDField(help_text="the entity id (its household may not exist yet)")
    branch_id = models.CharField(max_length=64)
    base_version = models.PositiveIntegerField(help_text="the version the phone edited, counted on the phone")
    trunk_version = models.PositiveIntegerField(null=True, blank=True)
    block = models.JSONField(help_text="the entity block as the phone sent it")
    hamlet_code = models.CharField(max_length=32, blank=True)
    outcome = models.CharField(max_length=10, choices=VisitOutcome.choices)
    visited_on = models.DateField(null=True, blank=True)
    volunteer = models.ForeignKey(
        "accounts.Volunteer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "branch_id", "base_version", "id"]
        indexes = [models.Index(fields=["household_id", "branch_id"], name="held_update_branch")]
        constraints = [
            models.UniqueConstraint(fields=["submission", "household_id"], name="held_update_one_per_submission")
        ]
