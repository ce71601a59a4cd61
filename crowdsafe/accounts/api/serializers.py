from __future__ import annotations

from rest_framework import serializers

from crowdsafe.accounts.models import User
from crowdsafe.org.api.serializers import MembershipOutputSerializer


class MeOutputSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    memberships = MembershipOutputSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "full_name", "email", "phone", "is_staff", "memberships"]
