"""Choice labels from a memo per language (issue 19 point 1: ~1,200 catalogue lookups per list page)."""

from __future__ import annotations

from django.db import models
from django.utils import translation

from crowdsafe.common import labels
from events.models import Gathering


def test_the_memo_is_what_get_foo_display_uses():
    assert models.Model._get_FIELD_display is labels.choice_display


def test_a_fields_labels_are_translated_once_per_language_then_read(monkeypatch):
    labels.clear()
    calls = []
    real = labels.force_str

    def counting(value, **kwargs):
        calls.append(value)
        return real(value, **kwargs)

    monkeypatch.setattr(labels, "force_str", counting)
    gatherings = [Gathering(status=status) for status in ("reported", "verified", "ended")] * 40
    with translation.override("zh-hans"):
        chinese = [g.get_status_display() for g in gatherings]
    first = len(calls)
    assert first == len(Gathering._meta.get_field("status").flatchoices)  # one per choice, not one per row
    with translation.override("zh-hans"):
        assert [g.get_status_display() for g in gatherings] == chinese
    assert len(calls) == first
    with translation.override("en"):
        english = [g.get_status_display() for g in gatherings]
    assert english[:3] == ["Reported", "Verified", "Ended"]
    # Each language has its own entry: a reader in another language never gets the first one's labels.
    field = Gathering._meta.get_field("status")
    assert {key for key in labels._LABELS if key[1] == id(field)} == {("zh-hans", id(field)), ("en", id(field))}
    assert len(calls) == 2 * first and all(isinstance(label, str) for label in chinese)


def test_an_unknown_value_reads_as_itself_as_in_django():
    assert Gathering(status="no-such-status").get_status_display() == "no-such-status"
