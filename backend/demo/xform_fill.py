"""A small XForm engine for generated instances (pure: lxml, no Django).

It builds the submission XML of a published form version from a flat dict of answers
(field name → value; a repeat's name → list of dicts), then applies the form's own binds
the way ODK Collect does before it sends a submission:

- preloads (start, end, today, deviceid, instanceID) and `calculate`s are computed, reading
  secondary instances the caller supplies (`instance('households')/root/item[name=…]`, the rows
  of an entity list as the phone has it);
- the entity block (`meta/entity` and its create/update/id/baseVersion… attributes) is filled
  from its binds as Collect writes it;
- non-relevant nodes are dropped (Collect and Web Forms leave them out of the submission);
- a relevant `required` field the answers left empty gets a valid generic value, so a field
  added to the form later still yields a valid instance;
- `required`, `constraint`, data type, choice lists and repeat counts are checked; any
  violation raises `InstanceInvalid` — a generated instance that breaks its form is a bug.

The XPath is evaluated by libxml2 (XPath 1.0) with the ODK functions the commune's forms
use added as extensions. It is a re-check, not JavaRosa: the Node test under tests/demo/
runs the real ODK engine (@getodk/xforms-engine) on a sample of the same instances.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass, field

from lxml import etree

from backend.core.xform_schema import ATTRIBUTE, REPEAT, xform_schema
from backend.core.xform_schema import Bind as SchemaBind

JR = "http://openrosa.org/javarosa"
EPOCH = dt.date(1970, 1, 1)


class InstanceInvalid(ValueError):
    def __init__(self, form_id: str, violations: list[str]):
        self.violations = violations
        super().__init__(f"generated {form_id} instance breaks its form: " + "; ".join(violations))


@dataclass
class Bind:
    path: str
    type: str = "string"
    required: object = None
    relevant: object = None
    constraint: object = None
    calculate: object = None
    calculate_once: bool = False
    preload: str = ""
    locate: object = None  # compiled XPath of `path`
    attribute: str = ""  # an attribute bind ("meta/entity/@id"): the attribute's name; locate finds its element


@dataclass
class XFormModel:
    root_name: str
    form_id: str
    version: str
    template: etree._Element  # primary instance without namespace, one prototype per repeat
    binds: list[Bind]
    repeats: dict[str, object | None] = field(default_factory=dict)  # path → compiled jr:count
    choices: dict[str, list[str] | None] = field(default_factory=dict)  # path → allowed values
    multiple: set[str] = field(default_factory=set)

    @classmethod
    def from_xform(cls, xform: bytes, *, external: dict[str, list[str]] | None = None) -> XFormModel:
        """`external` gives the allowed values of CSV choice lists by instance id ('ap': codes)."""
        schema = xform_schema(xform)
        template = etree.Element(schema.root)
        elements = {"": template}
        for node in schema.nodes:
            if node.kind == ATTRIBUTE:
                # entity attributes: the literal (dataset="households") or "" until a bind fills it
                elements[node.parent].set(node.name.lstrip("@"), node.default)
                continue
            elements[node.path] = etree.SubElement(elements[node.parent], node.name)
        for entity in schema.entities:
            if entity.path in elements:
                elements[entity.path].set("dataset", entity.dataset)
        binds = [_bind(b) for b in schema.binds]
        repeats, choices, multiple = {}, {}, set()
        for node in schema.nodes:
            nodeset = schema.nodeset(node.path)
            if node.kind == REPEAT:
                repeats[nodeset] = _xpath(node.repeat_count) if node.repeat_count else None
            if node.choices is not None and node.control in ("select", "select1"):
                source = node.choices
                if source.external:
                    choices[nodeset] = (external or {}).get(source.instance_id)
                else:
                    choices[nodeset] = [c.value for c in source.choices]
                if node.control == "select":
                    multiple.add(nodeset)
        return cls(schema.root, schema.form_id, schema.version, template, binds, repeats, choices, multiple)

    def fields(self) -> set[str]:
        return {b.path.rsplit("/", 1)[-1] for b in self.binds}


# Secondary instances of the instance being built: {instance id: {row name: row}}.
_SECONDARY: contextvars.ContextVar[dict | None] = contextvars.ContextVar("xform_fill_secondary", default=None)


def instance_xml(
    model: XFormModel,
    answers: dict,
    *,
    instance_id: str,
    start: str,
    end: str,
    today: str,
    deviceid: str,
    instances: dict[str, list[dict]] | None = None,
    check: bool = True,
) -> bytes:
    """Submission XML for `model` from `answers`; raises InstanceInvalid if it breaks the form
    (unless `check` is False: the same bytes, the checks skipped).
    `instances` gives the rows of external CSV instances by id ({"households": [row…]})."""
    by_name = {name: {str(r.get("name", "")): r for r in rows} for name, rows in (instances or {}).items()}
    token = _SECONDARY.set(by_name)
    try:
        return _instance_xml(
            model, answers, instance_id=instance_id, start=start, end=end, today=today, deviceid=deviceid, check=check
        )
    finally:
        _SECONDARY.reset(token)


def _instance_xml(
    model: XFormModel,
    answers: dict,
    *,
    instance_id: str,
    start: str,
    end: str,
    today: str,
    deviceid: str,
    check: bool = True,
) -> bytes:
    root = etree.Element(model.root_name, id=model.form_id, version=model.version)
    _build(model, model.template, root, f"/{model.root_name}", answers)
    context = {"today": today}
    preload = {"start": start, "end": end, "today": today, "deviceid": deviceid, "uid": instance_id}
    for bind in model.binds:
        if bind.preload or bind.path.endswith("/meta/instanceID"):
            key = "uid" if bind.preload == "uid" or bind.path.endswith("/meta/instanceID") else bind.preload
            for el in bind.locate(root):
                el.text = preload.get(key, "")
    _settle(model, root, context)
    # Calculations may read fields further down (sums over a repeat); recompute, and drop
    # whatever those values made non-relevant.
    _calculate(model, root, context)
    _relevance_apply(model, root, context)
    _calculate(model, root, context)
    _attributes_calculate(model, root, context)
    violations = instance_violations(model, root, context) if check else []
    if violations:
        raise InstanceInvalid(model.form_id, violations)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def instance_violations(model: XFormModel, root, context: dict) -> list[str]:
    found = []
    for bind in model.binds:
        if bind.attribute:
            continue
        for el in bind.locate(root):
            where = _where(el)
            value = el.text or ""
            if bind.required is not None and _truthy(_eval(bind.required, el, context)) and value == "":
                if len(el) == 0:
                    found.append(f"{where}: required")
                continue
            if value == "":
                continue
            if not _type_ok(bind.type, value):
                found.append(f"{where}: {value!r} is not a {bind.type}")
            allowed = model.choices.get(bind.path)
            if allowed is not None:
                values = value.split() if bind.path in model.multiple else [value]
                bad = [v for v in values if v not in allowed]
                if bad:
                    found.append(f"{where}: {' '.join(bad)} not among the choices")
            if bind.constraint is not None and not _truthy(_eval(bind.constraint, el, context)):
                found.append(f"{where}: constraint fails for {value!r}")
    for path, count in model.repeats.items():
        if count is None:
            continue
        parent_path, name = path.rsplit("/", 1)
        for parent in _xpath(parent_path)(root):
            expected = _number(count(parent, **_vars(context)))
            got = len(parent.findall(name))
            if not math.isnan(expected) and got != int(expected):
                found.append(f"{path}: {got} repeat instances for a count of {int(expected)}")
    return found


# --- building -------------------------------------------------------------------------


def _build(model: XFormModel, template, parent, path: str, answers: dict) -> None:
    for child in template:
        child_path = f"{path}/{child.tag}"
        if child_path in model.repeats:
            for item in answers.get(child.tag) or []:
                el = etree.SubElement(parent, child.tag)
                _build(model, child, el, child_path, item)
            continue
        el = etree.SubElement(parent, child.tag, dict(child.attrib))
        if len(child):
            _build(model, child, el, child_path, answers)
        else:
            value = answers.get(child.tag)
            if value is not None and value != "":
                el.text = _text(value)


def _attributes_calculate(model: XFormModel, root, context: dict) -> None:
    """The entity block's attributes (create, update, id, baseVersion…), once the fields they
    read are final; an attribute whose element is not relevant is gone with it."""
    for bind in model.binds:
        if not bind.attribute or bind.calculate is None:
            continue
        for el in bind.locate(root):
            el.set(bind.attribute, _string(_eval(bind.calculate, el, context)))


def _calculate(model: XFormModel, root, context: dict) -> None:
    for bind in model.binds:
        if bind.calculate is None or bind.attribute:
            continue
        for el in bind.locate(root):
            if bind.calculate_once and el.text:
                continue
            el.text = _string(_eval(bind.calculate, el, context))


def _relevance_apply(model: XFormModel, root, context: dict) -> None:
    for bind in model.binds:
        if bind.relevant is None or bind.attribute:
            continue
        for el in bind.locate(root):
            if el.getparent() is not None and not _truthy(_eval(bind.relevant, el, context)):
                el.getparent().remove(el)


def _settle(model: XFormModel, root, context: dict) -> None:
    """One pass in document order (pyxform writes binds in that order), as a person filling
    the form would: drop what is not relevant given the answers above it, compute, and give
    an empty required field a valid generic value."""
    for bind in model.binds:
        if bind.attribute:
            continue
        for el in bind.locate(root):
            if bind.relevant is not None and not _truthy(_eval(bind.relevant, el, context)):
                el.getparent().remove(el)
                continue
            if bind.calculate is not None:
                if not (bind.calculate_once and el.text):
                    el.text = _string(_eval(bind.calculate, el, context))
                continue
            if bind.required is None or bind.preload or len(el) or el.text:
                continue
            if not _truthy(_eval(bind.required, el, context)):
                continue
            for candidate in _candidates(model, bind, context):
                el.text = candidate
                if bind.constraint is None or _truthy(_eval(bind.constraint, el, context)):
                    break
            else:
                el.text = None


def _candidates(model: XFormModel, bind: Bind, context: dict):
    allowed = model.choices.get(bind.path)
    if allowed:
        yield from allowed
        return
    if bind.type in ("int", "decimal"):
        yield from ("1", "0", "2", "5", "10", "100")
    elif bind.type == "date":
        yield context["today"]
    elif bind.type == "geopoint":
        yield "11.3 107.4 0 5"
    else:
        yield from ("A", "TNV001", "1", "x")


# --- XPath with the ODK functions -------------------------------------------------------


def _bind(schema_bind: SchemaBind) -> Bind:
    path, kind, attributes = schema_bind.nodeset, schema_bind.type or "string", schema_bind.attributes
    element_path, _, attribute = path.partition("/@")
    bind = Bind(
        path=path,
        type=kind,
        preload=attributes.get("jr:preloadParams", ""),
        locate=_locator(element_path),
        attribute=attribute,
    )
    if attributes.get("jr:preload") == "uid":
        bind.preload = "uid"
    for attr in ("required", "relevant", "constraint", "calculate"):
        expr = attributes.get(attr)
        if not expr or expr.strip() == "false()":
            continue
        if attr == "constraint" and kind == "date":
            expr = re.sub(r"(?<![\w./)\]])\.(?![\w./])", "odk-date(.)", expr)
        setattr(bind, attr, _xpath(expr))
        if attr == "calculate" and expr.strip().startswith("once("):
            bind.calculate_once = True
    return bind


# instance('households')/root/item[name = EXPR]/prop: in XPath 1.0 an absolute path inside the
# predicate would be read in the secondary instance's document, in ODK it is the form's own; so
# the lookup is rewritten to one call that evaluates EXPR in the form and reads the row.
_LOOKUP = re.compile(r"""instance\(\s*'([^']+)'\s*\)/root/item\[\s*name\s*=\s*([^\[\]]+?)\s*\]/([\w.-]+)""")


