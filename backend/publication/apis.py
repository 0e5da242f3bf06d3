"""REST endpoints: the periodic report (DOCX/PDF) and the publish action (HTTP only)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.accounts.permissions import PublishesResults
from backend.audit.http import client_ip
from backend.core.errors import not_found
from backend.publication.docx_report import DOCX_TYPE
from backend.publication.models import PublishedRound
from backend.publication.services import periodic_report_build, round_publish


class PeriodicReportApi(APIView):
    """The commune's periodic report of a round. Readers without microdata access get the
    suppressed figures, as with the exports."""

    @extend_schema(
        parameters=[OpenApiParameter("round", str, description="Survey round (default: the latest)")],
        responses={(200, DOCX_TYPE): bytes, (200, "application/pdf"): bytes},
    )
    def get(self, request, fmt: str):
        report = periodic_report_build(
            round_name=request.query_params.get("round") or None,
            microdata=policy.sees_microdata(actor_for_request(request)),
        )
        if fmt == "pdf":
            body, kind = report.pdf(), "application/pdf"
        elif fmt == "docx":
            body, kind = report.docx, DOCX_TYPE
        else:
            raise not_found(f"report format '{fmt}'")
        response = HttpResponse(body, content_type=kind)
        response["Content-Disposition"] = content_disposition_header(True, f"{report.filename}.{fmt}")
        response["X-Report-Suppressed"] = "true" if report.suppressed else "false"
        return response


class PublishInput(serializers.Serializer):
    round = serializers.CharField(max_length=50)


class PublishedRoundSerializer(serializers.ModelSerializer):
    published_by = serializers.SerializerMethodField()

    class Meta:
        model = PublishedRound
        fields = ["round", "published_at", "published_by", "computed_at"]

    def get_published_by(self, obj) -> str | None:
        return obj.published_by.get_username() if obj.published_by else None


class PublishApi(APIView):
    def get_permissions(self):
        return [PublishesResults()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(responses=PublishedRoundSerializer(many=True))
    def get(self, request):
        return Response(PublishedRoundSerializer(PublishedRound.objects.all(), many=True).data)

    @extend_schema(request=PublishInput, responses={201: PublishedRoundSerializer})
    def post(self, request):
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        published = round_publish(round_name=data.validated_data["round"], user=request.user, ip=client_ip(request))
        return Response(PublishedRoundSerializer(published).data, status=status.HTTP_201_CREATED)
