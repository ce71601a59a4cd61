"""crowdsafe.common.html writes what django.utils.html writes, value by value (issue 19: the list rows' fast path)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import html as django_html
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, override

from crowdsafe.common import html


class Label(str):
    """A str subclass without ``__html__`` (as a model's TextChoices value is)."""


class Shown:
    def __str__(self) -> str:
        return "<b>\"shown\" & 'quoted'</b>"


VALUES = [
    "plain",
    "<script>alert('x') & \"y\"</script>",
    "",
    "中文 <标签> & 引号\"'",
    mark_safe("<em>trusted</em>"),
    SafeString("<i>safe & sound</i>"),
    Label("<label & 'kind'>"),
    gettext_lazy("Overdue"),
    lazy(lambda: "<lazy & 'text'>", str)(),
    0,
    1234567,
    -3.5,
    Decimal("12.50"),
    None,
    True,
    dt.date(2026, 12, 7),
    Shown(),
    "{braces} {0}",
]


@pytest.mark.parametrize("value", VALUES, ids=[f"{i}-{type(v).__name__}" for i, v in enumerate(VALUES)])
def test_escape_is_conditional_escape(value):
    with override("zh-hans"):
        assert html.escape(value) == str(django_html.conditional_escape(value))


def test_format_html_is_djangos():
    with override("zh-hans"):
        for value in VALUES:
            expected = django_html.format_html('<td data-x="{}">{}</td>', value, value)
            got = html.format_html('<td data-x="{}">{}</td>', value, value)
            assert got == expected
            assert isinstance(got, SafeString)


def test_format_rows_is_format_html_join():
    rows = [(value, index, VALUES[-1 - index]) for index, value in enumerate(VALUES)]
    expected = django_html.format_html_join("\n", '<tr data-i="{1}"><td>{0}</td><td>{2}</td></tr>', rows)
    got = html.format_rows("\n", '<tr data-i="{1}"><td>{0}</td><td>{2}</td></tr>', rows)
    assert got == expected
    assert isinstance(got, SafeString)
    assert html.format_rows("", "<p>{}</p>", []) == ""


def test_format_words_are_escaped_and_their_braces_written():
    words = html.format_words("到期 <日期>", mark_safe("<b>x</b>"), "{留空}")
    assert words == ["到期 &lt;日期&gt;", "<b>x</b>", "{{留空}}"]
    row_format = f'<td data-label="{words[2]}">{{}}</td>'
    assert html.format_rows("", row_format, [("<v>",)]) == '<td data-label="{留空}">&lt;v&gt;</td>'
