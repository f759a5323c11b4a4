from django import template

from roadmap import estimates

register = template.Library()


@register.filter
def estimate(minutes: int | None) -> str:
    """ "~45 min" beside a resource; nothing for one without an estimate."""
    return f"~{estimates.format_estimate(minutes)}" if estimates.is_valid(minutes) else ""


@register.filter
def spoken_estimate(minutes: int | None) -> str:
    """ "about 45 minutes": what a screen reader says instead of "~45 min"."""
    return estimates.spoken_estimate(minutes) if estimates.is_valid(minutes) else ""


@register.filter
def time_summary(time: estimates.TimeLeft | None, learner: bool) -> str:
    """What is left for a learner, what it takes in all for a visitor; "" to stay quiet."""
    if time is None:
        return ""
    return time.left() if learner else time.in_all()
