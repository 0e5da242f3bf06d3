from django.urls import path

from backend.webhooks import apis

urlpatterns = [
    path("webhooks", apis.WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<int:webhook_id>", apis.WebhookDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<int:webhook_id>/deliveries", apis.WebhookDeliveriesApi.as_view(), name="webhook-deliveries"),
    path(
        "webhooks/deliveries/<uuid:delivery_id>/retry",
        apis.WebhookDeliveryRetryApi.as_view(),
        name="webhook-delivery-retry",
    ),
]
