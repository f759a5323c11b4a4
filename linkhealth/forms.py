from django import forms
from django.utils.translation import gettext_lazy as _

from linkhealth.models import LinkReport


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[("", _("Not sure")), *LinkReport.Reason.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the reasons listed, or “Not sure”.")},
    )
    comment = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "This comment is %(show_value)s characters long; at most %(limit_value)s fit. "
                "Nothing was sent: shorten it and send again."
            ),
        },
    )
