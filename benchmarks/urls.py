"""The product's URLs plus ``/bench/bare/``: a view that does nothing but what every page needs
(a session verified by a second factor, checked by the middleware). Pages are measured as a
ratio to it, in the same run."""

from django.http import HttpResponse
from django.urls import path

from dief.urls import urlpatterns as product_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *product_urlpatterns]