_PLAIN_PATH = re.compile(r"(/[A-Za-z_][\w.-]*)+")


def _locator(path: str):
    """The elements at an absolute path of plain child steps (`/pl_ho/tv/tv_gt`), found by
    walking the children (what XPath does for such a path, at a fraction of its cost: the
    engine locates every bind's nodes five times per instance); any other path by XPath."""
    if not _PLAIN_PATH.fullmatch(path):
        return _xpath(path)
    first, *steps = path.strip("/").split("/")

    def locate(root):
        if root.tag != first:
            return []
        found = [root]
        for step in steps:
            found = [child for parent in found for child in parent.iterchildren(step)]
        return found

    return locate


def _xpath(expr: str):
    expr = re.sub(r"(?<![\w-])round\(", "odk-round(", expr)
    expr = _LOOKUP.sub(lambda m: f"odk-lookup('{m.group(1)}', {m.group(2)}, '{m.group(3)}')", expr)
    return etree.XPath(expr, extensions=EXTENSIONS, namespaces={"jr": JR})


def _eval(compiled, el, context):
    return compiled(el)  # the forms' expressions use no XPath variables (`_vars`)


def _vars(context: dict) -> dict:
    return {}


def _first(value) -> str:
    if isinstance(value, list):
        if not value:
            return ""
        node = value[0]
        return node if isinstance(node, str) else "".join(node.itertext())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _string(value)
    return str(value)


