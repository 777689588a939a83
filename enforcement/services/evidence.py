"""Evidence files: checked by content, stored with their SHA-256, verified on every download.

A photo (JPEG, PNG) goes through ``core.images.checked_image``: its size is checked from the
header before decoding, and what is stored is the picture re-encoded, without its metadata (GPS
positions) or anything else the file carried (a polyglot's HTML). The record keeps the SHA-256
and size of the file *as uploaded* (what the inspector received and the case file cites); the
stored copy's own SHA-256 is part of its name (``<random>_<sha256>.jpg``), so every download still
verifies the stored bytes. Other files are stored as received, and verified against the record.
"""

import hashlib
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AuditEvent
from accounts.services import audit_log

from core.filetypes import JPEG, PNG, RefusedFile, identify
from core.images import RefusedImage, checked_image

from ..models import Case, Evidence, evidence_storage
from .common import audit_change

CHUNK = 64 * 1024
IMAGE_TYPES = {JPEG: "JPEG", PNG: "PNG"}
STORED_SHA256 = re.compile(r"_([0-9a-f]{64})\.[a-z]+$")  # a re-encoded photo's own hash, in its name


def _sha256(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def evidence_attach(*, case: Case, by, upload, description: str, request=None) -> Evidence:
    """Check ``upload`` (a Django UploadedFile) by content and size, store it under a random name
    in the evidence storage with its SHA-256, and attach it to ``case``.

    A refusal (too large, empty, wrong or disguised type, macros) raises ValidationError before
    anything is written. If the database row cannot be saved, the stored file is removed again.
    """
    if case.is_terminal:
        raise ValidationError(_("案件已办结，不能再添加证据材料。"))
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请说明这份材料是什么（例如：B超室现场照片）。")})
    try:
        filetype, content_type = identify(
            upload, name=upload.name or "", size=upload.size, max_bytes=settings.ENFORCEMENT_EVIDENCE_MAX_BYTES
        )
    except RefusedFile as refused:
        raise ValidationError({"file": refused.message}) from None
    upload.seek(0)
    now = timezone.now()
    name = f"enforcement/evidence/{now:%Y}/{uuid.uuid4().hex}"
    if filetype in IMAGE_TYPES:
        try:
            image = checked_image(upload.read(), formats=(IMAGE_TYPES[filetype],))
        except RefusedImage as refused:
            raise ValidationError({"file": refused.message}) from None
        sha256, stored = image.original_sha256, ContentFile(image.content)
        name = f"{name}_{hashlib.sha256(image.content).hexdigest()}"
    else:
        sha256, stored = _sha256(upload.chunks(CHUNK)), upload
        upload.seek(0)
    evidence = Evidence(
        case=case,
        original_name=(upload.name or "")[-200:],
        kind=filetype.kind,
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        description=description[:300],
        uploaded_by=by,
        uploaded_at=now,
    )
    # Resolved per call (not the field's storage, fixed at import), so the alias in settings decides.
    storage = evidence_storage()
    evidence.file.name = storage.save(f"{name}.{filetype.extensions[0]}", stored)
    try:
        with transaction.atomic():
            evidence.save()
            audit_change(
                action=AuditEvent.Action.CREATE,
                obj=evidence,
                by=by,
                request=request,
                detail=f"case {case.number}: evidence {filetype.kind} {upload.size} B sha256 {sha256[:16]}",
            )
    except BaseException:
        storage.delete(evidence.file.name)
        raise
    return evidence


def evidence_verify(evidence: Evidence) -> bool:
    """Whether the stored file still has the SHA-256 it had when it was stored: a re-encoded
    photo's from its name, any other file's (and its size) from the record."""
    try:
        with evidence_storage().open(evidence.file.name, "rb") as handle:
            actual = _sha256(iter(lambda: handle.read(CHUNK), b""))
            size = handle.tell()
    except (FileNotFoundError, OSError):
        return False
    reencoded = STORED_SHA256.search(evidence.file.name)
    if reencoded:
        return actual == reencoded.group(1)
    return actual == evidence.sha256 and size == evidence.size


def evidence_download(*, evidence: Evidence, by, request=None):
    """Open the file for download after verifying it; audited either way.

    Returns an open file, or raises ValidationError when the file is missing or its content no
    longer matches the SHA-256 taken at upload (tampering or corruption is shown, not served).
    """
    if not evidence_verify(evidence):
        audit_log(
            action=AuditEvent.Action.VIEW,
            request=request,
            user=by,
            obj=evidence,
            success=False,
            township_id=evidence.case.township_id,
            detail=f"evidence download refused: sha256 mismatch or missing (case {evidence.case.number})",
        )
        raise ValidationError(
            _(
                "文件校验失败：存储的文件与上传时的 SHA-256 不一致或已缺失，可能已被篡改或损坏。"
                "本次未提供下载，已记录审计日志，请联系系统管理员核查。"
            ),
            code="tampered",
        )
    audit_log(
        action=AuditEvent.Action.VIEW,
        request=request,
        user=by,
        obj=evidence,
        township_id=evidence.case.township_id,
        detail=f"evidence download (case {evidence.case.number}, sha256 verified)",
    )
    return evidence_storage().open(evidence.file.name, "rb")
