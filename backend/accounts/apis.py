"""REST endpoints for people and credentials: volunteers' devices, users and roles, API tokens.
Every write goes through a service that leaves one audit row."""

from django.contrib.auth import authenticate, get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.actors import actor_for_request
from backend.accounts.models import Role, Volunteer
from backend.accounts.permissions import ManagesUsers
from backend.accounts.selectors import (
    api_tokens_visible_to,
    forms_by_ids,
    forms_exact,
    hamlets_by_codes,
    hamlets_known,
    users_list,
    volunteers_list,
)
from backend.accounts.serializers import (
    ApiTokenCreatedOutput,
    ApiTokenCreateInput,
    ApiTokenLoginInput,
    ApiTokenOutput,
    UserCreateInput,
    UserOutput,
    UserUpdateInput,
    VolunteerAssignInput,
    VolunteerCreatedOutput,
    VolunteerCreateInput,
    VolunteerOutput,
    VolunteerRevokedOutput,
)
from backend.accounts.services import (
    api_token_create,
    api_token_revoke,
    device_token_revoke,
    user_create,
    user_update,
    volunteer_assign,
    volunteer_create,
)
from backend.accounts.throttles import LoginRateThrottle
from backend.audit.http import client_ip
from backend.core import errors
from backend.core.urlbuild import volunteer_server_url


def volunteer_created(volunteer: Volunteer, token: str) -> dict:
    """What POST /volunteers answers (VolunteerCreatedOutput): the device link, shown once."""
    server_url = volunteer_server_url(token)
    return {
        "id": volunteer.pk,
        "name": volunteer.name,
        "server_url": server_url,
        "qr_png": f"{server_url}/qr.png",
        "qr_svg": f"{server_url}/qr.svg",
        "forms": [f.form_id for f in volunteer.forms.all()],
    }


class VolunteerListApi(APIView):
    permission_classes = [ManagesUsers]

    @extend_schema(responses=VolunteerOutput(many=True))
    def get(self, request):
        volunteers = volunteers_list()
        return Response(VolunteerOutput(volunteers, many=True).data)

    @extend_schema(request=VolunteerCreateInput, responses={201: VolunteerCreatedOutput})
    def post(self, request):
        data = VolunteerCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        hamlets = hamlets_known(data.validated_data["hamlets"])
        volunteer, token = volunteer_create(
            name=data.validated_data["name"],
            code=data.validated_data["code"],
            forms=forms_by_ids(data.validated_data["forms"]),
            hamlets=hamlets,
            actor=actor_for_request(request),
            ip=client_ip(request),
        )
        return Response(
            VolunteerCreatedOutput(volunteer_created(volunteer, token)).data, status=status.HTTP_201_CREATED
        )


class VolunteerRevokeApi(APIView):
    permission_classes = [ManagesUsers]

    @extend_schema(request=None, responses=VolunteerRevokedOutput)
    def post(self, request, volunteer_id: int):
        volunteer = get_object_or_404(Volunteer, pk=volunteer_id)
        devices = list(volunteer.tokens.filter(revoked_at__isnull=True))
        for device in devices:
            device_token_revoke(device=device, actor=actor_for_request(request), ip=client_ip(request))
        return Response(VolunteerRevokedOutput({"id": volunteer.pk, "revoked_devices": len(devices)}).data)


class VolunteerDetailApi(APIView):
    permission_classes = [ManagesUsers]

    @extend_schema(responses=VolunteerOutput)
    def get(self, request, volunteer_id: int):
        volunteer = get_object_or_404(volunteers_list(), pk=volunteer_id)
        return Response(VolunteerOutput(volunteer).data)

    @extend_schema(request=VolunteerAssignInput, responses=VolunteerOutput)
    def patch(self, request, volunteer_id: int):
        volunteer = get_object_or_404(Volunteer, pk=volunteer_id)
        data = VolunteerAssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        forms = data.validated_data.get("forms")
        hamlets = data.validated_data.get("hamlets")
        volunteer_assign(
            actor=actor_for_request(request),
            volunteer=volunteer,
            forms=None if forms is None else forms_exact(forms),
            hamlets=None if hamlets is None else hamlets_by_codes(hamlets),
            ip=client_ip(request),
        )
        return Response(VolunteerOutput(volunteers_list().get(pk=volunteer.pk)).data)


