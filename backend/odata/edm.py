"""The OData v4 model of a form (pure: no Django): entity sets, EDM types, the $metadata
EDMX document and the service document, the way ODK Central builds them from the XForm.

- `Submissions` is one entity per submission, keyed by `__id` (the instanceID it was first
  received under), with a `__system` complex property (submission date, review state…);
- each group is a complex type named by its path ("ho", "meta.entity"), so two groups of the
  same name in different places cannot collide;
- each repeat is its own entity set, `Submissions.<repeat path with dots>` ("Submissions.tv"),
  keyed by `__id` and pointing at its parent row with `__<parent set with dashes>-id`
  ("__Submissions-id", "__Submissions-tv-id" for a repeat inside `tv`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from backend.core.answer_tables import AnswerTable, answer_tables
from backend.core.xform_schema import GROUP, REPEAT, Node, XFormSchema

SUBMISSIONS = "Submissions"
SYSTEM_NAMESPACE = "org.opendatakit.submission"

# XForm bind type → EDM type (after Central's lib/formats/odata.js); anything else is a string
# (select_multiple and rank: the space-separated values, binary: the file name).
EDM_TYPES = {
    "int": "Edm.Int64",
    "integer": "Edm.Int64",
    "decimal": "Edm.Decimal",
    "date": "Edm.Date",
    "dateTime": "Edm.DateTimeOffset",
    "boolean": "Edm.Boolean",
    "geopoint": "Edm.GeographyPoint",
    "geotrace": "Edm.GeographyLineString",
    "geoshape": "Edm.GeographyPolygon",
}

# __system: Central's properties, then this server's own (survey date, round, hamlet) that the
# commune filters on. Order is the order of the JSON.
SYSTEM_PROPERTIES = (
    ("submissionDate", "Edm.DateTimeOffset"),
    ("updatedAt", "Edm.DateTimeOffset"),
    ("deletedAt", "Edm.DateTimeOffset"),
    ("submitterId", "Edm.String"),
    ("submitterName", "Edm.String"),
    ("attachmentsPresent", "Edm.Int64"),
    ("attachmentsExpected", "Edm.Int64"),
    ("status", f"{SYSTEM_NAMESPACE}.Status"),
    ("reviewState", f"{SYSTEM_NAMESPACE}.ReviewState"),
    ("deviceId", "Edm.String"),
    ("edits", "Edm.Int64"),
    ("formVersion", "Edm.String"),
    ("surveyDate", "Edm.Date"),
    ("surveyRound", "Edm.String"),
    ("hamletCode", "Edm.String"),
)
# Central's review states on the wire ("received" is null there, and here).
REVIEW_STATES = ("hasIssues", "edited", "rejected", "approved")

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


@dataclass(frozen=True)
class EntitySet:
    name: str  # "Submissions", "Submissions.tv"
    table: AnswerTable
    parent_key: str  # "" for Submissions, "__Submissions-id" for a repeat of the submission


def namespace(schema: XFormSchema) -> str:
    return f"org.opendatakit.user.{_identifier(schema.form_id)}"


def entity_set_name(table_path: str) -> str:
    return SUBMISSIONS if not table_path else f"{SUBMISSIONS}.{table_path.replace('/', '.')}"


def parent_key_name(parent_path: str) -> str:
    return f"__{entity_set_name(parent_path).replace('.', '-')}-id"


def entity_sets(schema: XFormSchema) -> tuple[EntitySet, ...]:
    return tuple(
        EntitySet(
            entity_set_name(table.path),
            table,
            "" if table.parent is None else parent_key_name(table.parent),
        )
        for table in answer_tables(schema)
    )


def edm_type(node: Node) -> str:
    return EDM_TYPES.get(node.data_type, "Edm.String")


def complex_type_name(node: Node) -> str:
    """A group's complex type: its path inside the form, dotted ("ho", "meta.entity")."""
    return node.path.replace("/", ".")


def service_document(schema: XFormSchema, *, base: str) -> dict:
    """The JSON service document: the entity sets with their URLs relative to `base`."""
    return {
        "@odata.context": f"{base}/$metadata",
        "value": [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in entity_sets(schema)],
    }


