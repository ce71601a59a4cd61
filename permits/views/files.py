"""Downloads of application materials and inspection photos: never from a public URL, only through these views,
to those who may see the application (or, for photos, the inspecting department)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from permits import selectors


def _serve(field, *, filename: str, content_type: str, inline: bool):
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, max-age=600"
    return response


@login_required
def material_download(request, pk: int):
    material = selectors.material_get(user=request.user, pk=pk)
    inline = material.content_type in ("application/pdf", "image/jpeg", "image/png")
    return _serve(material.file, filename=material.original_name, content_type=material.content_type, inline=inline)


@login_required
def photo_download(request, pk: int):
    photo = selectors.photo_get(user=request.user, pk=pk)
    return _serve(photo.file, filename=photo.original_name, content_type=photo.content_type, inline=True)
