"""Numbers on the public page in the reader's language: 87,4 (vi) or 87.4 (en)."""

from django import template

from backend.publication.vietnamese import is_missing, number_vi

register = template.Library()


@register.filter
def figure(value, lang: str = "vi") -> str:
    """One decimal: 87,4 (vi) / 87.4 (en)."""
    return _figure(value, lang, digits=1, trim=False)


@register.filter
def whole(value, lang: str = "vi") -> str:
    """Targets, counts and 100 % without a needless ",0"."""
    return _figure(value, lang, digits=1, trim=True)


def _figure(value, lang: str, *, digits: int, trim: bool) -> str:
    if is_missing(value):
        return "—"
    text = number_vi(value, digits, trim=trim)
    if lang == "en":
        text = text.replace(".", "\0").replace(",", ".").replace("\0", ",")
    return text


@register.filter
def signed(value, lang: str = "vi") -> str:
    if is_missing(value):
        return "—"
    return ("+" if round(float(value), 1) > 0 else "") + figure(value, lang)


@register.filter
def op_sign(op: str) -> str:
    return {">=": "≥", ">": ">"}.get(op, op)
