"""History's receivers, connected in apps.py: an event per status change and per saved note
(``roadmap.learning.changed``, in the learner's transaction), and the clean-up of unconfirmed
imports queued when a worker starts (``worker.signals.worker_starting``)."""

from history.models import Event


def record_change(sender, *, user, resource, field: str, value, **kwargs) -> None:
    if field == "status":
        Event.objects.create(user=user, resource=resource, kind=Event.Kind.STATUS, status=value)
    elif field == "note" and value is not None:
        Event.objects.create(user=user, resource=resource, kind=Event.Kind.NOTE)


def queue_import_cleanup(sender, **kwargs) -> str | None:
    """When a worker starts: the hourly clean-up of unconfirmed imports keeps itself going."""
    from history.tasks import schedule_import_cleanup

    if when := schedule_import_cleanup():
        return f"Clean-up of unconfirmed imports queued for {when:%Y-%m-%d %H:%M %Z}."
    return None
