"""The project's URLs plus one bench-only endpoint: a bare DRF view returning a constant.

It sits under /api/ so that it passes through exactly the same middleware as the API it is the
baseline for (LoginRequiredMiddleware leaves /api/ to DRF's own authentication), and it
authenticates the same way (token, IsAuthenticated), so the ratio measures the endpoints' own work.
"""
from django.urls import path
from knox.auth import TokenAuthentication
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns

CONSTANT_PATH = "/api/bench/constant/"


class ConstantView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path(CONSTANT_PATH.lstrip("/"), ConstantView.as_view(), name="bench-constant"),
               *project_urlpatterns]
