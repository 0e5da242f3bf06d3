"""An XForm read into a schema: the one reader of form structure (pure: lxml only, no Django).

Ingest (which paths repeat, which are files), publishing (id, version, media), the answer
labels on the pages, the demo filler and the analytics field checks all ask this module, so
they cannot disagree about what a form contains.

What it reads, as pyxform writes it (and as the XForms spec allows it):
- nodes of the primary instance, in document order, as paths relative to its root
  ("ho/so_tv", attributes as "meta/entity/@id"): groups, repeats (nested), fields;
- each node's bind: its type as written — a prefixed *string* such as `int`, `xsd:string` or
  `odk:rank`, never an XML QName — and its other attributes (required, relevant, calculate,
  jr:preload, entities:saveto, orx:max-pixels…);
- each node's body control (input, select1, select, rank, upload, range, trigger), appearance,
  mediatype, labels and hints per language, and its choices (inline items, a secondary
  instance in the form, or an external one such as `jr://file-csv/ap.csv`);
- the media files the form refers to (instance sources, itext images/audio/video);
- entity declarations (`meta/entity` with dataset, create/update, id, label, the saveto
  properties), which pyxform writes for an `entities` sheet; and, for a filled instance,
  the entity blocks it carries (`instance_entities`: what the phone wrote in `meta/entity`
  and the values of the saveto fields), so ingest reads both from this one module.

Untrusted input is parsed without entity expansion or network access.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree

XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
JR = "http://openrosa.org/javarosa"
ORX = "http://openrosa.org/xforms"
ODK = "http://www.opendatakit.org/xforms"
ENTITIES = "http://www.opendatakit.org/xforms/entities"
# Prefixes used for bind and body attributes in this schema (what pyxform writes).
PREFIXES = {JR: "jr", ORX: "orx", ODK: "odk", ENTITIES: "entities"}

GROUP = "group"
REPEAT = "repeat"
FIELD = "field"
ATTRIBUTE = "attribute"

BINARY = "binary"
GEOPOINT = "geopoint"
# Body controls that ask a question (odk:rank is read as "rank").
CONTROLS = frozenset({"input", "select1", "select", "upload", "range", "rank", "trigger"})
SELECTS = frozenset({"select1", "select", "rank"})
MEDIA_SCHEMES = {
    "jr://images/": "image",
    "jr://audio/": "audio",
    "jr://video/": "video",
    "jr://file-csv/": "file-csv",
    "jr://file/": "file",
}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
)
_ITEXT_REF = re.compile(r"""^\s*jr:itext\(\s*['"]([^'"]+)['"]\s*\)\s*$""")
_INSTANCE_REF = re.compile(r"""instance\(\s*['"]([^'"]+)['"]\s*\)([^\[]*)(\[.*\])?\s*$""", re.S)
_PLAIN_NAME = re.compile(r"^[^/\\]+$")


class XFormSchemaError(ValueError):
    """The bytes are not an XForm this server can read."""


@dataclass(frozen=True)
class Choice:
    value: str
    labels: Mapping[str, str] = field(default_factory=dict)  # language → text ("" = the form has no translations)
    media: Mapping[str, str] = field(default_factory=dict)  # "image"/"audio"/… → jr:// URL, default language

    def label(self, language: str = "") -> str:
        return _pick(self.labels, language) or self.value


@dataclass(frozen=True)
class ChoiceSource:
    """Where a select's options come from. `choices` is empty for an external instance
    (a CSV/XML/GeoJSON media file): its options are only known from the file."""

    instance_id: str = ""  # "" for items written inside the control
    src: str = ""  # jr:// URL of an external instance
    value_ref: str = "name"
    label_ref: str = "label"
    filter: str = ""  # the itemset predicate (choice_filter), without brackets
    choices: tuple[Choice, ...] = ()

    @property
    def external(self) -> bool:
        return bool(self.src)


@dataclass(frozen=True)
class Node:
    path: str  # relative to the instance root: "ho/so_tv"; an attribute: "meta/entity/@id"
    name: str
    kind: str  # GROUP | REPEAT | FIELD | ATTRIBUTE
    type: str = ""  # the bind type as written ("int", "xsd:date", "odk:rank"); "" when unbound
    bind: Mapping[str, str] = field(default_factory=dict)  # other bind attributes, prefixed names ("jr:preload")
    control: str = ""  # body control ("input", "select1", "rank"…); "" when not asked
    appearance: str = ""
    mediatype: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)  # language → text
    hints: Mapping[str, str] = field(default_factory=dict)
    choices: ChoiceSource | None = None
    repeat: str = ""  # path of the nearest enclosing repeat ("" at the top level)
    repeat_count: str = ""  # jr:count of a repeat
    default: str = ""  # the value written in the instance template

    @property
    def data_type(self) -> str:
        """The type without the XML Schema prefix: "xsd:int" → "int"; "odk:rank" stays."""
        kind = self.type.strip()
        for prefix in ("xsd:", "xs:"):
            if kind.startswith(prefix):
                return kind[len(prefix) :]
        return kind or ("string" if self.kind in (FIELD, ATTRIBUTE) else "")

    @property
    def parent(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def multiple(self) -> bool:
        """Answers are a space-separated list (select multiple, rank)."""
        return self.control in ("select", "rank")

    def label(self, language: str = "") -> str:
        return _pick(self.labels, language)


@dataclass(frozen=True)
class Bind:
    nodeset: str  # as written: "/pl_ho/ho/so_tv"
    path: str  # relative, like Node.path
    type: str
    attributes: Mapping[str, str]


@dataclass(frozen=True)
class MediaFile:
    name: str  # the file name phones fetch ("ap.csv")
    kind: str  # image, audio, video, file, file-csv
    url: str  # the jr:// reference


@dataclass(frozen=True)
class EntityProperty:
    name: str  # the entity property (the saveto value)
    path: str  # the field whose answer it saves


@dataclass(frozen=True)
class EntityDeclaration:
    """A `meta/entity` block: one entity created or updated per instance of its scope (the
    whole submission, or each instance of `repeat`). Expressions are XPath as written; a
    literal create="1" is reported as "1"."""

    path: str  # "meta/entity" or "<repeat>/meta/entity"
    dataset: str
    repeat: str = ""
    create: str = ""
    update: str = ""
    entity_id: str = ""  # XPath of @id (calculated, or set by a setvalue such as uuid())
    label: str = ""
    base_version: str = ""
    properties: tuple[EntityProperty, ...] = ()


@dataclass(frozen=True)
class EntityBlock:
    """What one instance says about one entity: the `meta/entity` attributes as the phone
    wrote them (strings, "" when absent) and the saved properties {saveto name: answer}."""

    dataset: str
    entity_id: str
    create: str = ""
    update: str = ""
    base_version: str = ""
    trunk_version: str = ""
    branch_id: str = ""
    label: str = ""
    properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def creates(self) -> bool:
        return _truthy(self.create)

    @property
    def updates(self) -> bool:
        return _truthy(self.update)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "id": self.entity_id,
            "create": self.create,
            "update": self.update,
            "baseVersion": self.base_version,
            "trunkVersion": self.trunk_version,
            "branchId": self.branch_id,
            "label": self.label,
            "properties": dict(self.properties),
        }


@dataclass(frozen=True)
class XFormSchema:
    form_id: str
    version: str
    title: str
    root: str  # the primary instance's root element name ("pl_ho", "data")
    nodes: tuple[Node, ...]  # document order
    binds: tuple[Bind, ...] = ()  # document order of the <bind> elements
    languages: tuple[str, ...] = ()
    default_language: str = ""
    instances: Mapping[str, ChoiceSource] = field(default_factory=dict)  # secondary instances by id
    media: tuple[MediaFile, ...] = ()
    entities: tuple[EntityDeclaration, ...] = ()
    entities_version: str = ""
    _by_path: dict[str, Node] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_path.update({n.path: n for n in self.nodes})

    @classmethod
    def empty(cls) -> XFormSchema:
        """The schema of no form: nothing repeats, nothing is a file."""
        return cls(form_id="", version="", title="", root="", nodes=())

    # --- lookups ------------------------------------------------------------------------

    def node(self, path: str) -> Node | None:
        return self._by_path.get(path)

    def nodeset(self, path: str) -> str:
        """The absolute path of a node, as binds and controls write it."""
        return f"/{self.root}/{path}" if path else f"/{self.root}"

    def fields(self) -> Iterator[Node]:
        return (n for n in self.nodes if n.kind == FIELD)

    def named(self, name: str) -> Node | None:
        """The first node with this name (XLSForm names are unique within a form)."""
        return next((n for n in self.nodes if n.name == name and n.kind != ATTRIBUTE), None)

    @cached_property
    def children(self) -> Mapping[str, tuple[Node, ...]]:
        """{parent path: its child groups, repeats and fields in document order} ("" = the
        root); attributes are left out. Computed once per schema (readers walk it per row)."""
        out: dict[str, list[Node]] = {}
        for node in self.nodes:
            if node.kind != ATTRIBUTE:
                out.setdefault(node.parent, []).append(node)
        return {parent: tuple(nodes) for parent, nodes in out.items()}

    @cached_property
    def repeats(self) -> frozenset[str]:
        return frozenset(n.path for n in self.nodes if n.kind == REPEAT)

    @cached_property
    def binaries(self) -> frozenset[str]:
        return frozenset(n.path for n in self.nodes if n.kind == FIELD and n.data_type == BINARY)

    @cached_property
    def geopoints(self) -> tuple[str, ...]:
        return tuple(n.path for n in self.nodes if n.kind == FIELD and n.data_type == GEOPOINT)

    @cached_property
    def media_names(self) -> tuple[str, ...]:
        return tuple(sorted({m.name for m in self.media}))

    @cached_property
    def entity_list_media(self) -> tuple[str, ...]:
        """CSV media that are entity lists the form itself fills: `<dataset>.csv` of a dataset
        it declares in `meta/entity` (pl_ho creates and updates `households` and reads
        `households.csv`). The server serves these from its register, as ODK Central links a
        form's attachment to the dataset of that name; they are not files to upload."""
        datasets = {e.dataset for e in self.entities}
        return tuple(
            sorted(
                m.name
                for m in self.media
                if m.kind == "file-csv" and m.name[:-4] in datasets and m.name.endswith(".csv")
            )
        )

    @cached_property
    def uploaded_media_names(self) -> tuple[str, ...]:
        """The media files someone must upload: every file the form refers to except the
        entity lists the server serves."""
        served = set(self.entity_list_media)
        return tuple(n for n in self.media_names if n not in served)

    def language(self, preferred: str) -> str:
        """The form language best matching `preferred` ("vi" finds "Tiếng Việt (vi)"), else
        the default language, else the first; "" when the form has no translations."""
        return _best_language(self.languages, preferred, self.default_language)


def xform_schema(xform: bytes) -> XFormSchema:
    """Read an XForm. Raises XFormSchemaError when it is not one."""
    try:
        root = etree.fromstring(xform, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XFormSchemaError(f"the XForm is not well-formed XML ({exc})") from exc
    model = root.find(f"{{{H}}}head/{{{XF}}}model")
    if model is None:
        raise XFormSchemaError("the XForm has no model")
    instances = model.findall(f"{{{XF}}}instance")
    data = next((c for c in instances[0] if isinstance(c.tag, str)), None) if instances else None
    if data is None:
        raise XFormSchemaError("the XForm has no primary instance")
    title = root.findtext(f"{{{H}}}head/{{{H}}}title") or ""
    root_name = etree.QName(data).localname

    itext, languages, default_language = _itext(model)
    secondary = {i.get("id"): _secondary(i, itext, default_language) for i in instances[1:] if i.get("id")}
    binds = tuple(_bind(b, root_name) for b in model.iter(f"{{{XF}}}bind"))
    bind_of = {b.path: b for b in reversed(binds)}  # the first bind of a path wins
    body = _body(root.find(f"{{{H}}}body"), root_name, itext, secondary, default_language)
    repeats = {path for path, control in body.items() if control.get("kind") == REPEAT}

    nodes: list[Node] = []
    seen: set[str] = set()

    def walk(element: Any, prefix: str, repeat: str) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            path = f"{prefix}{name}"
            if path in seen:
                continue  # a repeat's default instance beside its jr:template prototype
            seen.add(path)
            has_children = any(isinstance(c.tag, str) for c in child)
            is_repeat = path in repeats or child.get(f"{{{JR}}}template") is not None
            kind = REPEAT if is_repeat else GROUP if has_children or body.get(path, {}).get("kind") == GROUP else FIELD
            nodes.append(_node(path, name, kind, bind_of.get(path), body.get(path, {}), repeat, child))
            for attribute in child.attrib:
                attr_path = f"{path}/@{etree.QName(attribute).localname}"
                if attr_path in bind_of:
                    nodes.append(
                        _node(
                            attr_path,
                            etree.QName(attribute).localname,
                            ATTRIBUTE,
                            bind_of[attr_path],
                            {},
                            path if is_repeat else repeat,
                            None,
                            default=child.get(attribute) or "",
                        )
                    )
            if has_children or is_repeat:
                walk(child, f"{path}/", path if is_repeat else repeat)

    walk(data, "", "")
    setvalues = _setvalues(root, root_name)
    return XFormSchema(
        form_id=(data.get("id") or "").strip(),
        version=_attribute(data, "version"),
        title=title.strip(),
        root=root_name,
        nodes=tuple(nodes),
        binds=binds,
        languages=languages,
        default_language=default_language,
        instances=dict(secondary),
        media=_media(root),
        entities=_entities(data, nodes, bind_of, setvalues),
        entities_version=model.get(f"{{{ENTITIES}}}entities-version", ""),
    )


# --- pieces -------------------------------------------------------------------------------


def _relative(nodeset: str, root_name: str) -> str:
    """ "/pl_ho/ho/so_tv" → "ho/so_tv"; namespace prefixes of steps dropped."""
    steps = [s.split(":")[-1] if not s.startswith("@") else "@" + s[1:].split(":")[-1] for s in nodeset.split("/")]
    steps = [s for s in steps if s]
    if steps and steps[0] == root_name:
        steps = steps[1:]
    return "/".join(steps)


def _prefixed(name: str) -> str:
    if name.startswith("{"):
        namespace, local = name[1:].split("}", 1)
        prefix = PREFIXES.get(namespace)
        return f"{prefix}:{local}" if prefix else local
    return name


def _attribute(element: Any, name: str, *, strip: bool = True) -> str:
    """An attribute by local name in any namespace (`version` or `orx:version`)."""
    value = element.get(name)
    if value is None:
        value = next((v for k, v in element.attrib.items() if etree.QName(k).localname == name), None)
    return (value or "").strip() if strip else (value or "")


def _bind(element: Any, root_name: str) -> Bind:
    nodeset = (element.get("nodeset") or element.get("ref") or "").strip()
    attributes = {_prefixed(k): v for k, v in element.attrib.items() if k not in ("nodeset", "ref", "type")}
    return Bind(nodeset, _relative(nodeset, root_name), element.get("type", ""), dict(attributes))


def _node(
    path: str,
    name: str,
    kind: str,
    bind: Bind | None,
    control: dict,
    repeat: str,
    element: Any,
    *,
    default: str = "",
) -> Node:
    if element is not None and kind == FIELD:
        default = element.text or ""
    return Node(
        path=path,
        name=name,
        kind=kind,
        type=bind.type if bind is not None else "",
        bind=bind.attributes if bind is not None else {},
        control=control.get("control", ""),
        appearance=control.get("appearance", ""),
        mediatype=control.get("mediatype", ""),
        labels=control.get("labels", {}),
        hints=control.get("hints", {}),
        choices=control.get("choices"),
        repeat=repeat,
        repeat_count=control.get("count", ""),
        default=default,
    )


def _itext(model: Any) -> tuple[dict[str, dict[str, dict[str, str]]], tuple[str, ...], str]:
    """{language: {text id: {form: text}}} with form "" for the plain text."""
    itext: dict[str, dict[str, dict[str, str]]] = {}
    default = ""
    for translation in model.iter(f"{{{XF}}}translation"):
        language = translation.get("lang", "")
        if translation.get("default") and not default:
            default = language
        texts = itext.setdefault(language, {})
        for text in translation.iter(f"{{{XF}}}text"):
            forms = texts.setdefault(text.get("id", ""), {})
            for value in text.iter(f"{{{XF}}}value"):
                forms.setdefault(value.get("form") or "", _text_of(value))
    languages = tuple(itext)
    return itext, languages, default or (languages[0] if languages else "")


def _text_of(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _translated(text_id: str, itext: dict, form: str = "") -> dict[str, str]:
    return {language: texts[text_id][form] for language, texts in itext.items() if form in texts.get(text_id, {})}


def _label_texts(element: Any, itext: dict) -> Mapping[str, str]:
    """Texts of a <label>/<hint> child: per language when it refers to itext, else inline."""
    if element is None:
        return {}
    match = _ITEXT_REF.match(element.get("ref", ""))
    if match:
        return dict(_translated(match.group(1), itext))
    text = _text_of(element)
    return {"": text} if text else {}


def _secondary(instance: Any, itext: dict, default_language: str) -> ChoiceSource:
    src = (instance.get("src") or "").strip()
    if src:
        return ChoiceSource(instance_id=instance.get("id", ""), src=src)
    choices = []
    for item in instance.iter(f"{{{XF}}}item"):
        value = item.findtext(f"{{{XF}}}name")
        if value is None:
            value = item.findtext(f"{{{XF}}}value") or ""
        text_id = item.findtext(f"{{{XF}}}itextId")
        if text_id:
            labels = _translated(text_id, itext)
            media = {
                form: url
                for form, url in itext.get(default_language, {}).get(text_id, {}).items()
                if form and url.startswith("jr://")
            }
        else:
            label = item.findtext(f"{{{XF}}}label")
            labels, media = ({"": label} if label else {}), {}
        choices.append(Choice(value, dict(labels), dict(media)))
    return ChoiceSource(instance_id=instance.get("id", ""), choices=tuple(choices))


def _body(body: Any, root_name: str, itext: dict, secondary: dict, default_language: str) -> dict[str, dict]:
    """{relative path: control facts} for every control, group and repeat of the body."""
    out: dict[str, dict] = {}
    if body is None:
        return out
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        if qname.namespace not in (XF, ODK):
            continue
        kind = qname.localname
        ref = (element.get("nodeset") if kind == REPEAT else element.get("ref")) or ""
        if not ref.strip():
            continue
        path = _relative(ref.strip(), root_name)
        facts = out.setdefault(path, {})
        label = _label_texts(element.find(f"{{{XF}}}label"), itext)
        if label and "labels" not in facts:
            facts["labels"] = label
        if kind == REPEAT:
            facts["kind"] = REPEAT
            facts["count"] = element.get(f"{{{JR}}}count", "")
            continue
        if kind == GROUP:
            facts.setdefault("kind", GROUP)
            facts.setdefault("appearance", element.get("appearance", ""))
            continue
        if kind not in CONTROLS:
            continue
        facts["control"] = kind
        facts["appearance"] = element.get("appearance", "")
        facts["mediatype"] = element.get("mediatype", "")
        hint = _label_texts(element.find(f"{{{XF}}}hint"), itext)
        if hint:
            facts["hints"] = hint
        if kind in SELECTS:
            facts["choices"] = _choices(element, itext, secondary, default_language)
    return out


def _choices(select: Any, itext: dict, secondary: dict, default_language: str) -> ChoiceSource:
    itemset = select.find(f"{{{XF}}}itemset")
    if itemset is None:
        items = []
        for item in select.findall(f"{{{XF}}}item"):
            labels = _label_texts(item.find(f"{{{XF}}}label"), itext)
            items.append(Choice(item.findtext(f"{{{XF}}}value") or "", labels))
        return ChoiceSource(choices=tuple(items))
    nodeset = itemset.get("nodeset", "")
    match = _INSTANCE_REF.search(nodeset)
    value_ref = itemset.find(f"{{{XF}}}value")
    label_ref = itemset.find(f"{{{XF}}}label")
    instance_id = match.group(1) if match else ""
    known = secondary.get(instance_id, ChoiceSource(instance_id=instance_id))
    return ChoiceSource(
        instance_id=instance_id,
        src=known.src,
        value_ref=value_ref.get("ref", "name") if value_ref is not None else "name",
        label_ref=label_ref.get("ref", "label") if label_ref is not None else "label",
        filter=(match.group(3) or "")[1:-1].strip() if match else "",
        choices=known.choices,
    )


def _media(root: Any) -> tuple[MediaFile, ...]:
    found: dict[str, MediaFile] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        candidates = [element.get("src")] if element.get("src") else []
        if isinstance(element.text, str) and element.text.strip().startswith("jr://"):
            candidates.append(element.text.strip())
        for url in candidates:
            for scheme, kind in MEDIA_SCHEMES.items():
                if url.startswith(scheme):
                    name = posixpath.basename(url[len(scheme) :])
                    if name and _PLAIN_NAME.match(name):
                        found.setdefault(name, MediaFile(name, kind, url))
                    break
    return tuple(found[name] for name in sorted(found))


def _setvalues(root: Any, root_name: str) -> dict[str, str]:
    """{relative path: value expression} of <setvalue> actions (the entity id's uuid())."""
    out: dict[str, str] = {}
    for element in root.iter(f"{{{XF}}}setvalue", f"{{{ODK}}}setgeopoint"):
        ref = (element.get("ref") or "").strip()
        if ref:
            out.setdefault(_relative(ref, root_name), element.get("value", ""))
    return out


def _entities(
    data: Any, nodes: list[Node], bind_of: dict[str, Bind], setvalues: dict[str, str]
) -> tuple[EntityDeclaration, ...]:
    declarations = []
    for node in nodes:
        if node.name != "entity" or node.kind not in (GROUP, FIELD) or not node.parent.endswith("meta"):
            continue
        element = _element_at(data, node.path)
        if element is None or element.get("dataset") is None:
            continue

        def expression(attribute: str, node=node, element=element) -> str:
            path = f"{node.path}/@{attribute}"
            bind = bind_of.get(path)
            if bind is not None and bind.attributes.get("calculate"):
                return bind.attributes["calculate"].strip()
            if path in setvalues:
                return setvalues[path].strip()
            return (element.get(attribute) or "").strip()

        label_bind = bind_of.get(f"{node.path}/label")
        scope = node.repeat
        properties = tuple(
            EntityProperty(n.bind["entities:saveto"], n.path)
            for n in nodes
            if n.kind == FIELD and n.bind.get("entities:saveto") and n.repeat == scope
        )
        declarations.append(
            EntityDeclaration(
                path=node.path,
                dataset=element.get("dataset", ""),
                repeat=scope,
                create=expression("create"),
                update=expression("update"),
                entity_id=expression("id"),
                label=(label_bind.attributes.get("calculate", "") if label_bind else "").strip(),
                base_version=expression("baseVersion"),
                properties=properties,
            )
        )
    return tuple(declarations)


def instance_entities(instance_root: Any, schema: XFormSchema) -> tuple[EntityBlock, ...]:
    """The entity blocks of a filled instance (an lxml element already parsed by ingest), one
    per declaration of the whole submission. Entities declared inside a repeat are not read:
    `form_publish` refuses such a form (one household per submission is what the register's
    visits count), so none can arrive. Names are matched by local name, as Collect
    writes the instance without the XForms namespace."""
    blocks = []
    for declaration in schema.entities:
        if declaration.repeat:
            continue
        element = _element_at(instance_root, declaration.path)
        if element is None:
            continue
        label = _element_at(element, "label")
        properties = {}
        for prop in declaration.properties:
            answer = _element_at(instance_root, prop.path)
            if answer is not None:
                properties[prop.name] = (answer.text or "").strip()
        blocks.append(
            EntityBlock(
                dataset=_attribute(element, "dataset") or declaration.dataset,
                entity_id=_attribute(element, "id"),
                # Unstripped: Central compares the attribute as sent (" 1" is not yes).
                create=_attribute(element, "create", strip=False),
                update=_attribute(element, "update", strip=False),
                base_version=_attribute(element, "baseVersion"),
                trunk_version=_attribute(element, "trunkVersion"),
                branch_id=_attribute(element, "branchId"),
                label=" ".join(((label.text or "") if label is not None else "").split()),
                properties=properties,
            )
        )
    return tuple(blocks)


def _truthy(value: str) -> bool:
    # Exactly what Central takes for "yes" in `create`/`update` (lib/data/entity.js,
    # lib/model/query/entities.js: `=== '1' || === 'true'`): Collect writes an XPath
    # boolean as "1"/"true", anything else ("0", "false", "", "True", "yes") is no.
    return value in ("1", "true")


def _element_at(data: Any, path: str) -> Any:
    element = data
    for step in path.split("/"):
        element = next((c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == step), None)
        if element is None:
            return None
    return element


def _pick(texts: Mapping[str, str], language: str) -> str:
    if not texts:
        return ""
    chosen = _best_language(tuple(texts), language, "")
    return texts.get(chosen, "") or next(iter(texts.values()), "")


def _best_language(languages: tuple[str, ...], preferred: str, default: str) -> str:
    if not languages:
        return ""
    if preferred:
        for language in languages:
            if language == preferred or f"({preferred})" in language:
                return language
    if default in languages:
        return default
    return languages[0]
