"""ERP API: FastAPI app, Celery worker and the Prometheus exporter module of the erp-deploy stack."""

__version__ = "1.0.0"
