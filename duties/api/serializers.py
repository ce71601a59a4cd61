"""API serializers of the responsibility engine: filters and inputs apart from outputs (HackSoft style)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crowdsafe.common.api import SITE_PATH, api_date, api_datetime
from duties.explain import explain
from duties.models import ResponsibilityRule, Task, TaskAttachment, TaskReassignment
from duties.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH


class RuleOutputSerializer(serializers.ModelSerializer):
    subject_type_label = serializers.CharField(source="get_subject_type_display", read_only=True)
    event_label = serializers.CharField(source="get_event_display", read_only=True)
    party_kind_label = serializers.CharField(source="get_party_kind_display", read_only=True)
    department_kind_label = serializers.CharField(source="get_department_kind_display", read_only=True)
    basis_label = serializers.CharField(source="get_basis_display", read_only=True)
    conditions = serializers.JSONField(read_only=True, help_text="See duties/conditions.py for the language.")
    # Plain strings, not enums: these choice sets already have names elsewhere in the schema (a department's
    # "kind", a jurisdiction's "level", the calendar's "unit").
    department_kind = serializers.CharField(
        read_only=True, help_text="For a department party: a department kind (e.g. fire_rescue); else empty."
    )
    department_level = serializers.CharField(
        read_only=True,
        help_text="Level the search for the department starts at (city, district, …); empty: the subject's.",
    )
    deadline_unit = serializers.CharField(read_only=True, help_text="working or calendar (days).")

    class Meta:
        model = ResponsibilityRule
        fields = [
            "id",
            "name",
            "is_active",
            "subject_type",
            "subject_type_label",
            "event",
            "event_label",
            "conditions",
            "duty_name",
            "duty_description",
            "party_kind",
            "party_kind_label",
            "department_kind",
            "department_kind_label",
            "department_level",
            "basis",
            "basis_label",
            "deadline_days",
            "deadline_unit",
            "deadline_from",
            "deadline_attribute",
            "recurrence_months",
            "source",
        ]


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class JurisdictionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SubjectRefSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="The subject type: venue, gathering, permit_application, hazard or drill.")
    id = serializers.IntegerField()
    label = serializers.CharField()


class TaskOutputSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    basis_label = serializers.CharField(source="get_basis_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    responsible_department = serializers.SerializerMethodField()
    responsible_organisation = serializers.SerializerMethodField()
    responsible_jurisdiction = serializers.SerializerMethodField()
    responsible_person = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    is_unassigned = serializers.BooleanField(read_only=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "subject",
            "jurisdiction",
            "jurisdiction_name",
            "duty_name",
            "basis",
            "basis_label",
            "party_kind",
            "responsible_department",
            "responsible_organisation",
            "responsible_jurisdiction",
            "responsible_person",
            "is_unassigned",
            "rule",
            "period",
            "anchor_date",
            "due_date",
            "status",
            "status_label",
            "is_overdue",
            "explanation",
            "created_at",
            "started_at",
            "completed_at",
            "cancelled_at",
        ]

    @extend_schema_field(SubjectRefSerializer)
    def get_subject(self, task: Task) -> dict:
        return {"type": task.subject_type, "id": task.subject_id, "label": task.subject_label}

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_responsible_department(self, task: Task) -> dict | None:
        d = task.responsible_department
        return {"id": d.pk, "name": d.name} if d else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_responsible_organisation(self, task: Task) -> dict | None:
        o = task.responsible_organisation
        return {"id": o.pk, "name": o.name} if o else None

    @extend_schema_field(JurisdictionRefSerializer(allow_null=True))
    def get_responsible_jurisdiction(self, task: Task) -> dict | None:
        j = task.responsible_jurisdiction
        return {"code": j.code, "name": j.name} if j else None

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_responsible_person(self, task: Task) -> dict | None:
        p = task.responsible_person
        return {"id": p.pk, "name": p.display_name} if p else None

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, task: Task) -> bool:
        annotated = getattr(task, "is_overdue", None)
        if annotated is not None:
            return bool(annotated)
        return task.overdue_on(self.context["today"])

    @extend_schema_field(OpenApiTypes.STR)
    def get_explanation(self, task: Task) -> str:
        """The one-sentence explanation, in the request's language."""
        return explain(task.explanation_data) if task.explanation_data else task.explanation

    def to_representation(self, task: Task) -> dict:
        """What DRF's generic ``to_representation`` makes of the fields above, written out (issue 19: the task list
        is 50 rows of 25 fields, and the generic path's per-field ``get_attribute`` / ``to_representation`` calls
        and five method fields per row were most of the API list's server time). The declared fields stay: they
        are the schema. tests/duties/test_task_api.py checks that both give the same for tasks of every kind."""
        zone = timezone.get_current_timezone()
        jurisdiction = task.jurisdiction
        department = task.responsible_department
        organisation = task.responsible_organisation
        township = task.responsible_jurisdiction
        person = task.responsible_person
        return {
            "id": task.pk,
            "subject": {"type": task.subject_type, "id": task.subject_id, "label": task.subject_label},
            "jurisdiction": jurisdiction.code,
            "jurisdiction_name": jurisdiction.name,
            "duty_name": task.duty_name,
            "basis": task.basis,
            "basis_label": str(task.get_basis_display()),
            "party_kind": task.party_kind,
            "responsible_department": {"id": department.pk, "name": department.name} if department else None,
            "responsible_organisation": {"id": organisation.pk, "name": organisation.name} if organisation else None,
            "responsible_jurisdiction": {"code": township.code, "name": township.name} if township else None,
            "responsible_person": {"id": person.pk, "name": person.display_name} if person else None,
            "is_unassigned": task.is_unassigned,
            "rule": task.rule_id,
            "period": task.period,
            "anchor_date": api_date(task.anchor_date),
            "due_date": api_date(task.due_date),
            "status": task.status,
            "status_label": str(task.get_status_display()),
            "is_overdue": self.get_is_overdue(task),
            "explanation": self.get_explanation(task),
            "created_at": api_datetime(task.created_at, zone),
            "started_at": api_datetime(task.started_at, zone),
            "completed_at": api_datetime(task.completed_at, zone),
            "cancelled_at": api_datetime(task.cancelled_at, zone),
        }


class AttachmentOutputSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TaskAttachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "url"]

    @extend_schema_field(SITE_PATH)
    def get_url(self, item: TaskAttachment) -> str:
        return reverse("duties:attachment", args=[item.task_id, item.pk])


class ReassignmentOutputSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TaskReassignment
        fields = ["id", "created_at", "from_label", "to_label", "reason", "actor"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, item: TaskReassignment) -> str:
        return item.actor.display_name if item.actor else ""


class TaskDetailOutputSerializer(TaskOutputSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    attachments = AttachmentOutputSerializer(many=True, read_only=True)
    reassignments = ReassignmentOutputSerializer(many=True, read_only=True)

    def to_representation(self, task: Task) -> dict:
        # One task at a time: DRF's generic path, field by field.
        return serializers.ModelSerializer.to_representation(self, task)

    class Meta(TaskOutputSerializer.Meta):
        fields = [
            *TaskOutputSerializer.Meta.fields,
            "rule_name",
            "duty_description",
            "completion_note",
            "cancel_reason",
            "attachments",
            "reassignments",
        ]


class TaskCompleteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, help_text="What was done (required).")
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="Evidence: PDF, JPG, PNG, DOCX, XLSX."
    )


class TaskReassignInputSerializer(serializers.Serializer):
    department = serializers.IntegerField(required=False, min_value=1, help_text="Id of the department to give it to.")
    person = serializers.IntegerField(required=False, min_value=1, help_text="Id of a user of the new holder.")
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)

    def validate(self, attrs):
        if not attrs.get("department") and not attrs.get("person"):
            raise serializers.ValidationError("Give department or person (or both).")
        return attrs


class TaskCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
