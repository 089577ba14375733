"""Exports of a bloc-period: the Excel workbook, CSV, and the draft report (.docx)."""
