"""Small views every page relies on, outside any app's domain."""
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """``/favicon.ico``: browsers ask for it on every site whatever the page links; answer with the
    icon instead of a 404 in every log (the static URL carries the manifest hash in production)."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


# --- The installable web app (docs/offline.md) ----------------------------------------------------
SERVICE_WORKER = "js/sw.js"
APP_NAME, APP_SHORT_NAME = "乡镇计生服务登记", "计生登记"  # under the icon on the home screen
THEME_COLOR = "#0d6efd"  # Bootstrap's primary, the navigation bar's colour (base.html's theme-color)


@login_not_required
@require_GET
def service_worker(request):
    """``/sw.js``: the service worker, a static file served from the root so that its scope is the
    whole site. Never cached by HTTP: the browser checks it on each visit, which is how a new
    deployment's worker replaces the old one (the outbox it leaves alone)."""
    path = finders.find(SERVICE_WORKER) or staticfiles_storage.path(SERVICE_WORKER)
    response = FileResponse(open(path, "rb"), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    add_never_cache_headers(response)
    return response


@login_not_required
@require_GET
@cache_control(max_age=3600, public=True)
def web_manifest(request):
    """``/manifest.webmanifest``: what a phone needs to add the site to its home screen."""
    icons = [
        {"src": static(f"icons/app-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
        for size, purpose in ((192, "any"), (512, "any"), (512, "maskable"))
    ]
    icons[2]["src"] = static("icons/app-maskable-512.png")
    manifest = {
        "name": APP_NAME, "short_name": APP_SHORT_NAME, "lang": "zh-CN",
        "start_url": "/", "scope": "/", "display": "standalone", "orientation": "portrait",
        "theme_color": THEME_COLOR, "background_color": "#ffffff", "icons": icons,
    }
    return JsonResponse(manifest, content_type="application/manifest+json",
                        json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_GET
def offline_page(request):
    """``/offline/``: what the service worker answers for a page that was never opened while the
    phone had a connection. It holds nothing personal (the worker keeps it for every user)."""
    return render(request, "offline.html")
