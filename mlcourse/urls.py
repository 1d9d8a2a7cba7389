from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from exercises.forms import LoginForm

from .security import limit_posts
from .views import healthz

login = limit_posts("login", user_key="mlcourse.security.login_username")(
    auth_views.LoginView.as_view(authentication_form=LoginForm)
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", login, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("api.urls")),
    path("lti/", include("lti.urls")),
    path("", include("teaching.urls")),
    path("", include("exercises.urls")),
]
