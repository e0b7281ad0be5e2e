"""Unit pages for staff, scoped to their subtrees through orgs.access: a unit
outside them answers 404, and changes need an admin role (POST only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs import services
from orgs.access import get_unit_for_staff, is_staff_of, staff_roots, units_for_staff
from orgs.exporting import EXPORTERS
from orgs.forms import ChildUnitForm, ImportForm, RoleForm, SearchForm, UnitForm
from orgs.importing import UnitImportError, import_units
from orgs.models import Unit, UnitKind
from orgs.tree import ancestor_paths

PAGE_SIZE = 25
MAX_ERRORS_SHOWN = 500


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = None
    if query:
        found = services.search_units(units_for_staff(request.user), query)
        results = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"roots": staff_roots(request.user), "form": form, "query": query, "results": results}
    return render(request, "orgs/unit_list.html", context)


def _detail(request: HttpRequest, unit: Unit, *, status: int = 200, **forms) -> HttpResponse:
    above = ancestor_paths(unit.path, include_self=False)
    ancestors = list(Unit.objects.filter(path__in=above).order_by("path"))
    in_scope = set(
        units_for_staff(request.user)
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    is_admin = is_staff_of(request.user, unit, admin=True)
    context = {
        "unit": unit,
        "breadcrumb": [(a, a.pk in in_scope) for a in ancestors],
        "children": Paginator(services.children_of(unit), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "descendant_count": services.descendant_count(unit),
        "staff_count": unit.roles.count(),
        "is_admin": is_admin,
    }
    if is_admin:
        context |= {
            "edit_form": forms.get("edit_form")
            or UnitForm(initial={"name": unit.name, "kind": unit.kind}),
            "child_form": forms.get("child_form") or ChildUnitForm(),
            "role_form": forms.get("role_form") or RoleForm(),
            "roles": services.roles_of(unit),
        }
    return render(request, "orgs/unit_detail.html", context, status=status)


@login_required
@require_GET
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, get_unit_for_staff(request.user, code))


@login_required
@require_POST
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_staff(request.user, code, admin=True)
    form = UnitForm(request.POST)
    if not form.is_valid():
        return _detail(request, unit, status=400, edit_form=form)
    services.update_unit(unit, **form.cleaned_data, actor=request.user)
    messages.success(request, _("The unit was saved."))
    return redirect("orgs:detail", code=unit.code)


@login_required
@require_POST
def unit_add_child(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_staff(request.user, code, admin=True)
    form = ChildUnitForm(request.POST)
    if not form.is_valid():
        return _detail(request, unit, status=400, child_form=form)
    try:
        child = services.add_child_unit(unit, **form.cleaned_data, actor=request.user)
    except services.OrgError as error:
        form.add_error("code", error.message)
        return _detail(request, unit, status=400, child_form=form)
    messages.success(request, _("The unit %(name)s was added.") % {"name": child.name})
    return redirect("orgs:detail", code=child.code)


@login_required
@require_http_methods(["GET", "POST"])
def unit_import(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_staff(request.user, code, admin=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_units(upload.read(), upload.name, into=unit, actor=request.user)
        except UnitImportError as error:
            errors = error.errors
        else:
            messages.success(
                request,
                _("Import done: %(created)d created, %(updated)d updated.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("orgs:detail", code=unit.code)
    context = {
        "unit": unit,
        "form": form,
        "kinds": UnitKind.choices,
        "errors": errors[:MAX_ERRORS_SHOWN] if errors else errors,
        "error_count": len(errors) if errors else 0,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/unit_import.html", context, status=status)


@login_required
@require_GET
def unit_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    # Staff see the exports of their subtree (orgs.models.Role); admins too.
    unit = get_unit_for_staff(request.user, code)
    if fmt not in EXPORTERS:
        raise Http404
    export, content_type = EXPORTERS[fmt]
    response = HttpResponse(export(unit), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"units-{unit.code}.{fmt}")
    return response


@login_required
@require_POST
def role_add(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for_staff(request.user, code, admin=True)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _detail(request, unit, status=400, role_form=form)
    try:
        unit_role = services.grant_role(unit, **form.cleaned_data, actor=request.user)
    except services.OrgError as error:
        form.add_error("email", error.message)
        return _detail(request, unit, status=400, role_form=form)
    messages.success(
        request,
        _("%(email)s is now %(role)s of this unit.")
        % {"email": unit_role.user.email, "role": unit_role.get_role_display()},
    )
    return redirect("orgs:detail", code=unit.code)


@login_required
@require_POST
def role_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    unit = get_unit_for_staff(request.user, code, admin=True)
    unit_role = get_object_or_404(unit.roles.select_related("user"), pk=pk)
    try:
        services.revoke_role(unit_role, actor=request.user)
    except services.OrgError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The role was removed."))
    return redirect("orgs:detail", code=unit.code)
