from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from orgs.access import staff_roots


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "orgs/unit_list.html", {"roots": staff_roots(request.user)})
