"""Uploads are checked in one place for every app: see bianmin.common.uploads."""

from bianmin.common.uploads import CheckedUpload, max_upload_bytes, upload_checked

__all__ = ["CheckedUpload", "max_upload_bytes", "upload_checked"]
