"""The four roles of DESIGN §1, as Django groups (created by ``customers`` migration 0002)."""

ACCOUNT_MANAGER = "account_manager"
SALES_DIRECTOR = "sales_director"
ARCHIVIST = "archivist"
CLERK = "clerk"

ALL_ROLES = (ACCOUNT_MANAGER, SALES_DIRECTOR, ARCHIVIST, CLERK)


def role_names(user) -> set[str]:
    """The roles a user holds (cached on the user object for the request)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_archive_roles"):
        user._archive_roles = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
    return user._archive_roles
