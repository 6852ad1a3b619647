"""Stop reading an upload as soon as it passes the size limit (no 2 GB body written to disk)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

TOO_LARGE = "dief_upload_too_large"


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips a file once it exceeds ``DIEF_MAX_UPLOAD_BYTES`` and marks the request, so the
    view can say why (documents.services refuses it with the limit in the message)."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DIEF_MAX_UPLOAD_BYTES:
            setattr(self.request, TOO_LARGE, True)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None
