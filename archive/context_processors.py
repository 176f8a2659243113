def navigation(request):
    """What the navigation bar needs to know about the signed-in user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_add_customer": user.has_perm("customers.add_customer"),
        "nav_sees_all": user.has_perm("customers.view_all_customers"),
    }
