"""Writers: one module per dataset format, from ``ExportDocument``s to bytes. No database."""
