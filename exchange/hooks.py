"""Plugging the platform into the lower apps' registries (no upward import)."""

from documents.registry import document_scope

from .queries import record_documents_scope

document_scope(record_documents_scope)
