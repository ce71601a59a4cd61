"""Serializers in tests: a list serializer whose item is written out for speed (issue 19) against DRF's generic
output, the reference."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from rest_framework import serializers

ZONES = ("Asia/Shanghai", "UTC")


def assert_items_are_drfs(
    serializer_class: type[serializers.ModelSerializer], objects: Iterable[Any], contexts: Iterable[Mapping] = ({},)
) -> None:
    """Each object's item equals DRF's generic ``to_representation`` field for field, in the fields' declared order,
    for every context and in two time zones."""
    objects = list(objects)
    for zone in ZONES:
        for context in contexts:
            with timezone.override(zone):
                for obj in objects:
                    serializer = serializer_class(obj, context=dict(context))
                    generic = serializers.ModelSerializer.to_representation(serializer, obj)
                    assert serializer.data == generic, (zone, context, obj.pk)
                    assert list(serializer.data) == serializer_class.Meta.fields
