"""Wire shapes of webhooks and their delivery log. The secret is written, never read back
(only `secret_hint`), except once in the answer that created it."""

from rest_framework import serializers

from backend.webhooks.models import ALL_EVENTS, Webhook, WebhookAttempt, WebhookDelivery


class WebhookInput(serializers.Serializer):
    form_id = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=200)
    url = serializers.CharField(max_length=1000)
    events = serializers.ListField(child=serializers.ChoiceField(choices=ALL_EVENTS), allow_empty=False)
    secret = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


class WebhookUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    url = serializers.CharField(max_length=1000, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=ALL_EVENTS), allow_empty=False, required=False)
    secret = serializers.CharField(max_length=200, required=False)
    active = serializers.BooleanField(required=False)


class WebhookOutput(serializers.ModelSerializer):
    form_id = serializers.CharField(source="form.form_id", read_only=True)
    secret_hint = serializers.CharField(read_only=True, help_text="the secret's last 4 characters")
    pending = serializers.IntegerField(read_only=True, required=False, help_text="deliveries waiting or being sent")
    delivered = serializers.IntegerField(read_only=True, required=False)
    failed = serializers.IntegerField(read_only=True, required=False, help_text="deliveries that ran out of tries")

    class Meta:
        model = Webhook
        fields = [
            "id",
            "form_id",
            "name",
            "url",
            "events",
            "active",
            "secret_hint",
            "pending",
            "delivered",
            "failed",
            "created_at",
            "updated_at",
        ]


class WebhookCreatedOutput(WebhookOutput):
    secret = serializers.CharField(read_only=True, help_text="shown only in this answer")

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]


class AttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "finished_at", "status_code", "error", "response_excerpt"]


class DeliveryOutput(serializers.ModelSerializer):
    webhook_id = serializers.IntegerField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    attempt_log = AttemptOutput(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook_id",
            "event",
            "submission_id",
            "instance_id",
            "state",
            "state_label",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "attempt_log",
        ]
