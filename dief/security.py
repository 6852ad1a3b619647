"""Response headers of every page: Content Security Policy with a per-request nonce."""

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from django.conf import settings


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with a fresh nonce in every policy: a script runs only if it carries
    ``nonce="{{ request.csp_nonce }}"``. The admin alone also loads Django's own static
    scripts ('self'); it has no inline script either."""

    def process_request(self, request):
        super().process_request(request)
        str(request.csp_nonce)  # generated now, so every policy names one

    def process_response(self, request, response):
        if request.path_info.startswith("/" + settings.DIEF_ADMIN_URL.lstrip("/")):
            response._csp_update = {"script-src": [SELF]}
        return super().process_response(request, response)
