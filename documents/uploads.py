"""Stop reading an upload as soon as it passes the size limit (no large body written to disk)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

TOO_LARGE = "dief_upload_too_large"
#: Room for the form's other fields and the multipart framing around the file.
FRAMING_BYTES = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuses a request body larger than ``DIEF_MAX_UPLOAD_BYTES`` before reading it, and stops
    reading as soon as the files received pass the limit. The request is marked so that the
    view (or the CSRF failure page, when the form could not be read) says why."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        # Too large as announced: the first chunk of the first file stops the parser, which then
        # reads nothing more (Django only catches StopUpload while it parses the files).
        self.announced_too_large = bool(
            content_length and content_length > settings.DIEF_MAX_UPLOAD_BYTES + FRAMING_BYTES
        )
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.announced_too_large or self.received > settings.DIEF_MAX_UPLOAD_BYTES:
            setattr(self.request, TOO_LARGE, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
