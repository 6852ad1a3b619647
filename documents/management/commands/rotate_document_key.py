"""Re-encrypt every stored document with the current key (the first of ``DIEF_DOCUMENT_KEYS``).

Put the new key first in ``DIEF_DOCUMENT_KEYS`` and keep the old one after it; run this; then
drop the old key. Each file is written anew under a new name, the row is pointed at it, and only
then is the old object deleted: a crash leaves every row pointing at a readable file.
"""

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from documents.storage import current_key, encrypted_file_fields


class Command(BaseCommand):
    help = "Re-encrypt every stored document with the current document key."

    def handle(self, *args, **options):
        current_id, _key = current_key()
        rewritten = kept = 0
        for model, name in encrypted_file_fields():
            for pk in model.objects.exclude(**{name: ""}).values_list("pk", flat=True).iterator():
                with transaction.atomic():
                    row = model.objects.select_for_update().get(pk=pk)
                    fieldfile = getattr(row, name)
                    storage = fieldfile.storage
                    if storage.key_id(fieldfile.name) == current_id:
                        kept += 1
                        continue
                    old_name = fieldfile.name
                    with storage.open(old_name) as f:
                        plaintext = f.read()
                    new_name = storage.save(old_name, ContentFile(plaintext))
                    model.objects.filter(pk=pk).update(**{name: new_name})
                    transaction.on_commit(lambda s=storage, n=old_name: s.delete(n))
                rewritten += 1
        self.stdout.write(f"{rewritten} files re-encrypted with key {current_id!r}; {kept} already used it.")
