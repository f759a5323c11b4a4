from django import template

from goals.display import pace_of_request
from goals.pace import Pace

register = template.Library()


@register.simple_tag(takes_context=True)
def learner_pace(context) -> Pace | None:
    """The signed-in learner's pace toward their weekly goal, or None without a goal."""
    return pace_of_request(context["request"])
