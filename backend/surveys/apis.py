"""REST endpoints for forms: publish XLSForms, list forms, change state, replace media."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.permissions import IsCommuneAdmin
from backend.audit.http import client_ip
from backend.surveys.models import Form
from backend.surveys.serializers import FormOutput, FormPublishInput, FormPublishOutput, FormStateInput
from backend.surveys.services import form_media_update, form_publish, form_state_set

CREATED_STATUSES = {"created", "draft_created"}


class FormListApi(APIView):
    permission_classes = [IsCommuneAdmin]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=FormOutput(many=True))
    def get(self, request):
        forms = Form.objects.select_related("current_version").all()
        return Response(FormOutput(forms, many=True).data)

    @extend_schema(
        request={"multipart/form-data": FormPublishInput},
        responses={201: FormPublishOutput, 200: FormPublishOutput},
        description=(
            "Publish an XLSForm (or store a draft with publish=false). Conversion errors come back "
            "as 400 with pyxform's row-numbered message; changed content under an existing version "
            "string is 409. Republishing identical content is a no-op (200)."
        ),
    )
    def post(self, request):
        data = FormPublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["xlsform"]
        media = {f.name: f.read() for f in request.FILES.getlist("media")}
        result = form_publish(
            xlsform=upload.read(),
            filename=upload.name,
            attachments=media,
            user=request.user,
            publish=data.validated_data["publish"],
            ip=client_ip(request),
        )
        code = status.HTTP_201_CREATED if result.status in CREATED_STATUSES else status.HTTP_200_OK
        return Response(result.as_json(), status=code)


class FormDetailApi(APIView):
    permission_classes = [IsCommuneAdmin]

    @extend_schema(responses=FormOutput)
    def get(self, request, form_id: str):
        form = get_object_or_404(Form.objects.select_related("current_version"), form_id=form_id)
        return Response(FormOutput(form).data)

    @extend_schema(request=FormStateInput, responses=FormOutput)
    def patch(self, request, form_id: str):
        form = get_object_or_404(Form, form_id=form_id)
        data = FormStateInput(data=request.data)
        data.is_valid(raise_exception=True)
        form_state_set(form=form, state=data.validated_data["state"], actor=request.user, ip=client_ip(request))
        return Response(FormOutput(form).data)


class FormMediaApi(APIView):
    permission_classes = [IsCommuneAdmin]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={200: dict},
    )
    def put(self, request, form_id: str, name: str):
        form = get_object_or_404(Form.objects.select_related("current_version"), form_id=form_id)
        upload = request.FILES.get("file")
        if upload is None:
            from backend.core import errors

            raise errors.missing_multipart_field("file")
        changed = form_media_update(form=form, name=name, data=upload.read(), actor=request.user, ip=client_ip(request))
        return Response({"form_id": form_id, "name": name, "changed": changed})