class UserListApi(APIView):
    permission_classes = [ManagesUsers]

    @extend_schema(responses=UserOutput(many=True))
    def get(self, request):
        return Response(UserOutput(users_list(), many=True).data)

    @extend_schema(request=UserCreateInput, responses={201: UserOutput})
    def post(self, request):
        data = UserCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = user_create(
            username=values["username"],
            password=values["password"],
            role=values["role"],
            name=values["name"],
            hamlets=hamlets_by_codes(values["hamlets"]),
            forms=forms_exact(values["forms"]),
            with_volunteer=values["role"] == Role.VOLUNTEER,
            actor=actor_for_request(request),
            ip=client_ip(request),
        )
        return Response(UserOutput(users_list().get(pk=user.pk)).data, status=status.HTTP_201_CREATED)


class UserDetailApi(APIView):
    permission_classes = [ManagesUsers]

    @extend_schema(responses=UserOutput)
    def get(self, request, user_id: int):
        return Response(UserOutput(get_object_or_404(users_list(), pk=user_id)).data)

    @extend_schema(request=UserUpdateInput, responses=UserOutput)
    def patch(self, request, user_id: int):
        user = get_object_or_404(get_user_model(), pk=user_id)
        data = UserUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user_update(
            actor=actor_for_request(request),
            user=user,
            role=values.get("role"),
            name=values.get("name"),
            password=values.get("password"),
            is_active=values.get("is_active"),
            hamlets=hamlets_by_codes(values["hamlets"]) if "hamlets" in values else None,
            forms=forms_exact(values["forms"]) if "forms" in values else None,
            ip=client_ip(request),
        )
        return Response(UserOutput(users_list().get(pk=user.pk)).data)


class ApiTokenListApi(APIView):
    """A signed-in user's API tokens for scripts; the raw token is in the POST answer only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ApiTokenOutput(many=True))
    def get(self, request):
        return Response(ApiTokenOutput(api_tokens_visible_to(actor_for_request(request)), many=True).data)

    @extend_schema(request=ApiTokenCreateInput, responses={201: ApiTokenCreatedOutput})
    def post(self, request):
        data = ApiTokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        token = api_token_create(
            user=request.user, name=data.validated_data["name"], actor=actor_for_request(request), ip=client_ip(request)
        )
        body = ApiTokenCreatedOutput({"token": token, "name": data.validated_data["name"]}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ApiTokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ApiTokenOutput)
    def post(self, request, token_id: int):
        # Someone else's token is "not found", not "forbidden": its existence is not theirs to learn.
        api_token = get_object_or_404(api_tokens_visible_to(actor_for_request(request)), pk=token_id)
        api_token_revoke(api_token=api_token, actor=actor_for_request(request), ip=client_ip(request))
        api_token.refresh_from_db()
        return Response(ApiTokenOutput(api_token).data)


class ApiTokenLoginApi(APIView):
    """Exchange a username and password for a new API token (for scripts, like pyodk).
    Throttled per address (DRF) and per account (the auth backend's counters)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=ApiTokenLoginInput, responses={201: ApiTokenCreatedOutput})
    def post(self, request):
        data = ApiTokenLoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["username"], password=data.validated_data["password"])
        if user is None:
            raise errors.credentials_invalid()
        token = api_token_create(user=user, name=data.validated_data["name"], actor=user, ip=client_ip(request))
        body = ApiTokenCreatedOutput({"token": token, "name": data.validated_data["name"]}).data
        return Response(body, status=status.HTTP_201_CREATED)
