"""Template helpers for the pages."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Short labels in the page's language (the model's choices carry both languages at once).
STATE_LABELS = {
    "received": _("Received"),
    "has_issues": _("Has issues"),
    "edited": _("Edited"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
}


@register.filter
def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)