def metadata_xml(schema: XFormSchema) -> bytes:
    """The EDMX (CSDL XML) of the form, built as text in a fixed order so that the same form
    always gives the same bytes (clients cache it by content)."""
    ns = namespace(schema)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">',
        "<edmx:DataServices>",
        f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{SYSTEM_NAMESPACE}">',
        '<ComplexType Name="metadata">',
        *(f'<Property Name="{name}" Type="{kind}"/>' for name, kind in SYSTEM_PROPERTIES),
        "</ComplexType>",
        # Values written out (the spec's defaults: 0, 1, …): some clients require them.
        '<EnumType Name="Status"><Member Name="notDecrypted" Value="0"/>'
        '<Member Name="missingEncryptedFormData" Value="1"/></EnumType>',
        '<EnumType Name="ReviewState">',
        *(f'<Member Name="{state}" Value="{value}"/>' for value, state in enumerate(REVIEW_STATES)),
        "</EnumType>",
        "</Schema>",
        f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{ns}">',
    ]
    sets = entity_sets(schema)
    for entity_set in sets:
        out.append(f"<EntityType Name={quoteattr(entity_set.name)}>")
        out.append('<Key><PropertyRef Name="__id"/></Key>')
        out.append('<Property Name="__id" Type="Edm.String"/>')
        if entity_set.parent_key:
            out.append(f'<Property Name={quoteattr(entity_set.parent_key)} Type="Edm.String"/>')
        else:
            out.append(f'<Property Name="__system" Type="{SYSTEM_NAMESPACE}.metadata"/>')
        out.extend(_properties(schema, entity_set.table.path, ns))
        out.append("</EntityType>")
    for entity_set in sets:
        for node in entity_set.table.nodes:
            if node.kind == GROUP:
                out.append(f"<ComplexType Name={quoteattr(complex_type_name(node))}>")
                out.extend(_properties(schema, node.path, ns))
                out.append("</ComplexType>")
    out.append(f"<EntityContainer Name={quoteattr(_identifier(schema.form_id) or 'form')}>")
    for entity_set in sets:
        out.append(f"<EntitySet Name={quoteattr(entity_set.name)} EntityType={quoteattr(f'{ns}.{entity_set.name}')}>")
        out.extend(_capabilities(entity_set))
        out.append("</EntitySet>")
    out += ["</EntityContainer>", "</Schema>", "</edmx:DataServices>", "</edmx:Edmx>"]
    return "\n".join(out).encode("utf-8")


def _properties(schema: XFormSchema, parent: str, ns: str) -> list[str]:
    """The properties of the row or group at `parent`: fields typed, groups as their complex
    type; a repeat is not a property (it is its own entity set)."""
    lines = []
    for node in schema.children.get(parent, ()):
        if node.kind == REPEAT:
            continue
        kind = f"{ns}.{complex_type_name(node)}" if node.kind == GROUP else edm_type(node)
        lines.append(f"<Property Name={quoteattr(node.name)} Type={quoteattr(kind)}/>")
    return lines


def _capabilities(entity_set: EntitySet) -> list[str]:
    """What a client may ask (Org.OData.Capabilities.V1, as Central declares it): counts and
    filters yes; sorting, expanding and batches no."""
    cap = "Org.OData.Capabilities.V1"
    return [
        f'<Annotation Term="{cap}.ConformanceLevel" EnumMember="{cap}.ConformanceLevelType/Minimal"/>',
        f'<Annotation Term="{cap}.BatchSupported" Bool="false"/>',
        f'<Annotation Term="{cap}.CountRestrictions"><Record>'
        '<PropertyValue Property="Countable" Bool="true"/></Record></Annotation>',
        f'<Annotation Term="{cap}.FilterRestrictions"><Record>'
        '<PropertyValue Property="Filterable" Bool="true"/>'
        '<PropertyValue Property="RequiresFilter" Bool="false"/></Record></Annotation>',
        f'<Annotation Term="{cap}.SortRestrictions"><Record>'
        '<PropertyValue Property="Sortable" Bool="false"/></Record></Annotation>',
        f'<Annotation Term="{cap}.ExpandRestrictions"><Record>'
        '<PropertyValue Property="Expandable" Bool="false"/></Record></Annotation>',
    ]


def _identifier(text: str) -> str:
    return _NOT_IDENTIFIER.sub("_", text)
