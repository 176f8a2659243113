from . import filing


def navigation(request):
    """What the navigation bar needs to know about the signed-in user: role links and waiting counts.

    Worked out once per request: the card renders each category's section as a template of its own with the
    request (for its forms' CSRF token), and every such render runs the context processors again.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_archive_navigation", None)
    if cached is not None:
        return cached
    decides = filing.can_decide(user)
    request._archive_navigation = {
        "nav_can_add_customer": user.has_perm("customers.add_customer"),
        "nav_sees_all": user.has_perm("customers.view_all_customers"),
        "nav_decides": decides,
        "nav_inbox_count": filing.inbox_count(user) if decides else 0,
        "nav_unread": filing.unread_notifications(user).count(),
        "nav_can_restore": filing.can_restore(user),
    }
    return request._archive_navigation
