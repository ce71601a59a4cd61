from __future__ import annotations

from rest_framework import serializers

from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation


class JurisdictionOutputSerializer(serializers.ModelSerializer):
    # The city at the top of the tree has no parent.
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "level", "level_label", "parent", "path", "depth"]


class JurisdictionTreeParamsSerializer(serializers.Serializer):
    depth = serializers.IntegerField(min_value=1, max_value=4, default=2)


class JurisdictionTreeNodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=JurisdictionLevel.choices)
    children = serializers.ListField(child=serializers.DictField(), help_text="Nodes of the same shape.")


class DepartmentOutputSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    jurisdiction_name = serializers.CharField(source="jurisdiction.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "jurisdiction",
            "jurisdiction_name",
            "duty_phone",
            "is_active",
        ]


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "credit_code"]


class MembershipOutputSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    # A membership is anchored on exactly one of these (a department, a jurisdiction or an organisation).
    department = DepartmentOutputSerializer(read_only=True, allow_null=True)
    jurisdiction = JurisdictionOutputSerializer(read_only=True, allow_null=True)
    organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["id", "role", "role_label", "title", "department", "jurisdiction", "organisation"]
