"""Media types of the files the app hands out (one place, used by every download button and the CLI)."""

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV_MIME = "text/csv"
ZIP_MIME = "application/zip"

__all__ = ["XLSX_MIME", "DOCX_MIME", "CSV_MIME", "ZIP_MIME"]
