"""A learner with everything the signed-in pages can show, for scripts/lighthouse.

Run with ``python manage.py shell < scripts/lighthouse_learner.py`` against a database that has
the curriculum (``manage.py sync_curriculum``); it prints ``sessionid=<key>`` for the cookie and
the path of one note. Safe to run again: it starts the learner over, and makes the first
roadmap's last two resources new to them (the "what's new" list shows once per visit). It
rewrites when resources were added, so give it a database of its own, never a real one.
"""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from accounts.models import User
from roadmap.models import Note, Resource, Roadmap, Section, Visit

EMAIL = "lighthouse@example.com"

User.objects.filter(email=EMAIL).delete()
learner = User.objects.create_user(EMAIL, "lighthouse-password-1")
learner.date_joined = timezone.now() - timedelta(days=30)
learner.save(update_fields=["date_joined"])

# A second roadmap, so /roadmaps/ lists two.
second, _ = Roadmap.objects.get_or_create(
    slug="lighthouse-second", defaults={"title": "Second roadmap", "order": 99}
)
section, _ = Section.objects.get_or_create(
    roadmap=second, slug="basics", defaults={"title": "Basics"}
)
Resource.objects.get_or_create(
    roadmap=second, section=section, title="A second start", url="https://example.com/start"
)

roadmap = Roadmap.objects.published().order_by("order", "pk").first()
resources = list(Resource.objects.filter(roadmap=roadmap, is_published=True).order_by("pk"))
# Through the real views, so History and My progress have events to show.
client = Client(HTTP_HOST="localhost")
client.force_login(learner)
for resource, status in zip(resources, ["done", "in_progress", "skipped", "done"], strict=False):
    client.post(f"/resources/{resource.pk}/status/", {"status": status})
for resource, where in zip(resources[1:3], ["video 7, 12:40", "chapter 3"], strict=False):
    client.post(f"/resources/{resource.pk}/bookmark/", {"bookmark": where})
client.post(f"/resources/{resources[0].pk}/note/", {"body": "# Key idea\n\nAttention *is* all."})

Visit.objects.filter(user=learner).delete()
Resource.objects.filter(roadmap=roadmap).update(added_at=timezone.now() - timedelta(days=60))
Resource.objects.filter(pk__in=[r.pk for r in resources[-2:]]).update(
    added_at=timezone.now() - timedelta(days=1)
)
Roadmap.objects.filter(pk=roadmap.pk).touch()  # update() sends no signal
note = Note.objects.get(user=learner, resource=resources[0])
print(f"sessionid={client.cookies['sessionid'].value}")
print(f"note=/resources/{note.resource_id}/note/")
