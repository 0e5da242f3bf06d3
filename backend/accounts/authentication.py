"""DRF authentication with revocable API tokens (`Authorization: Bearer <token>`)."""

from rest_framework import authentication, exceptions

from backend.accounts.selectors import api_token_lookup


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
