"""Webhooks over REST (admin and commune leadership): list and create, read, change, delete;
a webhook's delivery log with every try; retry one delivery."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.accounts.permissions import Capability
from backend.audit.http import client_ip
from backend.core import errors
from backend.core.schema import counted_list_of
from backend.surveys.models import Form
from backend.webhooks.models import DeliveryState
from backend.webhooks.selectors import deliveries_of, delivery_for, webhook_for, webhooks_list_for
from backend.webhooks.serializers import (
    DeliveryOutput,
    WebhookCreatedOutput,
    WebhookInput,
    WebhookOutput,
    WebhookUpdateInput,
)
from backend.webhooks.services import webhook_create, webhook_delete, webhook_delivery_retry, webhook_update

DELIVERY_PAGE = 200


class ManagesWebhooks(Capability):
    capability = staticmethod(policy.can_manage_webhooks)
    message = "Chỉ lãnh đạo xã và quản trị viên quản lý webhook. / Only commune leadership and admins manage webhooks."


def _webhook_or_404(request, webhook_id: int):
    hook = webhook_for(actor_for_request(request), webhook_id)
    if hook is None:
        raise errors.not_found(f"webhook {webhook_id}", f"webhook {webhook_id}")
    return hook


class WebhookListApi(APIView):
    permission_classes = [ManagesWebhooks]

    @extend_schema(
        parameters=[OpenApiParameter("form_id", str, description="only this form's webhooks")],
        responses=counted_list_of(WebhookOutput),
    )
    def get(self, request):
        rows = list(webhooks_list_for(actor_for_request(request), form_id=request.query_params.get("form_id")))
        return Response({"count": len(rows), "results": WebhookOutput(rows, many=True).data})

    @extend_schema(request=WebhookInput, responses={201: WebhookCreatedOutput})
    def post(self, request):
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        form = Form.objects.filter(form_id=values.pop("form_id")).first()
        if form is None:
            raise errors.not_found("form", "biểu mẫu", field="form_id")
        hook = webhook_create(actor=actor_for_request(request), form=form, ip=client_ip(request), **values)
        return Response(WebhookCreatedOutput(hook).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(APIView):
    permission_classes = [ManagesWebhooks]

    @extend_schema(responses=WebhookOutput)
    def get(self, request, webhook_id: int):
        return Response(WebhookOutput(_webhook_or_404(request, webhook_id)).data)

    @extend_schema(request=WebhookUpdateInput, responses=WebhookOutput)
    def patch(self, request, webhook_id: int):
        hook = _webhook_or_404(request, webhook_id)
        data = WebhookUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        webhook_update(
            actor=actor_for_request(request), webhook=hook, changes=dict(data.validated_data), ip=client_ip(request)
        )
        return Response(WebhookOutput(_webhook_or_404(request, webhook_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, webhook_id: int):
        hook = _webhook_or_404(request, webhook_id)
        webhook_delete(actor=actor_for_request(request), webhook=hook, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveriesApi(APIView):
    permission_classes = [ManagesWebhooks]

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=list(DeliveryState.values), description="only deliveries in this state")
        ],
        responses=counted_list_of(DeliveryOutput),
        description=f"Newest first, at most {DELIVERY_PAGE}; `count` is the total.",
    )
    def get(self, request, webhook_id: int):
        hook = _webhook_or_404(request, webhook_id)
        state = request.query_params.get("state") or None
        if state is not None and state not in DeliveryState.values:
            raise errors.bad_request(
                f"state must be one of {', '.join(DeliveryState.values)}. / Trạng thái không hợp lệ.", field="state"
            )
        rows: QuerySet = deliveries_of(hook, state=state)
        return Response({"count": rows.count(), "results": DeliveryOutput(rows[:DELIVERY_PAGE], many=True).data})


class WebhookDeliveryRetryApi(APIView):
    permission_classes = [ManagesWebhooks]

    @extend_schema(request=None, responses=DeliveryOutput)
    def post(self, request, delivery_id):
        actor = actor_for_request(request)
        delivery = delivery_for(actor, delivery_id)
        if delivery is None:
            raise errors.not_found(f"delivery {delivery_id}", f"lần gửi {delivery_id}")
        webhook_delivery_retry(actor=actor, delivery=delivery, ip=client_ip(request))
        fresh = deliveries_of(delivery.webhook).get(pk=delivery.pk)
        return Response(DeliveryOutput(fresh).data)
