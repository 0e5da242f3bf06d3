"""REST endpoints for volunteers' devices."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.models import Volunteer
from backend.accounts.permissions import IsCommuneAdmin
from backend.accounts.serializers import VolunteerCreatedOutput, VolunteerCreateInput, VolunteerOutput
from backend.accounts.services import device_token_revoke, volunteer_create
from backend.core import errors
from backend.places.models import Hamlet
from backend.surveys.models import Form, FormState
from sync.urlbuild import volunteer_server_url


def volunteer_created_json(volunteer: Volunteer, token: str) -> dict:
    server_url = volunteer_server_url(token)
    return {
        "id": volunteer.pk,
        "name": volunteer.name,
        "server_url": server_url,
        "qr_png": f"{server_url}/qr.png",
        "qr_svg": f"{server_url}/qr.svg",
        "forms": list(volunteer.forms.values_list("form_id", flat=True)),
    }


def forms_by_ids(form_ids: list[str]) -> list[Form]:
    if not form_ids:
        return list(Form.objects.filter(state=FormState.OPEN))
    forms = list(Form.objects.filter(form_id__in=form_ids))
    unknown = sorted(set(form_ids) - {f.form_id for f in forms})
    if unknown:
        raise errors.not_found(f"form(s) {', '.join(unknown)}")
    return forms


class VolunteerListApi(APIView):
    permission_classes = [IsCommuneAdmin]

    @extend_schema(responses=VolunteerOutput(many=True))
    def get(self, request):
        volunteers = Volunteer.objects.prefetch_related("forms", "hamlets", "tokens")
        return Response(VolunteerOutput(volunteers, many=True).data)

    @extend_schema(request=VolunteerCreateInput, responses={201: VolunteerCreatedOutput})
    def post(self, request):
        data = VolunteerCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        hamlets = list(Hamlet.objects.filter(code__in=data.validated_data["hamlets"]))
        volunteer, token = volunteer_create(
            name=data.validated_data["name"],
            code=data.validated_data["code"],
            forms=forms_by_ids(data.validated_data["forms"]),
            hamlets=hamlets,
        )
        return Response(volunteer_created_json(volunteer, token), status=status.HTTP_201_CREATED)


class VolunteerRevokeApi(APIView):
    permission_classes = [IsCommuneAdmin]

    @extend_schema(request=None, responses={200: dict})
    def post(self, request, volunteer_id: int):
        volunteer = get_object_or_404(Volunteer, pk=volunteer_id)
        devices = list(volunteer.tokens.filter(revoked_at__isnull=True))
        for device in devices:
            device_token_revoke(device=device)
        return Response({"id": volunteer.pk, "revoked_devices": len(devices)})
