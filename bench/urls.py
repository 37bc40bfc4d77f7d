"""The project's URLs plus one bench-only endpoint: a bare DRF view returning a constant.

It sits under /api/ so that it passes through exactly the same middleware as the API it is the
baseline for (LoginRequiredMiddleware leaves /api/ to DRF's own authentication), and it
authenticates the same way (token, IsAuthenticated), so the ratio measures the endpoints' own work.
"""
from django.db.models import OuterRef, Subquery, Sum
from django.urls import path
from knox.auth import TokenAuthentication
from rest_framework import generics, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from applications.models import Application, FundingCall
from config.urls import urlpatterns as project_urlpatterns
from ledger.models import Posting

CONSTANT_PATH = "/api/bench/constant/"


class ConstantView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"ok": True})


# --- the floor of each endpoint: the same rows through a bare DRF view and a plain ModelSerializer,
# with the same authentication and renderer, the project's default pagination, no filters or permissions
# beyond IsAuthenticated, no visibility policy (the officer sees every row of the bench dataset anyway).


class Bare:
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    filter_backends = []


class BareApplicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = "__all__"


class BareApplicationList(Bare, generics.ListAPIView):
    queryset = Application.objects.order_by("-created_at", "-id")  # the real list's order and page size
    serializer_class = BareApplicationSerializer


class BareApplicationDetail(Bare, generics.RetrieveAPIView):
    queryset = Application.objects.all()
    serializer_class = BareApplicationSerializer


def _sum_of(**lookup):
    postings = Posting.objects.filter(**{key: OuterRef("pk") for key in lookup.values()}).order_by()
    return Subquery(postings.values(next(iter(lookup.values()))).annotate(s=Sum("amount")).values("s")[:1])


class BareApplicationBalancesSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Application
        fields = ["id", "reference", "total"]


class BareApplicationBalances(Bare, generics.RetrieveAPIView):
    """The same postings (the application's accounts), summed in the database."""
    queryset = Application.objects.annotate(total=_sum_of(of="account__application"))
    serializer_class = BareApplicationBalancesSerializer


class BareCallBalancesSerializer(serializers.ModelSerializer):
    total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = FundingCall
        fields = ["id", "fund_budget", "total"]


class BareCallBalances(Bare, generics.RetrieveAPIView):
    """The same postings (every account of the call's book), summed in the database."""
    queryset = FundingCall.objects.annotate(total=_sum_of(of="account__book__call"))
    serializer_class = BareCallBalancesSerializer


BARE = {  # endpoint name (bench.api.ENDPOINTS) -> (path with {pk}, view)
    "applications_list": ("/api/bench/bare/applications/", BareApplicationList),
    "application_detail": ("/api/bench/bare/applications/{pk}/", BareApplicationDetail),
    "application_balances": ("/api/bench/bare/balances/applications/{pk}/", BareApplicationBalances),
    "call_balances": ("/api/bench/bare/balances/calls/{pk}/", BareCallBalances),
}

urlpatterns = [path(CONSTANT_PATH.lstrip("/"), ConstantView.as_view(), name="bench-constant"),
               *[path(route.lstrip("/").replace("{pk}", "<int:pk>"), view.as_view(), name=f"bench-bare-{name}")
                 for name, (route, view) in BARE.items()],
               *project_urlpatterns]
