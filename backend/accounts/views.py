"""The sign-in page for web users (hamlet heads, leadership, admins, volunteers with a login).

Password checks are throttled by the auth backend; this view only turns "blocked" into a
clear bilingual message and HTTP 429. The pages app may restyle it by providing its own
`accounts/login.html` template (templates in backend/templates come first).
"""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed

from backend.accounts.login_throttle import login_blocked

TOO_MANY = (
    "Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau 15 phút. / "
    "Too many failed sign-in attempts. Please try again in 15 minutes."
)


class ThrottledAuthenticationForm(AuthenticationForm):
    blocked = False
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Sai tên đăng nhập hoặc mật khẩu (phân biệt chữ hoa, chữ thường). / "
            "Wrong username or password (both are case-sensitive)."
        ),
        "inactive": "Tài khoản này đã bị khóa. / This account is disabled.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        ip = self.request.META.get("REMOTE_ADDR") if self.request is not None else None
        if username and login_blocked(username=username, ip=ip):
            self.blocked = True
            # Refused before any password check, so Django sends no signal: send it, so the
            # attempt is in the audit log as "blocked" like every other refused sign-in.
            if self.request is not None:
                self.request._login_blocked = True
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=self.request)
            raise forms.ValidationError(TOO_MANY, code="throttled")
        return super().clean()


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "blocked", False):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]
