from django.db import migrations, models
from django.db.models import F


def updated_when_created(apps, schema_editor):
    Progress = apps.get_model("roadmap", "Progress")
    Progress.objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0003_roadmap_content_version"),
    ]

    operations = [
        migrations.RenameField(
            model_name="progress", old_name="completed_at", new_name="created_at"
        ),
        # Every existing row was a check-off: the default keeps its meaning.
        migrations.AddField(
            model_name="progress",
            name="status",
            field=models.CharField(
                choices=[
                    ("not_started", "Not started"),
                    ("in_progress", "In progress"),
                    ("done", "Done"),
                    ("skipped", "Skipped"),
                ],
                default="done",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="progress",
            name="bookmark",
            field=models.CharField(
                blank=True, help_text="Where the learner stopped: “video 7, 12:40”.", max_length=200
            ),
        ),
        migrations.AddField(
            model_name="progress",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
            preserve_default=False,
        ),
        migrations.RunPython(updated_when_created, migrations.RunPython.noop, elidable=True),
    ]
