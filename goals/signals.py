def queue_reminders(sender, **kwargs) -> str | None:
    """When a worker starts: the reminders keep themselves going from then on."""
    from goals.tasks import schedule_reminders

    if when := schedule_reminders():
        return f"Reminders queued for {when:%Y-%m-%d %H:%M %Z}."
    return None
