"""DRF authentication with revocable API tokens (`Authorization: Bearer <token>`), and HTTP
Basic over HTTPS for the views of spreadsheet clients (the OData feed)."""

import base64
import binascii

from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import PermissionDenied
from rest_framework import authentication, exceptions

from backend.accounts.selectors import api_token_lookup
from backend.core import errors


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(self.keyword + " "):
            return None
        token = header[len(self.keyword) + 1 :].strip()
        api_token = api_token_lookup(token)
        if api_token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        return api_token.user, api_token

    def authenticate_header(self, request):
        return self.keyword


class BasicOverHttpsAuthentication(authentication.BaseAuthentication):
    """HTTP Basic for the clients that only know it (Excel's and Power BI's OData
    connectors): the account's user name, and as password either the account's password
    (checked by the throttled backend, like every password) or one of its API tokens.
    Refused over plain HTTP (401.3): the credentials would travel readable. Listed first on
    the views that offer it, so an unauthenticated request is challenged with `Basic`."""

    realm = "Phu Lam survey server"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith("Basic "):
            return None
        if not request.is_secure():
            raise errors.https_required()
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise errors.credentials_invalid() from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise errors.credentials_invalid()
        api_token = api_token_lookup(password)
        if api_token is not None and api_token.user.get_username() == get_user_model().normalize_username(username):
            return api_token.user, api_token
        try:
            user = authenticate(request._request, username=username, password=password)
        except PermissionDenied:
            user = None  # too many failures: blocked by the throttle, told like a wrong password
        if user is None or not user.is_active:
            raise errors.credentials_invalid()
        return user, None

    def authenticate_header(self, request):
        return f'Basic realm="{self.realm}", charset="UTF-8"'
