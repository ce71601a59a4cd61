"""Official documents (公文): the issued documents, their number sequences, the 代字 each issuer uses and the
seal images admins upload."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.files import UploadValidator, upload_to
from crowdsafe.common.scoping import ScopedQuerySet
from notices.choices import NoticeKind, NoticeStatus

# Letters and digits of the verification code: no 0/O, 1/I/L, so that a code read aloud or typed from paper is
# not mistaken. 31 symbols, 12 of them: about 59 bits, far beyond guessing under the verify page's rate limit.
VERIFY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFY_CODE_LENGTH = 12

prefix_validator = RegexValidator(
    r"^[\u3400-\u9fffA-Za-z]{1,12}$",
    _("A 代字 is 1 to 12 Chinese characters or letters, with no digits, spaces or brackets (e.g. 安公许)."),
)


class NumberingScheme(models.Model):
    """The 代字 an issuer uses for one kind of document (发文字号的机关代字): 安公许 in 安公许〔2026〕12号.

    Set by the city administrator. Without a row, the default is the issuer's abbreviation and the kind's
    suffix (``notices.numbering.default_prefix``). Changing the 代字 mid-year does not restart the sequence:
    serial numbers run per issuer, kind and year (``NumberCounter``), whatever the 代字.
    """

    issuer = models.ForeignKey(
        "org.Department", verbose_name=_("issuing department"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("document kind"), max_length=32, choices=NoticeKind.choices)
    prefix = models.CharField(_("代字 (document prefix)"), max_length=12, validators=[prefix_validator])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("numbering scheme")
        verbose_name_plural = _("numbering schemes")
        ordering = ["issuer_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["issuer", "kind"], name="notices_scheme_unique")]

    def __str__(self) -> str:
        return f"{self.issuer} · {self.get_kind_display()} · {self.prefix}"


class NumberCounter(models.Model):
    """The last serial number taken for (issuer, kind, year) — the row ``notices.numbering.take_number`` locks.

    Numbers are gapless because the counter moves in the same transaction as the document that takes the
    number: if that transaction rolls back, so does the counter.
    """

    issuer = models.ForeignKey("org.Department", verbose_name=_("issuing department"), on_delete=models.PROTECT)
    kind = models.CharField(_("document kind"), max_length=32, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_serial = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        ordering = ["issuer_id", "kind", "-year"]
        constraints = [models.UniqueConstraint(fields=["issuer", "kind", "year"], name="notices_counter_unique")]

    def __str__(self) -> str:
        return f"{self.issuer_id} {self.kind} {self.year}: {self.last_serial}"


class DepartmentSeal(models.Model):
    """The image of a department's official seal (公章), uploaded by an administrator from a scan of the real
    seal. Printed on the department's documents only when present and active; otherwise the documents say
    that they are electronic copies (电子副本). The platform never draws a seal of its own.
    """

    department = models.OneToOneField(
        "org.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="notice_seal"
    )
    image = models.ImageField(
        _("seal image"),
        upload_to=upload_to("notices/seals"),
        validators=[UploadValidator("seal")],
        help_text=_("A scan of the real seal: PNG with a transparent background, about 42 mm across when printed."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        verbose_name = _("department seal")
        verbose_name_plural = _("department seals")
        ordering = ["department_id"]

    def __str__(self) -> str:
        return str(self.department)


def pdf_upload_to(instance: Notice, filename: str) -> str:
    return f"notices/{instance.year}/{instance.issuer_id}/{instance.verify_code}.pdf"


class NoticeQuerySet(ScopedQuerySet["Notice"]):
    visibility_rule = "notices.access.notice_visible_q"


class Notice(models.Model):
    """An issued official document (公文): a permit decision, a notice of the permit procedure, a rectification
    order, a task assignment sheet or a drill notice.

    Numbered at the moment of issue (代字〔year〕N号, gapless per issuer, kind and year), rendered to PDF once by a
    Celery task and stored with its SHA-256; never edited, never re-rendered. Revoking (撤销) is a recorded act
    with a reason: the document stays, marked revoked. ``verify_code`` is printed on the document with a QR code
    and leads to the public verification page.
    """

    kind = models.CharField(_("document kind"), max_length=32, choices=NoticeKind.choices)
    issuer = models.ForeignKey(
        "org.Department", verbose_name=_("issuing department"), on_delete=models.PROTECT, related_name="notices"
    )
    # Denormalised for the indexed prefix matches of territorial scoping (属地): the issuer's territory and the
    # subject's (the subject's own when it has one, the issuer's otherwise).
    issuer_path = models.CharField(_("issuer's jurisdiction path"), max_length=255, editable=False)
    subject_path = models.CharField(_("subject's jurisdiction path"), max_length=255, editable=False)
    prefix = models.CharField(_("代字 (document prefix)"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    number = models.CharField(_("document number"), max_length=40)
    subject_type = models.ForeignKey(ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField(_("subject"), max_length=255)
    recipient = models.CharField(_("addressed to"), max_length=255)
    # The outside organisation the document is addressed to (an organizer, a venue operator): its people see it.
    recipient_organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("recipient organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    title = models.CharField(_("title"), max_length=255)
    context = models.JSONField(_("content"), default=dict)
    copy_to = models.JSONField(_("copied to"), default=list, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_on = models.DateField(_("date of issue"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verify_code = models.CharField(_("verification code"), max_length=VERIFY_CODE_LENGTH, unique=True)
    pdf = models.FileField(_("PDF"), upload_to=pdf_upload_to, max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(_("PDF size (bytes)"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    sealed = models.BooleanField(_("seal printed"), default=False)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # Belt and braces behind the counter lock: one serial per issuer, kind and year.
            models.UniqueConstraint(fields=["issuer", "kind", "year", "serial"], name="notices_notice_unique_serial"),
            models.CheckConstraint(condition=Q(serial__gte=1), name="notices_notice_serial_from_1"),
            models.CheckConstraint(
                condition=Q(status=NoticeStatus.ISSUED, revoked_at__isnull=True)
                | Q(status=NoticeStatus.REVOKED, revoked_at__isnull=False),
                name="notices_notice_revoked_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["issuer", "-issued_at"], name="notices_issuer_time_idx"),
            models.Index(fields=["subject_type", "subject_id", "-issued_at"], name="notices_subject_idx"),
            models.Index(fields=["issuer_path"], opclasses=["varchar_pattern_ops"], name="notices_issuer_path_idx"),
            models.Index(fields=["subject_path"], opclasses=["varchar_pattern_ops"], name="notices_subject_path_idx"),
            models.Index(fields=["recipient_organisation", "-issued_at"], name="notices_recipient_org_idx"),
            models.Index(fields=["-issued_at", "-id"], name="notices_time_idx"),
            models.Index(fields=["pdf"], condition=Q(pdf=""), name="notices_unrendered_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("notices:detail", args=[self.pk])

    # Guards, checked by the services under the row lock.
    def can_revoke(self) -> bool:
        return self.status == NoticeStatus.ISSUED

    @property
    def is_revoked(self) -> bool:
        return self.status == NoticeStatus.REVOKED

    @property
    def is_rendered(self) -> bool:
        return bool(self.pdf)

    @property
    def verify_code_display(self) -> str:
        """The code in groups of four, as printed: 7KQ3-M9XA-2HPD."""
        code = self.verify_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def download_url(self) -> str:
        return reverse("notices:download", args=[self.pk])

    @property
    def verify_url(self) -> str:
        return reverse("notice_verify", args=[self.verify_code])

    @property
    def absolute_verify_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.verify_url
