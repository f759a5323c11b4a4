"""What history records of the learner's writes (``roadmap.learning.changed``, connected in
apps.py): one event per status change and per saved note, in the write's transaction."""

from history.models import Event


def record_change(sender, *, user, resource, field: str, value, **kwargs) -> None:
    if field == "status":
        Event.objects.create(user=user, resource=resource, kind=Event.Kind.STATUS, status=value)
    elif field == "note" and value is not None:
        Event.objects.create(user=user, resource=resource, kind=Event.Kind.NOTE)
