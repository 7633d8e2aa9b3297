def roles(request):
    """Cheap role flags for the navigation; no queries beyond the user already loaded."""
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "is_candidate": authenticated and user.is_candidate,
        "is_organizer": authenticated and user.is_organizer,
        "is_company_member": authenticated and user.is_company_member,
    }
