"""The learner's goal and email choices in their data export, and back in through an import.

Registered with history's settings parts (history/settings_parts.py) in ``GoalsConfig.ready()``:
the export carries ``"settings": {"goal": {...}}`` (``null`` without a goal), the fields of the
settings form (``GoalForm``) and nothing of what the app keeps for itself (the emails sent, the
unsubscribe links' nonce). An import checks the file's values with that same form, against the
learner's goal as it is: a value the settings page would refuse refuses the file. Fields the
file leaves out keep their current value, and ``null`` for the whole goal changes nothing.
"""

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.template.defaultfilters import yesno
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from goals.forms import GoalForm
from goals.models import Goal
from history.settings_parts import SettingsPart, register

KEY = "goal"
FIELDS = GoalForm.Meta.fields


def export_goal(user) -> dict | None:
    goal = Goal.objects.filter(user=user).first()
    if goal is None:
        return None
    values = {name: getattr(goal, name) for name in FIELDS}
    values["finish_by"] = goal.finish_by.isoformat() if goal.finish_by else None
    return values


def _form(user, values: dict) -> tuple[GoalForm, dict]:
    """The settings form as if the learner had posted the file's values over their goal as it
    is, and that goal's values before."""
    goal = GoalForm(user=user).instance
    before = {name: getattr(goal, name) for name in FIELDS}
    # As the form would post them: text (a date's str() is its ISO form), the box a boolean.
    data: dict[str, Any] = {
        name: "" if value is None else str(value) for name, value in before.items()
    }
    data["weekly_summary"] = goal.weekly_summary
    for name, value in values.items():
        data[name] = value if name == "weekly_summary" else "" if value is None else str(value)
    return GoalForm(data, user=user), before


def parse_goal(value: Any, user) -> dict | None:
    """The file's goal, checked as the settings form checks it; ValueError says what is wrong."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(_("The goal in the settings must be an object or null."))
    values = {name: value[name] for name in FIELDS if name in value}
    if "weekly_summary" in values and not isinstance(values["weekly_summary"], bool):
        raise ValueError(
            _("In your goal settings, %(field)s must be true or false.")
            % {"field": GoalForm.Meta.labels["weekly_summary"]}
        )
    if user is None:  # checked before anyone imports it: as for a new learner
        user = get_user_model()()
    form, _before = _form(user, values)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        field = form.fields[name].label if name in form.fields else KEY
        raise ValueError(
            _("In your goal settings, %(field)s: %(error)s") % {"field": field, "error": errors[0]}
        )
    cleaned = {name: form.cleaned_data[name] for name in values}
    if isinstance(cleaned.get("finish_by"), date):
        cleaned["finish_by"] = cleaned["finish_by"].isoformat()
    return cleaned


def _shown(form: GoalForm, name: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return yesno(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(dict(getattr(form.fields[name], "choices", ())).get(value, value))


def goal_changes(user, values: dict | None) -> list[tuple[str, str, str]]:
    """(label, now, from the file) for each setting the import would change. None when the
    settings form would keep no goal from them (nothing chosen), or no longer takes them (a
    finish date that passed since the upload)."""
    if not values:
        return []
    form, before = _form(user, values)
    if not form.is_valid():
        return []
    goal = form.instance  # with the file's values now
    if goal.pk is None and not (goal.weekly_goal or goal.finish_by or goal.wants_email):
        return []
    return [
        (
            str(form.fields[name].label),
            _shown(form, name, before[name]),
            _shown(form, name, form.cleaned_data[name]),
        )
        for name in values
        if before[name] != form.cleaned_data[name]
    ]


def apply_goal(user, values: dict | None) -> None:
    """Save the file's goal through the settings form, the one writer of goals."""
    if not values:
        return
    form, _before = _form(user, values)
    if form.is_valid():
        form.save()


def goal_markdown(user) -> list[str]:
    """The goal as the study document shows it: a heading and the settings form's labels."""
    form = GoalForm(user=user)
    goal = form.instance
    if goal.pk is None:
        return []
    lines = ["## " + capfirst(Goal._meta.verbose_name), ""]
    for name in FIELDS:
        lines.append(f"- {form.fields[name].label}: {_shown(form, name, getattr(goal, name))}")
    return lines


def register_export_part() -> None:
    register(
        SettingsPart(
            key=KEY,
            export=export_goal,
            parse=parse_goal,
            changes=goal_changes,
            apply=apply_goal,
            markdown=goal_markdown,
        )
    )
