from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Generic pieces more than one app uses (docs/architecture.md, "Layers").

    No domain here: abstract model bases, versioned saves, voiding, paging, the search lookups,
    Excel in and out (the bounded reader, the safe writer, the export registry with its one table,
    ExportJob) and the shared list templates. An app imports from ``core``, never from another
    app's internals.
    """

    name = "core"
    verbose_name = _("公共组件")

    def ready(self):
        from . import images, search

        search.register()
        images.set_pillow_limit()
