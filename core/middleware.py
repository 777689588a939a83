"""Middleware of the core app."""
from django.shortcuts import render

from .http import BadQuery


class BadQueryMiddleware:
    """A view that raised ``core.http.BadQuery`` answers 400 with the message (templates/400.html)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadQuery):
            return render(request, "400.html", {"message": exception.message}, status=400)
        return None
