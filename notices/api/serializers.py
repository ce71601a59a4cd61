"""API serializers for official documents: filter, input and output kept apart (HackSoft)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdsafe.org.models import Department
from notices.choices import NoticeKind, NoticeStatus
from notices.models import Notice
from notices.services import MAX_REASON_LENGTH


def _choice_field(choices, component: str) -> type[serializers.ChoiceField]:
    schema = {
        "type": "string",
        "enum": list(choices.values),
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
    }
    field = type(f"{component}Field", (serializers.ChoiceField,), {"__doc__": f"A {component} value."})
    return extend_schema_field(schema, component_name=component)(field)


NoticeKindField = _choice_field(NoticeKind, "NoticeKind")
NoticeStatusField = _choice_field(NoticeStatus, "NoticeStatus")


class NoticeRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_REASON_LENGTH)


class IssuerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name"]


class NoticeOutputSerializer(serializers.ModelSerializer):
    """A document as listed: its number, kind, parties, date and status, with the links to its PDF and its
    public verification page."""

    kind = NoticeKindField(choices=NoticeKind.choices)
    status = NoticeStatusField(choices=NoticeStatus.choices)
    issuer = IssuerBriefSerializer()
    pdf_ready = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "number",
            "prefix",
            "year",
            "serial",
            "title",
            "issuer",
            "recipient",
            "subject_label",
            "issued_on",
            "issued_at",
            "status",
            "verify_code",
            "pdf_ready",
            "sha256",
            "download_url",
            "verify_url",
            "page_url",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_pdf_ready(self, notice: Notice) -> bool:
        return bool(notice.pdf)

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})  # none until the PDF is rendered
    def get_download_url(self, notice: Notice) -> str | None:
        from django.urls import reverse

        if not notice.pdf:
            return None
        return self._absolute(reverse("v1:notice-pdf", args=[notice.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_verify_url(self, notice: Notice) -> str:
        return notice.absolute_verify_url

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, notice: Notice) -> str:
        return self._absolute(notice.get_absolute_url())


class NoticeDetailOutputSerializer(NoticeOutputSerializer):
    """A document with its contents (the context it was rendered from, dates as ISO strings), the copy-to and
    attachment lists, the PDF's facts and the revocation, if any."""

    class Meta(NoticeOutputSerializer.Meta):
        fields = [
            *NoticeOutputSerializer.Meta.fields,
            "context",
            "copy_to",
            "attachments",
            "pages",
            "pdf_size",
            "sealed",
            "rendered_at",
            "revoked_at",
            "revoke_reason",
        ]
