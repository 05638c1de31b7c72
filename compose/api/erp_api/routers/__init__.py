"""API routers; the ERP ones are mounted under /api/v1 by erp_api.main."""
