"""OData v4 feed of a form's submissions, read by Excel, Power BI and OData client libraries
(after ODK Central's `/v1/projects/…/forms/{id}.svc`):

    GET /api/v1/forms/{id}.svc                       service document (JSON)
    GET /api/v1/forms/{id}.svc/$metadata             EDMX (CSDL XML) built from the XForm
    GET /api/v1/forms/{id}.svc/Submissions           one entity per submission
    GET /api/v1/forms/{id}.svc/Submissions.<repeat>  one entity per repeat instance
    GET /api/v1/forms/{id}.svc/<set>/$count          the number of entities, as text

Credentials: a Bearer API token, or HTTP Basic over HTTPS (user name + password or API token:
what the spreadsheet connectors send), or a browser session. Rows are the ones
`submissions_visible_to` lets the actor read. Entity sets are streamed (a chunk of rows at a
time), so a feed of every submission does not sit in memory; every request is one audit row.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.actors import actor_for_request
from backend.accounts.authentication import ApiTokenAuthentication, BasicOverHttpsAuthentication
from backend.audit.http import audit_microdata_read
from backend.core import errors
from backend.core.answer_tables import table_rows
from backend.core.xform_schema import REPEAT
from backend.odata.edm import EntitySet, entity_sets, metadata_xml, service_document
from backend.odata.query import ODataQuery, ODataQueryError, filter_fields, query_read, skiptoken_make
from backend.odata.selectors import (
    odata_form,
    odata_repeat_count,
    odata_submission_rows,
    odata_submissions,
    system_of,
)
from backend.odata.values import entity

JSON = "application/json; odata.metadata=minimal; charset=utf-8"
ODATA_HEADERS = {"OData-Version": "4.0"}
FLUSH_EVERY = 500  # entities per chunk written to the socket
_MAX_PAGE = re.compile(r"odata\.maxpagesize\s*=\s*(\d+)")


class ODataView(APIView):
    # Basic first: an unauthenticated request is challenged with `WWW-Authenticate: Basic`,
    # which is what makes Excel and Power BI ask for a user name and password.
    authentication_classes = [BasicOverHttpsAuthentication, ApiTokenAuthentication, SessionAuthentication]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(getattr(response, "data", None), dict) and "code" in response.data:
            # OData clients read `error`; this server's clients read `code`/`message`: both.
            error = {"code": response.data["code"], "message": response.data["message"]}
            response.data = {**response.data, "error": error}
        for name, value in ODATA_HEADERS.items():
            response[name] = value
        return response

    def base_url(self, request, form_id: str) -> str:
        return request.build_absolute_uri(f"/api/v1/forms/{form_id}.svc")


class ServiceDocumentApi(ODataView):
    @extend_schema(responses={200: OpenApiResponse(description="OData service document: the entity sets")})
    def get(self, request, form_id: str):
        _form, schema = odata_form(actor_for_request(request), form_id=form_id)
        response = Response(service_document(schema, base=self.base_url(request, form_id)), headers=ODATA_HEADERS)
        return response


class MetadataApi(ODataView):
    @extend_schema(responses={(200, "application/xml"): OpenApiResponse(description="EDMX (OData CSDL XML)")})
    def get(self, request, form_id: str):
        _form, schema = odata_form(actor_for_request(request), form_id=form_id)
        response = HttpResponse(metadata_xml(schema), content_type="application/xml; charset=utf-8")
        response["OData-Version"] = "4.0"
        return response


class EntitySetApi(ODataView):
    @extend_schema(responses={200: OpenApiResponse(description="OData entity collection (JSON, streamed)")})
    def get(self, request, form_id: str, entity_set: str):
        actor = actor_for_request(request)
        form, schema = odata_form(actor, form_id=form_id)
        target = _entity_set(schema, entity_set)
        query = _query(request, target)
        page = _page_size(request, query)
        base = self.base_url(request, form_id)
        audit_microdata_read(
            request=request,
            action="submission.odata",
            form_id=form_id,
            entity_set=target.name,
            query={k: v for k, v in request.query_params.items()},
        )
        submissions = odata_submissions(actor, form=form, query=query)
        count = None
        if query.count:
            count = _count(odata_submissions(actor, form=form, query=dataclasses.replace(query, after_id=None)), target)
        head = {"@odata.context": f"{base}/$metadata#{target.name}"}
        if count is not None:
            head["@odata.count"] = count
        if target.parent_key:
            body = _repeat_body(schema, target, submissions, query, page, base, request)
        else:
            body = _submission_body(schema, target, submissions, query, page, base, request)
        response = StreamingHttpResponse(_envelope(head, body), content_type=JSON)
        if page is not None and query.top is None:
            response["Preference-Applied"] = f"odata.maxpagesize={page}"
        for name, value in ODATA_HEADERS.items():
            response[name] = value
        return response


class EntityCountApi(ODataView):
    @extend_schema(responses={(200, "text/plain"): OpenApiResponse(description="The number of entities")})
    def get(self, request, form_id: str, entity_set: str):
        actor = actor_for_request(request)
        form, schema = odata_form(actor, form_id=form_id)
        target = _entity_set(schema, entity_set)
        query = _query(request, target)
        audit_microdata_read(
            request=request, action="submission.odata", form_id=form_id, entity_set=target.name, count_only=True
        )
        count = _count(odata_submissions(actor, form=form, query=dataclasses.replace(query, after_id=None)), target)
        response = HttpResponse(str(count), content_type="text/plain; charset=utf-8")
        response["OData-Version"] = "4.0"
        return response


def _entity_set(schema, name: str) -> EntitySet:
    for candidate in entity_sets(schema):
        if candidate.name == name:
            return candidate
    raise errors.not_found(f"entity set {name}", f"tập thực thể {name}", entity_set=name)


def _query(request, target: EntitySet) -> ODataQuery:
    properties = {"__id", target.parent_key or "__system"}
    properties |= {n.name for n in target.table.nodes if n.parent == target.table.path and n.kind != REPEAT}
    try:
        query = query_read(request.query_params, properties=frozenset(properties))
    except ODataQueryError as exc:
        raise errors.odata_expression_invalid(exc.option, exc.reason) from exc
    if target.parent_key and "__id" in filter_fields(query.filter):
        # __id of a repeat row is its own digest, not the submission's: not filterable here.
        raise errors.odata_expression_invalid("$filter", "__id can only be filtered on Submissions")
    return query


def _page_size(request, query: ODataQuery) -> int | None:
    """$top is the page size (Central); without it, `Prefer: odata.maxpagesize=N` asks for
    server-driven pages; with neither, everything in one streamed response."""
    if query.top is not None:
        return query.top
    match = _MAX_PAGE.search(request.headers.get("Prefer", ""))
    return max(1, int(match.group(1))) if match else None


def _count(submissions, target: EntitySet) -> int:
    if target.parent_key:
        return odata_repeat_count(submissions, table_path=target.table.path)
    return submissions.count()


def _next_link(request, base: str, target: EntitySet, query: ODataQuery, **position: int) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in ("$skip", "$skiptoken")}
    params["$skiptoken"] = skiptoken_make(**position)
    return f"{base}/{target.name}?{urlencode(params)}"


def _submission_body(schema, target, submissions, query, page, base, request) -> Iterator[dict | str]:
    """Submissions newest first; one more than the page is read to know whether a next page
    exists (its link carries the last id sent: stable while new submissions arrive)."""
    limit = None if page is None else page + 1
    sent, last_id = 0, None
    for row in odata_submission_rows(submissions, limit=limit, offset=query.skip):
        if page is not None and sent == page:
            yield _next_link(request, base, target, query, id=last_id)
            return
        answers = next(table_rows(row["parsed"] or {}, schema, key=row["instance_id"]))
        yield entity(answers, target, schema, system=system_of(row), select=query.select)
        sent, last_id = sent + 1, row["id"]


def _repeat_body(schema, target, submissions, query, page, base, request) -> Iterator[dict | str]:
    """Rows of one repeat over the submissions (newest submission first, rows in form order);
    paged by position in that sequence."""
    start = query.skip + query.after_row
    position = sent = 0
    for row in odata_submission_rows(submissions, limit=None, offset=0):
        for answer_row in table_rows(row["parsed"] or {}, schema, key=row["instance_id"]):
            if answer_row.table != target.table.path:
                continue
            position += 1
            if position <= start:
                continue
            if page is not None and sent == page:
                yield _next_link(request, base, target, query, row=start + sent)
                return
            yield entity(answer_row, target, schema, select=query.select)
            sent += 1


def _envelope(head: dict, body: Iterator[dict | str]) -> Iterator[bytes]:
    """`{"@odata.context": …, "value": [ … ], "@odata.nextLink": …}` written as the rows come.
    A str from the body is the next link, which comes last (the page is known to be full only
    after it is sent)."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    yield (dumps(head)[:-1] + ',"value":[').encode()
    chunk: list[str] = []
    first, next_link = True, None
    for item in body:
        if isinstance(item, str):
            next_link = item
            break
        chunk.append(("" if first else ",") + dumps(item))
        first = False
        if len(chunk) >= FLUSH_EVERY:
            yield "".join(chunk).encode()
            chunk = []
    tail = "]" + (f',"@odata.nextLink":{dumps(next_link)}' if next_link else "") + "}"
    yield ("".join(chunk) + tail).encode()
