from django.conf import settings


def site(request):
    context = {"SITE_URL": settings.SITE_URL, "DEBUG": settings.DEBUG}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["is_unit_staff"] = user.is_superuser or user.unit_roles.exists()
    return context