def _string(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value == int(value) else repr(value)
    return _first(value)


def _number(value) -> float:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        return float(_first(value).strip())
    except ValueError:
        return math.nan


def _truthy(value) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return bool(value)


def _days(value) -> float:
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    text = _first(value).strip()
    if not text:
        return math.nan
    try:
        return float((dt.date.fromisoformat(text[:10]) - EPOCH).days)
    except ValueError:
        return math.nan


# The evaluation date is the instance's own `today` preload, read from the instance root, so
# a 2025 round is checked as on its interview day.
def _today(ctx) -> float:
    root = ctx.context_node.getroottree().getroot()
    found = root.find("today")
    text = found.text if found is not None and found.text else dt.date.today().isoformat()
    return _days(text)


def _format_date(ctx, value, fmt) -> str:
    days = _days(value)
    if math.isnan(days):
        return ""
    day = EPOCH + dt.timedelta(days=int(days))
    fmt = _first(fmt)
    return (
        fmt.replace("%Y", f"{day.year:04d}")
        .replace("%m", f"{day.month:02d}")
        .replace("%d", f"{day.day:02d}")
        .replace("%e", str(day.day))
        .replace("%n", str(day.month))
        .replace("%y", f"{day.year % 100:02d}")
    )


def _round(ctx, value, digits=0.0) -> float:
    number, places = _number(value), int(_number(digits))
    if math.isnan(number):
        return number
    factor = 10**places
    return math.floor(number * factor + 0.5) / factor


def _lookup(ctx, name, key, prop) -> str:
    """`instance(name)/root/item[name = key]/prop` of a secondary instance; "" when absent."""
    rows = (_SECONDARY.get() or {}).get(_first(name), {})
    return rows.get(_first(key), {}).get(_first(prop), "")


EXTENSIONS = {
    (None, "odk-lookup"): _lookup,
    (None, "uuid"): lambda ctx: str(uuid.uuid4()),
    (None, "selected"): lambda ctx, s, v: _first(v) in _first(s).split(),
    (None, "count-selected"): lambda ctx, s: float(len(_first(s).split())),
    (None, "if"): lambda ctx, c, a, b: a if _truthy(c) else b,
    (None, "regex"): lambda ctx, s, r: re.search(_first(r), _first(s)) is not None,
    (None, "int"): lambda ctx, v: (lambda n: n if math.isnan(n) else float(math.trunc(n)))(_number(v)),
    (None, "once"): lambda ctx, v: v,
    (None, "today"): _today,
    (None, "now"): _today,
    (None, "date"): lambda ctx, v: _days(v),
    (None, "odk-date"): lambda ctx, v: _days(v),
    (None, "format-date"): _format_date,
    (None, "odk-round"): _round,
    (None, "coalesce"): lambda ctx, a, b: _first(a) or _first(b),
}


def _type_ok(kind: str, value: str) -> bool:
    try:
        if kind == "int":
            int(value)
        elif kind == "decimal":
            float(value)
        elif kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "geopoint":
            lat, lon, *_rest = (float(v) for v in value.split())
            return -90 <= lat <= 90 and -180 <= lon <= 180 and len(value.split()) == 4
    except ValueError:
        return False
    return True


def _text(value) -> str:
    if isinstance(value, bool):
        return "co" if value else "khong"
    if isinstance(value, list | tuple | set):
        return " ".join(str(v) for v in value)
    return str(value)


def _where(el) -> str:
    return el.getroottree().getpath(el)
