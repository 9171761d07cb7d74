"""WSGI entry point for production servers (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

from dinghuo.core.serving import refuse_unsafe_serving

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
application = get_wsgi_application()
# Whatever starts this application (dinghuo serve, gunicorn itself, runserver) refuses to
# serve without a real secret key when DEBUG is off.
refuse_unsafe_serving()
