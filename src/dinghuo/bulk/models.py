"""Import runs: a file uploaded for import, its progress, its problems and what it did."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.core.models import TenantScoped


class ImportRun(TenantScoped):
    """One file to import, checked (the dry run) and then, when asked and clean, applied.

    The worker moves it on: waiting → checking → checked (no problem: may be applied) or
    refused (its problems listed); then applying → applied. `broken`: the worker failed
    unexpectedly (nothing was applied: the apply is one transaction), or three workers in a
    row died on it (`jobs.recover_stalled_imports`).
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, ready to apply")
        REFUSED = "refused", _("Problems found")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        BROKEN = "broken", _("Failed")

    class Mode(models.TextChoices):
        DRY_RUN = "dry_run", _("Dry run only")
        APPLY = "apply", _("Check, then apply if clean")

    kind = models.CharField(max_length=32)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.DRY_RUN)
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, help_text="The first problems, by row.")
    summary = models.JSONField(default=dict, help_text="Rows created, updated, unchanged.")
    started_by = models.CharField(max_length=200, blank=True, default="")
    # Which claim of the run is at work, and when it last said so: a run whose worker died
    # (no beat for a while) is claimed again, and the dead claim's late writes are ignored.
    attempt = models.PositiveSmallIntegerField(default=0)
    beat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "-id"], name="import_run_tenant_idx"),
            models.Index(fields=["state", "beat_at"], name="import_run_beat_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk}"
