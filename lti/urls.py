from django.urls import path
from lti_tool.views import jwks

from . import views

app_name = "lti"

urlpatterns = [
    path("jwks.json", jwks, name="jwks"),
    path("init/", views.LoginInitView.as_view(), name="init"),
    path("init/<uuid:registration_uuid>/", views.LoginInitView.as_view(), name="init_for"),
    path("launch/", views.LaunchView.as_view(), name="launch"),
    path("deep-link/", views.deep_link_select, name="deep_link"),
    path("config/canvas.json", views.canvas_config, name="canvas_config"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/roster/", views.course_sync_roster, name="course_sync_roster"),
]
