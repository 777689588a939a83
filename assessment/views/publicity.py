"""The publicity-site register (人口文化宣传阵地): list, page, entry by assessors, photos.

Photos are served through ``publicity_photo`` after the same scope check as the site, never from
a public media URL.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Township
from accounts.permissions import capability_required
from accounts.roles import Cap
from core.forms import apply_errors
from core.pagination import paginate, query_without_page

from ..forms import PhotoForm, PublicitySiteForm
from ..models import PublicityPhoto, PublicitySite
from ..permissions import (
    OutOfScope,
    get_site_for_user,
    get_township_for_user,
    is_assessor,
)
from ..selectors.ranking import current_year, site_counts, sites_of
from ..services.publicity import SITE_FIELDS, photo_add, site_save

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@require_GET
@capability_required(Cap.ASSESSMENT_VIEW)
def publicity_list(request):
    township_id = request.GET.get("township") or None
    township = get_township_for_user(request.user, township_id) if township_id else None
    status = request.GET.get("status", "")
    status = status if status in PublicitySite.Status.values else ""
    sites = sites_of(user=request.user, township_id=township.pk if township else None, status=status)
    year = current_year()
    return render(request, "assessment/publicity_list.html", {
        "page": paginate(request, sites), "query": query_without_page(request), "township": township,
        "status": status, "statuses": PublicitySite.Status.choices, "year": year,
        "townships": Township.objects.active()
        if not request.user.township_id else [],
        "counts": site_counts(year=year), "can_enter": is_assessor(request.user),
    })


@require_GET
def publicity_detail(request, pk):
    site = get_site_for_user(request.user, pk)
    return render(request, "assessment/publicity_detail.html", {
        "site": site, "photos": site.photos.select_related("uploaded_by"),
        "can_enter": is_assessor(request.user), "photo_form": PhotoForm(),
    })


def _site_form_page(request, site=None):
    form = PublicitySiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        try:
            saved = site_save(by=request.user, site=site, request=request,
                              **{name: form.cleaned_data[name] for name in SITE_FIELDS})
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已保存宣传阵地“%(name)s”。") % {"name": saved.name})
            return redirect(saved)
    return render(request, "assessment/publicity_form.html", {"form": form, "site": site})


@require_http_methods(["GET", "POST"])
@capability_required(Cap.ASSESSMENT_ENTER)
def publicity_create(request):
    return _site_form_page(request)


@require_http_methods(["GET", "POST"])
def publicity_edit(request, pk):
    site = get_site_for_user(request.user, pk, write=True)
    return _site_form_page(request, site)


@require_http_methods(["POST"])
def photo_upload(request, pk):
    site = get_site_for_user(request.user, pk, write=True)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        photo_add(site=site, by=request.user, caption=form.cleaned_data["caption"], request=request, **form.photo)
        messages.success(request, _("照片已上传。"))
        return redirect(site)
    return render(request, "assessment/publicity_detail.html", {
        "site": site, "photos": site.photos.select_related("uploaded_by"), "can_enter": True, "photo_form": form,
    }, status=400)


@require_GET
def publicity_photo(request, pk):
    try:
        photo = PublicityPhoto.objects.select_related("site").get(pk=pk)
    except (PublicityPhoto.DoesNotExist, ValueError):
        raise Http404("no photo") from None
    get_site_for_user(request.user, photo.site_id)  # the site's scope decides: 404 outside it
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise OutOfScope("assessment.publicityphoto", pk) from None
    response = FileResponse(handle, content_type=CONTENT_TYPES.get(photo.extension, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
