"""The group page's progress table, its CSV, the members' view and reminders (frozen clocks)."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.models import Nudge
from roadmap.models import Progress
from tests.conftest import client_for, make_resource, make_section, make_user
from tests.groups_helpers import Role, add_member, make_group

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def set_status(user, resource, status, when=NOW):
    row = Progress.objects.create(user=user, resource=resource, status=status)
    Progress.objects.filter(pk=row.pk).update(updated_at=when)


@pytest.fixture
def course(alice, bob, carol):
    """Ten resources in two parts; the group started 10 days before NOW, to finish 10 after."""
    first = make_section(title="Basics")
    second = make_section(first.roadmap, title="Transformers")
    resources = [make_resource(first) for _ in range(4)] + [make_resource(second) for _ in range(6)]
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        group = make_group(alice, first.roadmap, target_date=date(2026, 6, 11))
    add_member(group, bob, name="Bobby")
    add_member(group, carol, name="Carla")
    for resource in resources[:6]:
        set_status(bob, resource, Progress.Status.DONE)
    set_status(carol, resources[0], Progress.Status.IN_PROGRESS, NOW - timedelta(days=20))
    return group, resources


@pytest.mark.django_db
def test_organizers_see_each_member_by_part_with_pace_and_stuck(course, alice):
    group, _ = course
    with time_machine.travel(NOW, tick=False):
        page = client_for(alice).get(f"/groups/{group.pk}/").content.decode()
    bobby = page.split("Bobby", 1)[1].split("</tr>", 1)[0]
    assert "4/4" in bobby and "2/6" in bobby and "60%" in bobby and "on track" in bobby
    carla = page.split("Carla", 1)[1].split("</tr>", 1)[0]
    assert "possibly stuck" in carla and "behind by 5" in carla
    assert "pace expects 5 resources" in page


@pytest.mark.django_db
def test_the_table_sorts_and_filters_without_javascript(course, alice):
    group, _ = course
    client = client_for(alice)
    with time_machine.travel(NOW, tick=False):
        behind = client.get(f"/groups/{group.pk}/?show=behind").content.decode()
        by_progress = client.get(f"/groups/{group.pk}/?sort=-progress").content.decode()
        named = client.get(f"/groups/{group.pk}/?q=carl").content.decode()
        junk = client.get(f"/groups/{group.pk}/?sort=evil&show=nope")
    table = behind.split("<tbody>", 1)[1]
    assert "Carla" in table and "Bobby" not in table.split("</tbody>")[0]
    body = by_progress.split("<tbody>", 1)[1]
    assert body.index("Bobby") < body.index("Carla")
    assert 'aria-sort="descending"' in by_progress
    assert "Bobby" not in named.split("<tbody>", 1)[1].split("</tbody>")[0]
    assert junk.status_code == 200


@pytest.mark.django_db
def test_the_csv_has_the_table_and_escapes_formulas(course, alice):
    group, _ = course
    add_member(group, make_user("evil@example.com"), name="=HYPERLINK(1)")
    with time_machine.travel(NOW, tick=False):
        response = client_for(alice).get(f"/groups/{group.pk}/progress.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    by_name = {row["display_name"]: row for row in rows}
    assert by_name["Bobby"]["done"] == "6" and by_name["Carla"]["possibly_stuck"] == "yes"
    assert by_name["Carla"]["behind"] == "5"
    assert "'=HYPERLINK(1)" in by_name
    assert {"member", "display_name", "done"} <= set(rows[0])


@pytest.mark.django_db
def test_members_see_the_aggregate_not_the_table(course, bob):
    group, _ = course
    with time_machine.travel(NOW, tick=False):
        page = client_for(bob).get(f"/groups/{group.pk}/").content.decode()
    assert "Carla" not in page
    assert "Median progress: 0%" in page
    basics = page.split("Basics</th>", 1)[1].split("</tr>")[0]
    assert ">1<" in basics  # Bobby finished the first part


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_at_any_size(alice):
    section = make_section()
    for _ in range(5):
        make_resource(section)
    group = make_group(alice, section.roadmap)
    client = client_for(alice)
    client.get(f"/groups/{group.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/groups/{group.pk}/")
    for i in range(20):
        member = make_user(f"m{i}@example.com")
        add_member(group, member)
        for resource in section.resources.all()[:3]:
            set_status(member, resource, Progress.Status.DONE)
    with CaptureQueriesContext(connection) as many:
        client.get(f"/groups/{group.pk}/")
    assert len(few) == len(many)


@pytest.mark.django_db
def test_a_reminder_goes_to_members_behind_once_a_day(course, alice, carol):
    group, resources = course
    carol.language = "en"
    carol.save(update_fields=["language"])
    client = client_for(alice)
    with time_machine.travel(NOW, tick=False):
        response = client.post(f"/groups/{group.pk}/remind/")
        assert response.status_code == 302
        again = client.post(f"/groups/{group.pk}/remind/", follow=True)
    assert "already went out today" in again.content.decode()
    assert [m.to for m in mail.outbox] == [["carol@example.com"]]
    body = mail.outbox[0].body
    assert "0 of 10 resources" in body and resources[0].title in body
    assert Nudge.objects.get().recipients == 1
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        client.post(f"/groups/{group.pk}/remind/")
    assert Nudge.objects.count() == 2


@pytest.mark.django_db
def test_members_who_turned_group_emails_off_get_none(course, alice, carol):
    group, _ = course
    client_for(carol).post(f"/groups/{group.pk}/me/", {"display_name": "Carla"})
    with time_machine.travel(NOW, tick=False):
        client_for(alice).post(f"/groups/{group.pk}/remind/")
    assert mail.outbox == [] and not Nudge.objects.exists()


@pytest.mark.django_db
def test_plain_members_cannot_send_reminders(course, bob):
    group, _ = course
    with time_machine.travel(NOW, tick=False):
        assert client_for(bob).post(f"/groups/{group.pk}/remind/").status_code == 404
    assert mail.outbox == []


@pytest.mark.django_db
def test_without_a_target_date_there_is_no_pace(alice, bob):
    group = make_group(alice)
    add_member(group, bob, Role.MEMBER, name="Bobby")
    page = client_for(alice).get(f"/groups/{group.pk}/").content.decode()
    assert "behind by" not in page and "Set a target date" in page


def test_two_organizers_reminding_at_once_send_one_reminder(transactional_db):
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL's concurrent writers (CI runs it with DATABASE_URL set).")
    owner, helper, late = (make_user(f"{n}@example.com") for n in ("o", "h", "l"))
    section = make_section()
    for _ in range(4):
        make_resource(section)
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        group = make_group(owner, section.roadmap, target_date=date(2026, 6, 11))
    add_member(group, helper, Role.ORGANIZER)
    add_member(group, late)
    barrier = threading.Barrier(2)
    codes = []

    def remind(user):
        try:
            client = client_for(user)
            barrier.wait()
            with time_machine.travel(NOW, tick=False):
                codes.append(client.post(f"/groups/{group.pk}/remind/").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=remind, args=(u,)) for u in (owner, helper)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [302, 302]
    assert Nudge.objects.count() == 1
    # The reminder of whichever came first: the late member and the other organizer.
    assert len(mail.outbox) == 2 and ["l@example.com"] in [m.to for m in mail.outbox]
