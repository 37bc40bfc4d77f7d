"""Documents made in the background (a call summary of any size, a long statement, a dossier) and kept for their download."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from applications.models import Application, FundingCall
from core import clock
from ledger.models import AppendOnlyError


class GeneratedDocument(models.Model):
    """One document a worker renders: queued, running (with progress), done (the file) or failed.

    Kept until `keep_until`; every download is written to the audit log like any other document.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")  # its retention ended: the file is gone, the record stays

    kind = models.CharField(max_length=30, default="call_summary_pdf")  # or "statement_pdf", "dossier"
    call = models.ForeignKey(FundingCall, on_delete=models.PROTECT, related_name="+")
    # The application of a statement or a dossier (empty for a call summary); a dossier's keep_until is the
    # application's retention end (rules E6, T7).
    application = models.ForeignKey(Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    language = models.CharField(max_length=10)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    keep_until = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="document_progress_percent")]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_retained(self) -> bool:
        """A dossier is kept until its retention ends; with no end known yet, it is kept (rule E6)."""
        return self.kind == "dossier" and self.status == self.Status.DONE and (
            self.keep_until is None or self.keep_until >= clock.today())

    def delete(self, *args, **kwargs):
        if self.is_retained:
            raise AppendOnlyError(_("A dossier is kept until its retention period ends (rule E6)."))
        return super().delete(*args, **kwargs)
