"""{% subject_tasks obj %} lists the duties about a subject on its page, links only those the user may open,
and shows an empty state."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from duties.models import Task
from tests.venues.conftest import make_venue

pytestmark = pytest.mark.django_db


def render(obj, user):
    request = RequestFactory().get("/")
    request.user = user
    with translation.override("en"):
        return Template("{% load duty_tags %}{% subject_tasks obj %}").render(Context({"obj": obj, "request": request}))


def test_it_lists_the_duties_of_the_subject_and_links_those_the_user_may_open(city, users):
    venue = make_venue(city.grid, name="东大街商场", kind="commercial")
    tasks = Task.objects.filter(subject_type="venue", subject_id=venue.pk)
    territorial = tasks.get(basis="territorial")
    assert tasks.count() >= 2

    html = render(venue, users.township_officer)

    for task in tasks:
        assert f'data-task="{task.pk}"' in html
    assert f'href="/tasks/{territorial.pk}/"' in html

    outsider_html = render(venue, users.outsider)
    assert f'data-task="{territorial.pk}"' in outsider_html
    assert "/tasks/" not in outsider_html


def test_a_subject_without_duties_shows_the_empty_state(city, users):
    html = render(city.grid, users.staff)  # not a registered subject at all
    assert "No duties about this record yet" in html
    assert "data-subject-tasks-empty" in html


def test_the_venue_page_shows_its_duties(client, city, users):
    venue = make_venue(city.grid, name="东大街商场", kind="commercial")
    client.force_login(users.township_officer)
    response = client.get(f"/venues/{venue.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'data-section="duties"' in response.content.decode()
