"""Pieces every register service uses: optimistic locking and voiding (they live in ``core``)."""
from core.records import ConcurrentEdit, save_versioned, void_record

__all__ = ["ConcurrentEdit", "save_versioned", "void_record"]
