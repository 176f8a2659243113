from .models import AccessRequest


def navigation(request):
    """The access menu's links and the director's count of access requests waiting for an answer."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_access_navigation", None)
    if cached is not None:
        return cached
    decides = user.has_perm("access.decide_accessrequest")
    request._access_navigation = {
        "nav_access_asks": user.has_perm("access.add_accessrequest"),
        "nav_access_decides": decides,
        "nav_access_pending": (
            AccessRequest.objects.filter(state=AccessRequest.State.PENDING).count() if decides else 0
        ),
        "nav_access_hands_over": user.has_perm("access.add_handover"),
        "nav_access_audits": user.has_perm("customers.view_accessrecord"),
    }
    return request._access_navigation
