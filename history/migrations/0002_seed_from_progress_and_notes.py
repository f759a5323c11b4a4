"""Nobody starts at zero: existing check-offs and notes become the first events."""

from django.db import migrations


def seed(apps, schema_editor):
    Event = apps.get_model("history", "Event")
    Progress = apps.get_model("roadmap", "Progress")
    Note = apps.get_model("roadmap", "Note")
    batch = [
        Event(
            user_id=row.user_id,
            resource_id=row.resource_id,
            kind="status",
            status=row.status,
            created_at=row.updated_at,
        )
        for row in Progress.objects.exclude(status="not_started").iterator()
    ]
    batch += [
        Event(user_id=n.user_id, resource_id=n.resource_id, kind="note", created_at=n.updated_at)
        for n in Note.objects.iterator()
    ]
    Event.objects.bulk_create(batch, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0001_events"),
        ("roadmap", "0004_progress_status_bookmark"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=True)]
